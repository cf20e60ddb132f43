// compare.html: the ranking as bars, from the page's JSON (no inline script: see the CSP)
var data = JSON.parse(document.getElementById('compare-data').textContent);
var rows = data.items, key = data.sort;
var box = document.getElementById('bars');
box.style.height = Math.min(980, 90 + rows.length * 26) + 'px';  // a bar a unit, however few units
echarts.init(box).setOption({tooltip: {}, grid: {left: 220, top: 20, bottom: 30},
  xAxis: {type: 'value'}, yAxis: {type: 'category', inverse: true, data: rows.map(function (r) { return r.unit; })},
  series: [{type: 'bar', barMaxWidth: 22, data: rows.map(function (r) { return r[key]; })}]});
