// Typeset every .math element (written by the server as escaped LaTeX) with KaTeX.
(function () {
  "use strict";
  var OPTIONS = { throwOnError: false, trust: false, strict: "ignore", maxExpand: 1000, maxSize: 50, output: "htmlAndMathml" };

  function renderMath(root) {
    if (!window.katex) return;
    var nodes = (root || document).querySelectorAll(".math:not([data-typeset])");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var tex = el.getAttribute("data-tex") || el.textContent;
      el.setAttribute("data-tex", tex);
      try {
        katex.render(tex, el, Object.assign({ displayMode: el.classList.contains("block") }, OPTIONS));
        el.setAttribute("data-typeset", "1");
        // Wider than the screen (a phone): it scrolls in its own box, which the keyboard must reach too.
        if (el.classList.contains("block") && el.scrollWidth > el.clientWidth + 1) el.setAttribute("tabindex", "0");
      } catch (err) {
        el.classList.add("math-error");
      }
    }
  }

  window.renderMath = renderMath;
  document.addEventListener("DOMContentLoaded", function () { renderMath(document); });
})();
