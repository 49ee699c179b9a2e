// Timing probes for bench/click_to_screen.py, added to the pages with add_init_script
// (they run before the page's own scripts; nothing here is served by the application).
// Every time is in epoch milliseconds read as performance.timeOrigin + performance.now(),
// so times taken in different pages of one machine can be subtracted.
(function () {
  "use strict";
  var probe = { keys: [], requests: [], status: [], arrivals: [], shown: [], frames: [], skew: [] };
  window.__p2 = probe;
  function now() { return performance.timeOrigin + performance.now(); }
  function at(highRes) { return performance.timeOrigin + highRes; }
  // How far this page's high-resolution clock is from the system clock (Date.now(), whole
  // milliseconds): it drifts by milliseconds a minute, so the script corrects every time
  // with the samples around it before comparing pages with each other and with Python.
  function sampleSkew() { var at = now(); probe.skew.push({ at: at, skew: at - Date.now() }); }
  sampleSkew();
  setInterval(sampleSkew, 1000);

  // Console: the officer's key, the call-next request's timing, the status line's update.
  document.addEventListener("keydown", function (event) {
    if (event.key === "n") { probe.keys.push(at(event.timeStamp)); }
  }, true);
  if (window.PerformanceObserver) {
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (entry) {
        if (entry.name.indexOf("/call-next") < 0) { return; }
        probe.requests.push({ start: at(entry.startTime), sent: at(entry.requestStart),
          first_byte: at(entry.responseStart), end: at(entry.responseEnd) });
      });
    }).observe({ type: "resource", buffered: true });
  }

  // Board: the push stream's call messages as they arrive (before the page's own listener).
  var Original = window.EventSource;
  if (Original) {
    var Probed = function (url, options) {
      var source = new Original(url, options);
      source.addEventListener("state", function (event) {
        var arrived = now();
        var data;
        try { data = JSON.parse(event.data); } catch (error) { return; }
        if (!data || data.topic !== "event/called" || data.retained) { return; }
        var message = data.message;
        probe.arrivals.push({ label: message.ticket, id: message.id, seq: message.seq,
          ts: Date.parse(String(message.ts).replace(/(\.\d{3})\d+/, "$1")), at: arrived });
      });
      return source;
    };
    Probed.prototype = Original.prototype;
    Probed.CONNECTING = 0;
    Probed.OPEN = 1;
    Probed.CLOSED = 2;
    window.EventSource = Probed;
  }

  function watch() {
    var number = document.getElementById("number");
    if (number) {  // the board's called number: when its text changes, and the next frame
      new MutationObserver(function () {
        var text = number.textContent;
        probe.shown.push({ label: text, at: now() });
        requestAnimationFrame(function () { probe.frames.push({ label: text, at: now() }); });
      }).observe(number, { childList: true, characterData: true, subtree: true });
    }
    var status = document.getElementById("status");
    if (status) {  // the console's status line ("Called B-012 to CS 1")
      new MutationObserver(function () {
        probe.status.push({ text: status.textContent, at: now() });
      }).observe(status, { childList: true, characterData: true, subtree: true });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
