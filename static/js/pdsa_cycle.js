// PDSA cycle page: a phase read as a summary opens its form in place with "Edit" (htmx swaps
// that one section); saving or cancelling puts the summary back. Afterwards focus goes where the
// person left off: into the form just opened, to the first field with an error, or to the
// section's Edit button once it is saved. Without JavaScript the links reload the page instead.
(function () {
  "use strict";
  var pending = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var section = elt && elt.closest ? elt.closest(".phase-card") : null;
    pending = section ? { id: section.id, action: elt.dataset.phaseAction || "" } : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!pending) return;
    var section = document.getElementById(pending.id);
    var action = pending.action;
    pending = null;
    if (!section) return;
    var target = section.querySelector(".is-invalid");
    if (!target && action === "edit") {
      target = section.querySelector("form input:not([type=hidden]), form textarea, form select");
    }
    if (!target) {
      target = document.getElementById("edit-" + section.id) || document.getElementById("save-" + section.id);
    }
    if (target) target.focus();
  });
})();
