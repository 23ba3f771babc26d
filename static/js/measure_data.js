/* Data-entry grid: arrow keys up and down move to the same column in the next or previous row;
 * after a row is saved by htmx, focus moves on to the next row (or to the first field in error),
 * so that a keyboard user can keep typing as in a spreadsheet. Number cells are checked as soon
 * as they are left, with the same rule as the server ("1,234", "45%" and "12.5" are numbers);
 * the server still checks everything when the row is saved. */
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

  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  var NUMBER_COLUMNS = { value: true, numerator: true, denominator: true };

  function showCheck(input, message) {
    var id = input.id + "-check";
    var existing = document.getElementById(id);
    if (existing) { existing.remove(); }
    if (!message) {
      if (input.getAttribute("aria-describedby") === id) {
        input.classList.remove("is-invalid");
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
      return;
    }
    var feedback = document.createElement("div");
    feedback.className = "invalid-feedback";
    feedback.id = id;
    feedback.textContent = message;
    input.insertAdjacentElement("afterend", feedback);
    input.classList.add("is-invalid");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
  }

  document.addEventListener("change", function (event) {
    var input = event.target.closest("#entry-grid input[data-grid-column]");
    if (!input || !NUMBER_COLUMNS[input.dataset.gridColumn]) { return; }
    var text = input.value.trim();
    var cleaned = text.replace(/,/g, "").replace(/%/g, "").trim();
    showCheck(input, text && !NUMBER.test(cleaned) ? "'" + text + "' is not a number." : "");
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
