// PDSA plan: "Add another question" adds an empty question/prediction row to the Django formset
// (from its empty form in a <template>), and moves focus to the new question. Without JavaScript
// the button stays hidden and the two spare rows are enough; saving brings two more. The Plan
// section may be replaced by htmx after a save, so the button is found afresh each time.
(function () {
  "use strict";
  function reveal() {
    var button = document.getElementById("add-prediction");
    if (button) button.hidden = false;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("#add-prediction");
    if (!button) return;
    var template = document.getElementById("prediction-row-template");
    var rows = document.getElementById("prediction-rows");
    var prefix = button.dataset.prefix;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!template || !rows || !total) return;
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var question = document.getElementById("id_" + prefix + "-" + index + "-question");
    if (question) question.focus();
  });
  reveal();
  document.addEventListener("htmx:afterSettle", reveal);
})();
