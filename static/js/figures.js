// Figures in lessons, drawn with JSXGraph from the numbers the server computed from the authored description
// (courseware/figures.py): no expression is evaluated here. Each figure's text description sits below it.
(function () {
  "use strict";
  var INK = "#5b6475";
  var ACCENT = "#2952cc";
  var PATHS = [
    { color: "#b3461d", dash: 0, words: "solid line, round points" },
    { color: "#1e7a45", dash: 2, words: "dashed line, square points", face: "[]" },
    { color: "#7a3bc4", dash: 1, words: "dotted line, crosses", face: "x" },
    { color: "#85600f", dash: 3, words: "long dashes, diamonds", face: "<>" },
  ];
  var serial = 0;

  function el(tag, className, text, parent) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  // The axes, named by the description's x_label and y_label when it has them.
  function axes(data, xTicks) {
    function axis(label, ticks) {
      var a = { ticks: ticks || { label: { fontSize: 11 } } };
      if (label) {
        a.name = label;
        a.withLabel = true;
        a.label = { position: "rt", offset: [-8, -12], anchorX: "right", fontSize: 12 };
      }
      return a;
    }
    var y = axis(data.y_label);
    if (data.y_label) y.label = { position: "rt", offset: [8, -4], anchorX: "left", fontSize: 12 };
    return { x: axis(data.x_label, xTicks), y: y };
  }

  function board(holder, box, options) {
    holder.id = holder.id || "figure-" + ++serial;
    holder.textContent = "";
    var settings = {
      boundingbox: box,
      axis: true,
      showCopyright: false,
      showNavigation: false,
      keepAspectRatio: false,
      pan: { enabled: true, needShift: false, needTwoFingers: true },
      zoom: { wheel: true, needShift: true },
      keyboard: { enabled: false },
    };
    for (var key in options || {}) settings[key] = options[key];
    return JXG.JSXGraph.initBoard(holder.id, settings);
  }

  function padded(low, high, share) {
    var pad = (high - low) * share || 1;
    return [low - pad, high + pad];
  }

  function columns(points) {
    return [points.map(function (p) { return p[0]; }), points.map(function (p) { return p[1]; })];
  }

  var STILL = { fixed: true, highlight: false, strokeWidth: 1.3 };

  function style(extra) {
    var out = {};
    for (var k in STILL) out[k] = STILL[k];
    for (var j in extra) out[j] = extra[j];
    return out;
  }

  function levelSets(b, data) {
    data.lines.forEach(function (line) {
      b.create("curve", columns(line), style({ strokeColor: INK, strokeOpacity: 0.75 }));
    });
  }

  // A plane figure is as wide as its x-range is to its y-range (within reason), so that circles look round.
  function shape(holder, data) {
    var ratio = (data.x[1] - data.x[0]) / (data.y[1] - data.y[0]);
    holder.style.aspectRatio = String(Math.max(0.6, Math.min(2, ratio)));  // CSSOM: allowed by the CSP
  }

  function contour(holder, data) {
    shape(holder, data);
    var b = board(holder, [data.x[0], data.y[1], data.x[1], data.y[0]], { keepAspectRatio: true, defaultAxes: axes(data) });
    levelSets(b, data);
    (data.arrows || []).forEach(function (a) {
      b.create("arrow", [[a[0], a[1]], [a[0] + a[2], a[1] + a[3]]], style({ strokeColor: ACCENT, strokeWidth: 1.8, lastArrow: { type: 2, size: 5 } }));
    });
    return { board: b, legend: data.arrows ? [[INK, "grey curves: level sets"], [ACCENT, "blue arrows: the gradient"]] : [] };
  }

  function curve(holder, data) {
    var xs = data.points[0];
    var ys = data.points[1].filter(function (v) { return v !== null; });
    var y = padded(Math.min.apply(null, ys), Math.max.apply(null, ys), 0.12);
    var piTicks = { scale: Math.PI, scaleSymbol: "\u03c0", ticksDistance: 0.5, insertTicks: false, label: { fontSize: 11 } };
    var options = { defaultAxes: axes(data, data.ticks === "pi" ? piTicks : undefined) };
    var x = padded(data.range[0], data.range[1], 0.06);
    var b = board(holder, [x[0], y[1], x[1], y[0]], options);
    var gx = [], gy = [];
    for (var i = 0; i < xs.length; i++) if (data.points[1][i] !== null) { gx.push(xs[i]); gy.push(data.points[1][i]); }
    b.create("curve", [gx, gy], style({ strokeColor: ACCENT, strokeWidth: 2.2 }));
    var legend = [[ACCENT, "the graph"]];
    if (data.max) {
      b.create("point", data.max, { fixed: true, name: "max", size: 4, face: "o", strokeColor: "#b3461d", fillColor: "#b3461d", label: { offset: [6, 8] } });
      legend.push(["#b3461d", "the point: the maximum, at " + data.variable + " = " + data.max[0] + " (value " + data.max[1] + ")"]);
    }
    if (data.tangent) {
      var t = data.tangent;
      b.create("line", [[t[0], t[1]], [t[0] + 1, t[1] + t[2]]], style({ strokeColor: "#1e7a45", dash: 2 }));
      b.create("point", [t[0], t[1]], { fixed: true, name: "", size: 3, strokeColor: "#1e7a45", fillColor: "#1e7a45" });
      legend.push(["#1e7a45", "dashed line: the tangent at " + data.variable + " = " + t[0]]);
    }
    return { board: b, legend: legend };
  }

  function surface(holder, data) {
    var b = board(holder, [-8, 8, 8, -8], { axis: false, pan: { enabled: false }, zoom: { enabled: false } });
    var view = b.create("view3d", [[-6, -5], [11, 11], [data.x, data.y, data.z]], {
      // No gradient fills: JSXGraph writes them as style attributes, which the CSP refuses.
      xPlaneRear: { visible: false, gradient: null }, yPlaneRear: { visible: false, gradient: null },
      zPlaneRear: { fillOpacity: 0.12, gradient: null },
      az: { slider: { visible: false } }, el: { slider: { visible: false } }, bank: { slider: { visible: false } },
      xAxis: { name: data.x_label || "x", withLabel: true }, yAxis: { name: data.y_label || "y", withLabel: true },
      zAxis: { name: data.z_label || "z", withLabel: true },
    });
    var n = data.xs.length;
    function polyline(points) {
      var run = [];
      function flush() { if (run.length > 1) view.create("curve3d", [run], { strokeColor: ACCENT, strokeWidth: 1, highlight: false }); run = []; }
      points.forEach(function (p) { if (p[2] === null) flush(); else run.push(p); });
      flush();
    }
    for (var i = 0; i < n; i++) {
      polyline(data.xs.map(function (x, j) { return [x, data.ys[i], data.zs[i][j]]; }));
      polyline(data.ys.map(function (y, j) { return [data.xs[i], y, data.zs[j][i]]; }));
    }
    return { board: b, view: view, legend: [] };
  }

  function descent(holder, data) {
    shape(holder, data);
    var b = board(holder, [data.x[0], data.y[1], data.x[1], data.y[0]], { keepAspectRatio: true, defaultAxes: axes(data) });
    levelSets(b, data);
    var legend = [[INK, "grey curves: level sets"]];
    data.paths.forEach(function (path, k) {
      var look = PATHS[k % PATHS.length];
      b.create("curve", columns(path.points), style({ strokeColor: look.color, strokeWidth: 2, dash: look.dash }));
      path.points.forEach(function (p) {
        b.create("point", p, { fixed: true, name: "", size: 2, face: look.face || "o", strokeColor: look.color, fillColor: look.color, showInfobox: false });
      });
      legend.push([look.color, "step size " + path.step + ": " + look.words + (path.diverged ? " (diverges)" : ", " + (path.points.length - 1) + " steps")]);
    });
    return { board: b, legend: legend };
  }

  var DRAW = { contour: contour, curve: curve, surface: surface, descent: descent };

  function controls(figure, drawn) {
    var bar = el("div", "figure-controls");
    function button(label, action) {
      var b = el("button", "figure-button", label, bar);
      b.type = "button";
      b.addEventListener("click", action);
    }
    if (drawn.view) {
      var view = drawn.view;
      var turn = function (daz, del) {
        var az = view.az_slide.Value() + daz;
        var elv = Math.max(0, Math.min(Math.PI / 2, view.el_slide.Value() + del));
        view.az_slide.setValue(((az % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI));
        view.el_slide.setValue(elv);
        drawn.board.update();
      };
      button("Turn left", function () { turn(-0.3, 0); });
      button("Turn right", function () { turn(0.3, 0); });
      button("Tilt up", function () { turn(0, 0.15); });
      button("Tilt down", function () { turn(0, -0.15); });
    } else {
      var box = drawn.board.getBoundingBox();
      button("Zoom in", function () { drawn.board.zoomIn(); });
      button("Zoom out", function () { drawn.board.zoomOut(); });
      button("Reset", function () { drawn.board.setBoundingBox(box, drawn.board.attr.keepaspectratio); });
    }
    figure.after(bar);
    if (drawn.legend.length) {
      var list = el("ul", "figure-legend");
      drawn.legend.forEach(function (item) {
        var li = el("li", "", undefined, list);
        var swatch = el("span", "figure-swatch", undefined, li);
        swatch.style.backgroundColor = item[0];  // CSSOM, allowed by the CSP (no inline style attribute)
        li.appendChild(document.createTextNode(item[1]));
      });
      bar.after(list);
    }
  }

  function render(holder) {
    var data = JSON.parse(holder.getAttribute("data-figure"));
    var draw = DRAW[data.kind];
    if (!window.JXG || !draw) return;
    var drawn = draw(holder, data);
    controls(holder, drawn);
    holder.setAttribute("data-rendered", "true");
  }

  // JSXGraph writes gradient fills (its 3D views use them) as style attributes, which the site's CSP refuses:
  // draw those areas with their plain fill colour instead.
  function withoutGradients() {
    var svg = window.JXG && JXG.SVGRenderer && JXG.SVGRenderer.prototype;
    if (!svg || svg.figuresPlainFill) return;
    var original = svg.setGradient;
    svg.setGradient = function (el) {
      var kind = el.evalVisProp("gradient");
      if (kind === "linear" || kind === "radial") return;
      return original.call(this, el);
    };
    svg.figuresPlainFill = true;
  }

  function renderFigures(root) {
    withoutGradients();
    var holders = (root || document).querySelectorAll(".figure-plot[data-figure]:not([data-rendered])");
    for (var i = 0; i < holders.length; i++) {
      try {
        render(holders[i]);
      } catch (err) {
        holders[i].textContent = "This figure could not be drawn in this browser; its description follows.";
        if (window.console) console.warn(err);
      }
    }
  }

  window.renderFigures = renderFigures;
  document.addEventListener("DOMContentLoaded", function () { renderFigures(document); });
})();
