// compare.html: the ranking as bars, from the page's JSON (no inline script: see the CSP)
var data = JSON.parse(document.getElementById('compare-data').textContent);
var rows = data.items, key = data.sort;
echarts.init(document.getElementById('bars')).setOption({tooltip: {}, grid: {left: 220},
  xAxis: {type: 'value'}, yAxis: {type: 'category', inverse: true, data: rows.map(function (r) { return r.unit; })},
  series: [{type: 'bar', data: rows.map(function (r) { return r[key]; })}]});
