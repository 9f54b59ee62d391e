// Dashboard charts (Chart.js from static/vendor/chartjs); data comes from json_script elements.
(function () {
  "use strict";
  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function percent(value) { return value === null ? null : Math.round(value * 1000) / 10; }

  var builders = {
    // Stacked horizontal bars: the share of the class at each level, per topic.
    levels: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: data.levels.map(function (level) {
            return {
              label: level.label,
              data: data.order.map(function (slug) { return percent(data.shares[slug][level.slug]); }),
              backgroundColor: cssVar("--lv-" + level.slug, "#ccc"),
              borderColor: "#b8bfcc",
              borderWidth: 1,
            };
          }),
        },
        options: {
          indexAxis: "y",
          maintainAspectRatio: false,
          animation: false,
          scales: {
            x: { stacked: true, max: 100, title: { display: true, text: "% of the class" } },
            y: { stacked: true, ticks: { autoSkip: false } },
          },
          plugins: { legend: { position: "top" } },
        },
      };
    },
    // Per exercise: correct on the first try and invalid input, in %.
    exercises: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "correct on the first try (%)", data: data.first_try.map(percent), backgroundColor: cssVar("--lv-proficient", "#86cc98") },
            { label: "invalid input (%)", data: data.invalid.map(percent), backgroundColor: cssVar("--lv-attempted", "#fbe2a0") },
          ],
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { min: 0, max: 100 }, x: { ticks: { autoSkip: true, maxRotation: 60 } } },
        },
      };
    },
  };

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Chart) return;
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) {
      var canvas = canvases[i];
      var source = document.getElementById(canvas.getAttribute("data-source"));
      var build = builders[canvas.getAttribute("data-chart")];
      if (!source || !build) continue;
      var data = JSON.parse(source.textContent);
      if (canvas.parentNode.classList.contains("tall")) {
        canvas.parentNode.style.height = (data.labels.length * 22 + 90) + "px";  // CSSOM, allowed by the CSP
      }
      new window.Chart(canvas, build(data));
    }
  });
})();
