// Pairs this browser as a display device (POST /api/v1/devices/pair sets an HttpOnly
// cookie), then opens the screen it asked for, or the device's own screen.
(function () {
  "use strict";
  var form = document.getElementById("pair-form");
  var result = document.getElementById("pair-result");
  var config = JSON.parse(document.getElementById("config").textContent);
  var texts = JSON.parse(document.getElementById("texts").textContent);

  function screenOf(device) {
    if (config.next) { return config.next; }
    var office = encodeURIComponent(device.office);
    if (device.kind === "display") { return "/screens/board/" + office; }
    if (device.counter) {
      return "/screens/counter/" + office + "/" + encodeURIComponent(device.counter);
    }
    return "";
  }

  function say(text, kind) {
    result.textContent = text;
    result.className = "pair-result " + kind;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", config.pair_url);
    request.setRequestHeader("Content-Type", "application/json");
    request.onload = function () {
      var answer = null;
      try { answer = JSON.parse(request.responseText); } catch (ignored) { answer = null; }
      if (request.status === 200 && answer) {
        var screen = screenOf(answer);
        if (!screen) { say(texts.no_counter, "ok"); return; }
        say(texts.paired, "ok");
        window.location.assign(screen);
        return;
      }
      var error = answer && answer.error;
      say(error ? error.messages.id + " \u00b7 " + error.messages.en : String(request.status),
          "error");
    };
    request.onerror = function () { say("\u2013", "error"); };
    request.send(JSON.stringify({
      device: document.getElementById("device").value.trim(),
      password: document.getElementById("password").value
    }));
  });
})();
