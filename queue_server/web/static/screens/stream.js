// Shared by the lobby board and the counter display: the office's push stream, the
// per-topic "drop a not-newer seq" rule, the "announce a call id once" rule, the office
// clock and a few helpers. Plain ES5: smart-TV and old office browsers run it as it is.
(function (global) {
  "use strict";

  //: UTC offsets of Indonesia's time zones, in minutes (no daylight saving time).
  var ZONES = { "Asia/Jakarta": 420, "Asia/Pontianak": 420, "Asia/Makassar": 480,
                "Asia/Jayapura": 540 };
  var SEEN_CALLS = 4096;
  var LOST_AFTER_MS = 2000;

  function StreamFilter() {
    this.lastSeq = {};
    this.seen = {};
    this.seenOrder = [];
  }

  // True when `message` on `topic` is new: its seq is above the last one accepted on
  // that topic and, for a call, its id was not seen before (an at-least-once repeat).
  StreamFilter.prototype.accept = function (topic, message) {
    if (!message || typeof message.seq !== "number") { return false; }
    if (message.seq <= (this.lastSeq[topic] || 0)) { return false; }
    if (topic === "event/called") {
      if (typeof message.id !== "number" || this.seen[message.id]) { return false; }
      this.seen[message.id] = true;
      this.seenOrder.push(message.id);
      if (this.seenOrder.length > SEEN_CALLS) { delete this.seen[this.seenOrder.shift()]; }
    }
    this.lastSeq[topic] = message.seq;
    return true;
  };

  // Follow the stream at `url`: handlers.message(topic, message, retained) for every
  // `state` event, handlers.status(connected) when it is up (after the snapshot) or has
  // been down for 2 s.
  // The browser reconnects by itself; a refused stream is tried again every 5 s.
  function connect(url, handlers) {
    var source = null;
    var lostTimer = null;
    // A reconnect that succeeds within LOST_AFTER_MS does not flash the "lost" mark.
    function up() {
      global.clearTimeout(lostTimer);
      lostTimer = null;
      handlers.status(true);
    }
    function down() {
      if (lostTimer === null) {
        lostTimer = global.setTimeout(function () { handlers.status(false); }, LOST_AFTER_MS);
      }
    }
    function open() {
      source = new global.EventSource(url);
      source.addEventListener("state", function (event) {
        var data;
        try { data = JSON.parse(event.data); } catch (error) { return; }
        if (!data || typeof data.topic !== "string" || !data.message) { return; }
        handlers.message(data.topic, data.message, data.retained === true);
      });
      source.addEventListener("ready", up);
      source.onerror = function () {
        down();
        if (source.readyState === 2) {
          source.close();
          global.setTimeout(open, 5000);
        }
      };
    }
    if (global.EventSource) { open(); } else { handlers.status(false); }
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  function fill(template, params) {
    var text = String(template);
    for (var name in params) {
      if (Object.prototype.hasOwnProperty.call(params, name)) {
        text = text.split("{" + name + "}").join(String(params[name]));
      }
    }
    return text;
  }

  // `HH:MM` in the office's zone; `skewMs` corrects a TV whose own clock is wrong.
  function clockText(nowMs, timezone) {
    var offset = ZONES.hasOwnProperty(timezone) ? ZONES[timezone] : 420;
    var local = new Date(nowMs + offset * 60000);
    return ("0" + local.getUTCHours()).slice(-2) + ":" + ("0" + local.getUTCMinutes()).slice(-2);
  }

  // Milliseconds of an ISO 8601 time; more than 3 decimals (the server sends microseconds)
  // are cut first, as some older browsers cannot read them.
  function parseTime(text) {
    return Date.parse(String(text).replace(/(\.\d{3})\d+/, "$1"));
  }

  function setText(node, text) {
    if (node && node.textContent !== text) { node.textContent = text; }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // Restart a CSS animation class on `node` (a new call flashes even if one just did).
  function flash(node, className, ms) {
    if (!node) { return; }
    node.classList.remove(className);
    void node.offsetWidth;
    node.classList.add(className);
    global.setTimeout(function () { node.classList.remove(className); }, ms);
  }

  global.AntreScreens = {
    StreamFilter: StreamFilter,
    connect: connect,
    readJson: readJson,
    fill: fill,
    clockText: clockText,
    parseTime: parseTime,
    setText: setText,
    element: element,
    flash: flash
  };
})(window);
