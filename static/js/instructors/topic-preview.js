// Live preview of a topic's lesson body in the admin: the server renders it as the lesson page does.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("topic-preview");
    var body = document.getElementById("id_body");
    if (!panel || !body) return;
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var timer = null;
    var sent = 0;

    function refresh() {
      var mine = ++sent;
      var data = new FormData();
      data.append("body", body.value);
      data.append("topic", panel.getAttribute("data-topic") || "");
      fetch(panel.getAttribute("data-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) {
          if (!result || mine !== sent) return;  // a newer edit is on its way
          panel.innerHTML = result.html;  // sanitised by the server's renderer
          if (window.renderMath) window.renderMath(panel);
          if (window.renderFigures) window.renderFigures(panel);
        });
    }

    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    if (!panel.innerHTML.trim() && body.value.trim()) refresh();
  });
})();
