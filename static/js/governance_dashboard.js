// Governance dashboard: the print button (shown only when JavaScript can work it).
document.querySelectorAll("[data-print-page]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
