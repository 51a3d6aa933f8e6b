// The receipt's "print" button (kept out of the page so no inline script is needed).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
