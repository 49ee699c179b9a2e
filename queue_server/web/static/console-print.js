// Opens the print dialog for the desk's ticket, and again from its button.
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (button) { button.onclick = function () { window.print(); }; }
  window.setTimeout(function () { window.print(); }, 300);
}());
