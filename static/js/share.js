// The share box's copy button: shown only where the Clipboard API exists; without JavaScript the
// address stays in its read-only field, to select and copy by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.closest(".share-copy").querySelector("[role=status]");
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = button.getAttribute("data-copied");
      }, function () {
        field.select();
      });
    });
  });
})();
