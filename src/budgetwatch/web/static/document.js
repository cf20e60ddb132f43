// document.html: fold 类→款→项 rows, and highlight a finding's cell (no inline script: see the CSP)
// 类→款→项: a click on a 类 or 款 row folds or unfolds the rows under it
document.querySelectorAll('tr[data-code]').forEach(function (tr) {
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
document.querySelectorAll('li.finding[data-target]').forEach(function (li) {
  li.addEventListener('click', function () {
    document.querySelectorAll('.hl').forEach(function (e) { e.classList.remove('hl'); });
    var cell = document.getElementById(li.dataset.target);
    if (cell) { cell.classList.add('hl'); cell.scrollIntoView({block: 'center'}); }
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
