/* Data-entry grid: arrow keys up and down move to the same column in the next or previous row. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") { return; }
    var input = event.target.closest("#entry-grid input[data-grid-column]");
    if (!input) { return; }
    var column = input.dataset.gridColumn;
    var row = input.closest("tr");
    var next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
    while (next) {
      var target = next.querySelector('input[data-grid-column="' + column + '"]');
      if (target) {
        event.preventDefault();
        target.focus();
        target.select();
        return;
      }
      next = event.key === "ArrowDown" ? next.nextElementSibling : next.previousElementSibling;
    }
  });
})();
