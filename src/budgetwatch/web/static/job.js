// 任务: the job page follows /api/jobs/{id} every second until the job is done or failed
(function () {
  var box = document.getElementById("job");
  var id = box.dataset.id;
  function text(elId, t) { document.getElementById(elId).textContent = t; }
  function show(j) {
    box.dataset.status = j.status;
    box.className = "job job-" + j.status;
    text("job-status", j.status_zh);
    text("job-stage", j.stage_zh);
    var bar = document.getElementById("job-progress");
    var ended = j.status === "done";
    bar.max = ended ? 1 : (j.total || 1);
    bar.value = ended ? 1 : (j.total ? j.done : 0);
    var msg = document.getElementById("job-message");
    msg.textContent = j.message;
    msg.className = j.status === "failed" ? "error" : "";
    var list = document.getElementById("job-documents");
    list.textContent = "";
    j.documents.forEach(function (d) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = d.url; a.className = "doc-link"; a.textContent = d.unit || ("文档 " + d.id);
      li.appendChild(a); list.appendChild(li);
    });
  }
  function poll() {
    if (box.dataset.status === "done" || box.dataset.status === "failed") return;
    fetch("/api/jobs/" + id, {headers: {"accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j) show(j); setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
