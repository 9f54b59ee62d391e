// The topic map: the prerequisite graph laid out by layer with ELK (elkjs, layered), drawn as SVG.
//
// window.TopicMap.render(container, data) -> Promise, where data is
//   {nodes: [{id, title, layer, url, level?, label?, review?: [prerequisite titles], recommended?, shares?: {level: fraction}}],
//    edges: [[from, to], ...], legend: bool}
// Colours come from CSS classes (level-<slug>); nothing here writes a style attribute.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var NODE_W = 200;
  var NODE_H = 44;
  var MIN_SCALE = 0.55;
  var LEVELS = [
    ["not-started", "not started"],
    ["attempted", "attempted"],
    ["familiar", "familiar"],
    ["proficient", "proficient"],
    ["mastered", "mastered"],
  ];
  var serial = 0;

  function svg(tag, attrs, parent) {
    var el = document.createElementNS(SVG, tag);
    for (var name in attrs) if (Object.prototype.hasOwnProperty.call(attrs, name)) el.setAttribute(name, attrs[name]);
    if (parent) parent.appendChild(el);
    return el;
  }

  function html(tag, className, text, parent) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    if (parent) parent.appendChild(el);
    return el;
  }

  // Each node's layer_rank is the server's one layer sort key (0A < 0B < 1 < 2 < 10).
  function layerRanks(nodes) {
    var keys = [];
    nodes.forEach(function (n) { if (keys.indexOf(n.layer_rank) < 0) keys.push(n.layer_rank); });
    keys.sort(function (a, b) { return a - b; });
    var ranks = {};
    nodes.forEach(function (n) { ranks[n.id] = keys.indexOf(n.layer_rank); });
    return ranks;
  }

  function layout(data) {
    var ranks = layerRanks(data.nodes);
    var known = {};
    data.nodes.forEach(function (n) { known[n.id] = true; });
    var graph = {
      id: "root",
      layoutOptions: {
        "elk.algorithm": "layered",
        "elk.direction": "RIGHT",
        "elk.partitioning.activate": "true",
        "elk.separateConnectedComponents": "false", // else each component ignores the others' layers
        "elk.spacing.nodeNode": "18",
        "elk.layered.spacing.nodeNodeBetweenLayers": "64",
        "elk.layered.spacing.edgeNodeBetweenLayers": "20",
        "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
        "elk.layered.crossingMinimization.strategy": "LAYER_SWEEP",
        "elk.edgeRouting": "POLYLINE",
        "elk.padding": "[top=36,left=12,bottom=12,right=12]",
      },
      children: data.nodes.map(function (n) {
        return { id: n.id, width: NODE_W, height: NODE_H, layoutOptions: { "elk.partitioning.partition": String(ranks[n.id]) } };
      }),
      edges: (data.edges || [])
        .filter(function (e) { return known[e[0]] && known[e[1]] && e[0] !== e[1]; })
        .map(function (e, i) { return { id: "e" + i, sources: [e[0]], targets: [e[1]] }; }),
    };
    return new window.ELK().layout(graph);
  }

  // Shorten a label until it fits the box; the full title stays in the <title> tooltip.
  function fit(text, full, width) {
    text.textContent = full;
    if (text.getComputedTextLength() <= width) return;
    var words = full;
    while (words.length > 1 && text.getComputedTextLength() > width) {
      words = words.slice(0, -1).replace(/\s+$/, "");
      text.textContent = words + "\u2026";
    }
  }

  function drawEdges(layer, edges) {
    edges.forEach(function (edge) {
      (edge.sections || []).forEach(function (s) {
        var points = [s.startPoint].concat(s.bendPoints || [], [s.endPoint]);
        var d = points.map(function (p, i) { return (i ? "L" : "M") + p.x.toFixed(1) + " " + p.y.toFixed(1); }).join(" ");
        svg("path", { d: d, class: "tm-edge", "marker-end": "url(#" + layer.markerId + ")", "data-from": edge.sources[0], "data-to": edge.targets[0] }, layer.group);
      });
    });
  }

  function drawShares(group, shares, x, y) {
    var offset = 0;
    LEVELS.forEach(function (level) {
      var share = Math.max(0, Math.min(1, shares[level[0]] || 0));
      if (!share) return;
      var w = share * NODE_W;
      svg("rect", { x: (x + offset).toFixed(2), y: y, width: w.toFixed(2), height: NODE_H, class: "tm-share level-" + level[0], "clip-path": group.clipRef }, group.el);
      offset += w;
    });
  }

  function drawNode(parent, node, box, defs) {
    var link = svg("a", { href: node.url || "#", class: "tm-node", "data-id": node.id }, parent);
    var classes = ["tm-node"];
    if (node.level) classes.push("level-" + node.level);
    else if (!node.shares) classes.push("no-level");
    if (node.shares) classes.push("tm-stacked");
    var review = node.review && node.review.length;
    if (review) classes.push("review");
    if (node.recommended) classes.push("recommended");
    link.setAttribute("class", classes.join(" "));
    var tip = node.title + " (layer " + node.layer + ")";
    if (node.label || node.level) tip += ": " + (node.label || node.level.replace("-", " "));
    if (review) tip += ", prerequisites recommended first: " + node.review.join(", ");
    if (node.recommended) tip += ", recommended next";
    if (node.shares) {
      tip += LEVELS.map(function (l) { return node.shares[l[0]] ? "\n" + l[1] + ": " + Math.round(100 * node.shares[l[0]]) + " %" : ""; }).join("");
    }
    svg("title", {}, link).textContent = tip;
    if (node.recommended) {
      svg("rect", { x: box.x - 5, y: box.y - 5, width: NODE_W + 10, height: NODE_H + 10, rx: 10, class: "tm-halo" }, link);
    }
    var rect = svg("rect", { x: box.x, y: box.y, width: NODE_W, height: NODE_H, rx: 6, class: "tm-box" }, link);
    if (node.shares) {
      var clipId = "tm-clip-" + serial + "-" + node.id.replace(/[^A-Za-z0-9_-]/g, "");
      var clip = svg("clipPath", { id: clipId }, defs);
      svg("rect", { x: box.x, y: box.y, width: NODE_W, height: NODE_H, rx: 6 }, clip);
      drawShares({ el: link, clipRef: "url(#" + clipId + ")" }, node.shares, box.x, box.y);
      svg("rect", { x: box.x, y: box.y, width: NODE_W, height: NODE_H, rx: 6, class: "tm-outline" }, link);
    }
    var inset = review ? 24 : 10;
    var title = svg("text", { x: box.x + inset, y: box.y + 19, class: "tm-title" }, link);
    fit(title, node.title, NODE_W - inset - 8);
    var sub = node.recommended ? "\u2605 next" : node.label || (node.level ? node.level.replace("-", " ") : "");
    svg("text", { x: box.x + inset, y: box.y + 36, class: "tm-sub" }, link).textContent = "Layer " + node.layer + (sub ? " \u00b7 " + sub : "");
    if (review) drawNotice(link, box.x + 8, box.y + 10);
    return rect;
  }

  // "Prerequisites first": a shape as well as the dashed outline, so colour is never the only sign.
  function drawNotice(parent, x, y) {
    var g = svg("g", { class: "tm-notice", transform: "translate(" + x + " " + y + ")" }, parent);
    svg("circle", { cx: 6, cy: 8, r: 6, class: "tm-notice-ring" }, g);
    svg("text", { x: 6, y: 12, class: "tm-notice-mark" }, g).textContent = "!";
  }

  function drawLayerLabels(group, nodes, boxes) {
    var columns = {};
    nodes.forEach(function (n) {
      var b = boxes[n.id];
      if (!columns[n.layer] || b.x < columns[n.layer].x) columns[n.layer] = { x: b.x, layer: n.layer };
    });
    Object.keys(columns).forEach(function (layer) {
      svg("text", { x: columns[layer].x + 2, y: 22, class: "tm-layer" }, group).textContent = "Layer " + layer;
    });
  }

  function legend(container, data) {
    var box = html("div", "tm-legend", undefined, container);
    var personal = data.nodes.some(function (n) { return n.level || n.shares; });
    if (personal) {
      LEVELS.forEach(function (level) {
        var item = html("span", "tm-legend-item", undefined, box);
        html("span", "tm-swatch level-" + level[0], undefined, item);
        item.appendChild(document.createTextNode(level[1]));
      });
    }
    if (data.nodes.some(function (n) { return n.review && n.review.length; })) {
      var review = html("span", "tm-legend-item", undefined, box);
      html("span", "tm-swatch tm-swatch-review", "!", review);
      review.appendChild(document.createTextNode("prerequisites recommended first (still open to you)"));
    }
    if (data.nodes.some(function (n) { return n.recommended; })) {
      var next = html("span", "tm-legend-item", undefined, box);
      html("span", "tm-swatch tm-swatch-recommended", undefined, next);
      next.appendChild(document.createTextNode("recommended next"));
    }
    html("span", "tm-legend-help", "Drag to move, wheel or buttons to zoom, click a topic to open it.", box);
  }

  // Pan and zoom by moving the viewBox; a drag never counts as a click on a topic.
  function panZoom(root, view, full) {
    var drag = null;
    var moved = false;
    function apply() { root.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (v) { return v.toFixed(1); }).join(" ")); }
    function zoom(factor, cx, cy) {
      var w = Math.min(Math.max(view.w * factor, 120), full.w * 3);
      var ratio = w / view.w;
      view.x = cx - (cx - view.x) * ratio;
      view.y = cy - (cy - view.y) * ratio;
      view.h *= ratio;
      view.w = w;
      apply();
    }
    function point(event) {
      var r = root.getBoundingClientRect();
      return { x: view.x + (event.clientX - r.left) / r.width * view.w, y: view.y + (event.clientY - r.top) / r.height * view.h };
    }
    root.addEventListener("wheel", function (event) {
      event.preventDefault();
      var p = point(event);
      zoom(event.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, { passive: false });
    root.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y };
      moved = false;
    });
    root.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var r = root.getBoundingClientRect();
      var dx = event.clientX - drag.x;
      var dy = event.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) moved = true;
      if (!moved) return;
      view.x = drag.vx - dx / r.width * view.w;
      view.y = drag.vy - dy / r.height * view.h;
      apply();
    });
    window.addEventListener("pointerup", function () { drag = null; });
    root.addEventListener("click", function (event) {
      if (moved) { event.preventDefault(); moved = false; }
    }, true);
    apply();
    return {
      zoomIn: function () { zoom(1 / 1.25, view.x + view.w / 2, view.y + view.h / 2); },
      zoomOut: function () { zoom(1.25, view.x + view.w / 2, view.y + view.h / 2); },
      fit: function () { view.x = full.x; view.y = full.y; view.w = full.w; view.h = full.h; apply(); },
    };
  }

  function controls(container, api) {
    var bar = html("div", "tm-controls", undefined, container);
    [["+", "Zoom in", api.zoomIn], ["\u2212", "Zoom out", api.zoomOut], ["Fit", "Fit: show the whole map", api.fit]].forEach(function (c) {
      var b = html("button", "tm-button", c[0], bar);
      b.type = "button";
      b.title = c[1];
      b.setAttribute("aria-label", c[1]);
      b.addEventListener("click", c[2]);
    });
  }

  function draw(container, data, result) {
    serial += 1;
    var boxes = {};
    (result.children || []).forEach(function (c) { boxes[c.id] = c; });
    var width = Math.max(result.width || 0, 200);
    var height = Math.max(result.height || 0, 100);
    container.textContent = "";
    container.classList.add("tm");
    if (data.legend) legend(container, data);
    var frame = html("div", "tm-frame", undefined, container);
    // A group, not an image: its topics are links, reached with Tab (the list below the map says the same in text).
    var root = svg("svg", { class: "tm-svg", role: "group", "aria-label": "Map of topics by layer, with prerequisites as arrows" }, frame);
    var defs = svg("defs", {}, root);
    var markerId = "tm-arrow-" + serial;
    var marker = svg("marker", { id: markerId, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
    svg("path", { d: "M0 0 L10 5 L0 10 z", class: "tm-arrow" }, marker);
    var edges = svg("g", { class: "tm-edges" }, root);
    var labels = svg("g", { class: "tm-layers" }, root);
    var nodes = svg("g", { class: "tm-nodes" }, root);
    drawEdges({ group: edges, markerId: markerId }, result.edges || []);
    drawLayerLabels(labels, data.nodes, boxes);
    data.nodes.forEach(function (n) { if (boxes[n.id]) drawNode(nodes, n, boxes[n.id], defs); });

    // Fit the whole graph, unless that would make the labels too small to read: then start at the
    // smallest readable scale, around the recommended topic (or the first layer).
    var available = Math.max(frame.clientWidth, 320);
    var scale = Math.min(1, available / width);
    var full = { x: 0, y: 0, w: width, h: height };
    var view = { x: 0, y: 0, w: width, h: height };
    if (scale < MIN_SCALE) {
      scale = MIN_SCALE;
      view.w = available / scale;
      var focus = data.nodes.filter(function (n) { return n.recommended; })[0];
      if (focus && boxes[focus.id]) view.x = Math.max(0, Math.min(boxes[focus.id].x - view.w / 3, width - view.w));
    }
    var shownHeight = Math.min(height * scale, Math.max(window.innerHeight * 0.75, 360));
    view.h = shownHeight / scale;
    if (focus && boxes[focus.id] && view.h < height) view.y = Math.max(0, Math.min(boxes[focus.id].y - view.h / 3, height - view.h));
    root.setAttribute("width", "100%");
    root.setAttribute("height", Math.round(shownHeight));
    root.setAttribute("preserveAspectRatio", "xMinYMin meet");
    full.h = Math.max(height, view.h * width / view.w);
    controls(container, panZoom(root, view, full));
    container.setAttribute("data-rendered", "true");
    return root;
  }

  function render(container, data) {
    container.removeAttribute("data-rendered");
    if (!window.ELK) {
      container.textContent = "The map needs JavaScript and its layout library; see the list of topics instead.";
      return Promise.reject(new Error("elkjs is not loaded"));
    }
    return layout(data).then(function (result) { return draw(container, data, result); });
  }

  function fromPage() {
    var holders = document.querySelectorAll("[data-topic-map]");
    for (var i = 0; i < holders.length; i++) {
      var source = document.getElementById(holders[i].getAttribute("data-topic-map"));
      if (source) render(holders[i], JSON.parse(source.textContent));
    }
  }

  window.TopicMap = { render: render };
  document.addEventListener("DOMContentLoaded", fromPage);
})();
