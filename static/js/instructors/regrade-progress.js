// Poll a re-grade run's totals until it finishes, then reload to show the change report.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("regrade-progress");
    if (!box || box.getAttribute("data-finished") === "1") return;
    var bar = document.getElementById("regrade-bar");

    function poll() {
      fetch(box.getAttribute("data-status-url"), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (run) {
          Object.keys(run).forEach(function (key) {
            var el = box.querySelector('[data-field="' + key + '"]');
            if (el) el.textContent = run[key];
          });
          bar.max = Math.max(run.total, 1);
          bar.value = run.processed;
          if (run.applied && !run.finished) {
            document.getElementById("regrade-state").textContent =
              "Every verdict is applied; correcting the students' progress…";
          }
          if (run.finished) window.location.reload();
          else setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    setTimeout(poll, 500);
  });
})();
