// The daily recap's print button (the page itself needs no script).
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (button) { button.onclick = function () { window.print(); }; }
}());
