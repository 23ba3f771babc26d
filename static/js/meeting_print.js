/* The printable agenda and minutes: the Print button opens the browser's print dialogue. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
