// unit.html: trend, structure and 预算/决算 charts from the page's JSON (no inline script: see the CSP)
var data = JSON.parse(document.getElementById('unit-data').textContent);
var docs = data.docs, names = data.names;
var x = docs.map(function (d) { return d.year + (d.stage === 'final' ? '决算' : '预算'); });
var series = ['income_total', 'basic', 'project', 'personnel', 'public', 'three_public'].map(function (k) {
  return {name: names[k], type: 'line', data: docs.map(function (d) { return d[k]; })};
});
echarts.init(document.getElementById('trend')).setOption({title: {text: '收支与结构（万元）'}, tooltip: {trigger: 'axis'},
  legend: {top: 25}, grid: {top: 70}, xAxis: {type: 'category', data: x}, yAxis: {type: 'value'}, series: series});
var last = docs[docs.length - 1] || {classes: {}};
echarts.init(document.getElementById('structure')).setOption({title: {text: '功能分类结构（' + (x[x.length - 1] || '') + '）'},
  tooltip: {}, series: [{type: 'pie', radius: '60%', data: Object.keys(last.classes).map(function (k) {
    return {name: k, value: last.classes[k]}; })}]});
// 预算 vs 决算 for the years that have both
var byYear = {};
docs.forEach(function (d) { (byYear[d.year] = byYear[d.year] || {})[d.stage] = d; });
var both = Object.keys(byYear).filter(function (y) { return byYear[y].budget && byYear[y].final; });
if (both.length) {
  var y = both[both.length - 1], ks = ['income_total', 'expenditure_total', 'basic', 'project', 'three_public'];
  echarts.init(document.getElementById('versus')).setOption({title: {text: y + '年 预算与决算（万元）'}, tooltip: {},
    legend: {top: 25}, grid: {top: 70}, xAxis: {type: 'category', data: ks.map(function (k) { return names[k]; })},
    yAxis: {type: 'value'}, series: [{name: '预算', type: 'bar', data: ks.map(function (k) { return byYear[y].budget[k]; })},
                                   {name: '决算', type: 'bar', data: ks.map(function (k) { return byYear[y].final[k]; })}]});
} else { document.getElementById('versus').style.display = 'none'; }
