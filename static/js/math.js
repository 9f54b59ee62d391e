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
      } catch (err) {
        el.classList.add("math-error");
      }
    }
  }

  // Display math wider than its box (a phone, a narrow preview) scrolls in its own box, which the keyboard
  // must reach too. Measured again once the fonts are in and when the window changes size.
  function markScrollable(root) {
    var blocks = (root || document).querySelectorAll(".math.block[data-typeset]");
    for (var i = 0; i < blocks.length; i++) {
      if (blocks[i].scrollWidth > blocks[i].clientWidth + 1) blocks[i].setAttribute("tabindex", "0");
      else blocks[i].removeAttribute("tabindex");
    }
  }

  function renderAndMark(root) {
    renderMath(root);
    markScrollable(root);
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { markScrollable(document); }, 200);
  });
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(function () { markScrollable(document); });

  window.renderMath = renderAndMark;
  document.addEventListener("DOMContentLoaded", function () { renderAndMark(document); });
})();
