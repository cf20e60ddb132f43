// document.html: fold 类→款→项 rows, and highlight a finding's cell (no inline script: see the CSP)
// 类→款→项: a click on a 类 or 款 row folds or unfolds the rows under it
function foldable(root) {
  root.querySelectorAll('tr[data-code]').forEach(function (tr) {
    var code = tr.dataset.code;
    if (code.length !== 3 && code.length !== 5) return;
    tr.classList.add('foldable');
    tr.addEventListener('click', function () {
      var open = !tr.classList.toggle('folded');
      var next = tr.nextElementSibling;
      while (next && next.dataset.code && next.dataset.code.startsWith(code) && next.dataset.code.length > code.length) {
        next.style.display = open ? '' : 'none';
        next = next.nextElementSibling;
      }
    });
  });
}
foldable(document);
// a large document's later tables come empty (a page writes so many figures at most): their rows are
// fetched when the reader nears them, clicks their button, or clicks a finding on them
function loadRows(tbody) {
  if (!tbody._rows) {
    tbody._rows = fetch(tbody.dataset.src).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (html) {
      tbody.innerHTML = html;
      delete tbody.dataset.src;
      foldable(tbody);
    }).catch(function () { tbody._rows = null; });
  }
  return tbody._rows;
}
var lazy = document.querySelectorAll('.table-block tbody[data-src]');
lazy.forEach(function (tb) {
  tb.querySelector('button.load-table').addEventListener('click', function () { loadRows(tb); });
});
// a 绩效目标表 folded without its indicators: they come when it is opened
document.querySelectorAll('#forms details').forEach(function (box) {
  var tb = box.querySelector('tbody[data-src]');
  if (tb) box.addEventListener('toggle', function () { if (box.open) loadRows(tb); });
});
if ('IntersectionObserver' in window) {
  var near = new IntersectionObserver(function (seen) {
    seen.forEach(function (e) { if (e.isIntersecting) { near.unobserve(e.target); loadRows(e.target); } });
  }, {rootMargin: '600px'});
  lazy.forEach(function (tb) { near.observe(tb); });
}
function highlight(id) {
  document.querySelectorAll('.hl').forEach(function (e) { e.classList.remove('hl'); });
  var cell = document.getElementById(id);
  if (cell) { cell.classList.add('hl'); cell.scrollIntoView({block: 'center'}); }
  return cell;
}
document.querySelectorAll('li.finding[data-target]').forEach(function (li) {
  li.addEventListener('click', function () {
    var id = li.dataset.target;
    if (highlight(id)) return;
    var table = /^c-(\d+)-/.exec(id);  // a figure of a table whose rows are not here yet
    var tb = table && document.querySelector('#t-' + table[1] + ' tbody[data-src]');
    if (tb) loadRows(tb).then(function () { highlight(id); });
  });
});
// a finding listed under its rule's line (a rule on many forms is one line): the address opens its list
function openTo(id) {
  var el = id && document.getElementById(id);
  var box = el && el.closest('details');
  if (box) { box.open = true; el.scrollIntoView({block: 'center'}); }
}
openTo(decodeURIComponent(location.hash.slice(1)));
window.addEventListener('hashchange', function () { openTo(decodeURIComponent(location.hash.slice(1))); });
