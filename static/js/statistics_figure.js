/* Draws the plotly figures built on the server (time-to-permanence curves, funnel plots).
 *
 * Each element carries data-figure="<id of a json_script element>" holding {data, layout} as
 * built by measures/milestones/survival.py and benchmark.py — the same figure reports draw as
 * SVG. The drawing follows the element's width; the figure's own width is for reports.
 */
(function () {
  "use strict";

  function draw(element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source || typeof Plotly === "undefined") { return; }
    var figure = JSON.parse(source.textContent);
    var layout = Object.assign({}, figure.layout);
    delete layout.width;
    layout.autosize = true;
    Plotly.newPlot(element, figure.data, layout, {
      displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"],
      toImageButtonOptions: { filename: element.dataset.filename || "chart", format: "png", scale: 2 }
    });
  }

  function drawAll() {
    document.querySelectorAll("[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
