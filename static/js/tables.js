// Tables that do not fit their width (a tablet in portrait, a long e-mail address, a column of
// buttons) are read as stacked rows instead: each cell labelled with its column's heading, so no
// page scrolls sideways and no Edit link is cut off. Tables that fit stay tables. A table that
// truly must scroll sits in a labelled region marked data-table-scroll, and is left alone.
(function () {
  "use strict";

  function headings(table) {
    return Array.from(table.querySelectorAll("thead th")).map(function (th) {
      var hidden = th.querySelector(".visually-hidden");
      var text = th.textContent.trim();
      // A heading only screen readers get ("Actions") labels nothing on screen either.
      return hidden && hidden.textContent.trim() === text ? "" : text;
    });
  }

  function label(table) {
    var heads = headings(table);
    if (!heads.length) return false;
    // Stacked cells are no longer laid out as a table: keep its semantics for screen readers.
    table.setAttribute("role", "table");
    table.querySelectorAll("thead, tbody, tfoot").forEach(function (group) { group.setAttribute("role", "rowgroup"); });
    table.querySelectorAll("tr").forEach(function (row) {
      row.setAttribute("role", "row");
      var column = 0;
      Array.from(row.children).forEach(function (cell) {
        var header = cell.tagName === "TH";
        if (!cell.hasAttribute("role")) {
          var scope = cell.getAttribute("scope");
          cell.setAttribute("role", header ? (scope === "row" ? "rowheader" : "columnheader") : "cell");
        }
        if (row.parentElement.tagName !== "THEAD" && heads[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", heads[column]);
        }
        column += cell.colSpan || 1;
      });
    });
    return true;
  }

  function fit(root) {
    (root || document).querySelectorAll("main table").forEach(function (table) {
      if (table.closest("[data-table-scroll]")) return;
      var box = table.parentElement;
      table.classList.remove("table-stacked");
      if (table.offsetWidth > box.clientWidth + 1 && label(table)) table.classList.add("table-stacked");
    });
  }

  var pending = false;
  function refit() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fit(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { fit(); });
  else fit();
  window.addEventListener("resize", refit);
  document.addEventListener("htmx:afterSettle", function (event) { fit(event.target); });
})();
