/* The measures list: sparklines inside a timescale's folded group are drawn while hidden, so
 * they are resized to their cell when the group is opened. */
(function () {
  "use strict";
  document.addEventListener("toggle", function (event) {
    var group = event.target;
    if (!group.open || !group.classList || !group.classList.contains("measure-group")) { return; }
    if (typeof Plotly === "undefined") { return; }
    group.querySelectorAll("[data-measure-chart]").forEach(function (element) {
      if (element.data) { Plotly.Plots.resize(element); }
    });
  }, true);
})();
