// execution_overview.html: each unit's rate against the time share, from the page's JSON (no inline script: the CSP)
var data = JSON.parse(document.getElementById('execution-data').textContent);
var units = data.units, s = data.time_share;
var shown = units.slice(0, 40);
echarts.init(document.getElementById('rates')).setOption({
  title: {text: '各单位执行率与序时进度' + (units.length > 40 ? '（前40个单位）' : ''), left: 'center', textStyle: {fontSize: 14}},
  tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}}, grid: {left: 260, right: 60, top: 40},
  xAxis: {type: 'value', max: function (v) { return Math.max(110, Math.ceil(v.max / 10) * 10); }, axisLabel: {formatter: '{value}%'}},
  yAxis: {type: 'category', inverse: true, data: shown.map(function (u) { return u.agency_code + ' ' + (u.agency_name || ''); })},
  series: [{type: 'bar', name: '执行率', data: shown.map(function (u) {
      var v = u.rate === null ? 0 : Math.round(u.rate * 1000) / 10;
      return {value: v, itemStyle: {color: u.red ? '#c62828' : u.orange ? '#ef8f00' : '#5b7f95'}}; }),
    markLine: {symbol: 'none', label: {position: 'start', formatter: '序时进度 ' + s + '%'}, lineStyle: {color: '#8b1a1a', type: 'dashed', width: 2},
      data: [{xAxis: s}]}}]});
