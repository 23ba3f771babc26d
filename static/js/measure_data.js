/* Data-entry grid: arrow keys up and down move to the same column in the next or previous row;
 * after a row is saved by htmx, focus moves on to the next row (or to the first field in error),
 * so that a keyboard user can keep typing as in a spreadsheet. */
(function () {
  "use strict";

  function sibling(row, down) { return down ? row.nextElementSibling : row.previousElementSibling; }

  function focusColumn(row, column, down) {
    while (row) {
      var target = row.querySelector('input[data-grid-column="' + column + '"]') ||
        row.querySelector("input[data-grid-column]:not([type=hidden])");
      if (target) {
        target.focus();
        target.select();
        return true;
      }
      row = sibling(row, down);
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") { return; }
    var input = event.target.closest("#entry-grid input[data-grid-column]");
    if (!input) { return; }
    var down = event.key === "ArrowDown";
    var next = sibling(input.closest("tr"), down);
    if (next && focusColumn(next, input.dataset.gridColumn, down)) { event.preventDefault(); }
  });

  var pending = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    var row = event.target.closest ? document.getElementById(event.target.getAttribute("hx-target").slice(1)) : null;
    pending = row ? { rowId: row.id, column: active && active.dataset ? active.dataset.gridColumn || "value" : "value" } : null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!pending) { return; }
    var row = document.getElementById(pending.rowId);
    var column = pending.column;
    pending = null;
    if (!row) { return; }
    var invalid = row.querySelector(".is-invalid");
    if (invalid) {
      invalid.focus();
      return;
    }
    var next = row.nextElementSibling;
    if (!next || !focusColumn(next, column, true)) {
      var status = row.querySelector("[role=status]");
      if (status) { status.setAttribute("tabindex", "-1"); status.focus(); }
    }
  });
})();
