// execution_unit.html: cumulative payments and monthly payments by 类, from the page's JSON (no inline script: the CSP)
var data = JSON.parse(document.getElementById('execution-data').textContent);
var m = data.months, budget = data.budget;
var labels = m.months.map(function (x) { return x + '月'; });
var wan = function (v) { return Math.round(parseFloat(v) / 100) / 100; };
echarts.init(document.getElementById('cum')).setOption({
  title: {text: '累计支付与指标、序时进度（万元）', left: 'center', textStyle: {fontSize: 14}},
  tooltip: {trigger: 'axis'}, legend: {bottom: 0}, grid: {left: 70, bottom: 50},
  xAxis: {type: 'category', data: labels}, yAxis: {type: 'value'},
  series: [{name: '累计支付', type: 'line', data: m.cumulative.map(wan), areaStyle: {opacity: .15}, color: '#5b7f95'},
           {name: '调整后指标', type: 'line', data: labels.map(function () { return wan(budget); }), color: '#444', lineStyle: {type: 'dotted'}, symbol: 'none'},
           {name: '序时进度', type: 'line', data: m.months.map(function (x) { return wan(budget * x / 12); }), color: '#8b1a1a', lineStyle: {type: 'dashed'}, symbol: 'none'}]});
var names = Object.keys(m.classes);
echarts.init(document.getElementById('classes')).setOption({
  title: {text: '按功能分类（类）逐月支付（万元）', left: 'center', textStyle: {fontSize: 14}},
  tooltip: {trigger: 'axis'}, legend: {bottom: 0, type: 'scroll'}, grid: {left: 70, bottom: 50},
  xAxis: {type: 'category', data: labels}, yAxis: {type: 'value'},
  series: names.map(function (k) { return {name: k + '类', type: 'bar', stack: 'p', data: m.classes[k].map(wan)}; })});
