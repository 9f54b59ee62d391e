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
  // must reach too. Measured again whenever the box or the formula changes size (fonts arriving, a layout
  // that settles, a window that turns).
  function mark(el) {
    if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 1) el.setAttribute("tabindex", "0");
    else el.removeAttribute("tabindex");
  }

  var watcher = window.ResizeObserver
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { mark(entry.target.closest(".math.block") || entry.target); });
      })
    : null;

  function markScrollable(root) {
    var blocks = (root || document).querySelectorAll(".math.block[data-typeset]");
    for (var i = 0; i < blocks.length; i++) {
      mark(blocks[i]);
      if (watcher && !blocks[i].hasAttribute("data-watched")) {
        blocks[i].setAttribute("data-watched", "1");
        watcher.observe(blocks[i]);
        if (blocks[i].firstElementChild) watcher.observe(blocks[i].firstElementChild);
      }
    }
  }

  function renderAndMark(root) {
    renderMath(root);
    markScrollable(root);
  }

  // KaTeX's fonts load only once a formula needs them, and they change its width.
  if (document.fonts && document.fonts.addEventListener) {
    document.fonts.addEventListener("loadingdone", function () { markScrollable(document); });
  }

  window.renderMath = renderAndMark;
  document.addEventListener("DOMContentLoaded", function () { renderAndMark(document); });
})();
