// The counter display: the counter's name, its current number and status, big; and, right
// after the officer finished a step that asks for one, the question "How was our
// service?" with four faces, answered once by a touch and gone when its time is up.
(function (global) {
  "use strict";
  var S = global.AntreScreens;
  var MESSAGE_MS = 4000;
  //: Face colours, from very dissatisfied (1) to very satisfied (4).
  var COLOURS = ["#d64545", "#f08c2e", "#7cc46b", "#2f9e5b"];
  //: Mouth curve per score: negative frowns, positive smiles.
  var CURVES = [-14, -6, 8, 16];
  var SVG = "http://www.w3.org/2000/svg";

  function face(score) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 100 100");
    svg.setAttribute("aria-hidden", "true");
    var head = document.createElementNS(SVG, "circle");
    head.setAttribute("cx", "50"); head.setAttribute("cy", "50"); head.setAttribute("r", "46");
    head.setAttribute("fill", COLOURS[score - 1]);
    svg.appendChild(head);
    [35, 65].forEach(function (x) {
      var eye = document.createElementNS(SVG, "circle");
      eye.setAttribute("cx", String(x)); eye.setAttribute("cy", "38"); eye.setAttribute("r", "6");
      eye.setAttribute("fill", "#1b1b1b");
      svg.appendChild(eye);
    });
    var mouth = document.createElementNS(SVG, "path");
    var y = 68 - CURVES[score - 1] / 2;
    mouth.setAttribute("d", "M28 " + y + " Q50 " + (y + CURVES[score - 1] * 1.6) + " 72 " + y);
    mouth.setAttribute("stroke", "#1b1b1b"); mouth.setAttribute("stroke-width", "7");
    mouth.setAttribute("fill", "none"); mouth.setAttribute("stroke-linecap", "round");
    svg.appendChild(mouth);
    return svg;
  }

  function CounterScreen(config, texts) {
    this.config = config;
    this.texts = texts;
    this.filter = new S.StreamFilter();
    this.topic = "counter/" + config.counter + "/state";
    this.skewMs = config.server_now_ms ? config.server_now_ms - Date.now() : 0;
    this.language = "id";
    this.prompt = null;       // the question shown now: {ticket_label, until}
    this.done = {};           // ticket labels answered (or refused) on this screen
    this.hideTimer = null;
    this.sending = false;
  }

  CounterScreen.prototype.now = function () { return Date.now() + this.skewMs; };

  // Take a message of the stream; only this counter's state matters here.
  CounterScreen.prototype.accept = function (topic, message) {
    if (topic !== this.topic || !this.filter.accept(topic, message)) { return false; }
    this.drawCounter(message);
    var prompt = this.config.can_rate ? message.rating : null;  // a screen that may answer
    if (prompt && !this.done[prompt.ticket_label] && S.parseTime(prompt.until) > this.now()) {
      if (!this.prompt || this.prompt.ticket_label !== prompt.ticket_label) {
        this.ask(prompt);
      }
    } else if (this.prompt && !this.sending && !(prompt &&
               prompt.ticket_label === this.prompt.ticket_label)) {
      this.hide();  // answered elsewhere, or the next applicant was called
    }
    return true;
  };

  CounterScreen.prototype.drawCounter = function (state) {
    S.setText(document.getElementById("counter-name"), state.name);
    var status = document.getElementById("status");
    var word = !state.is_open ? "closed" : state.ticket_status || "open";
    S.setText(document.getElementById("number"), state.ticket_label || "\u2013");
    S.setText(status, this.texts[word]);
    status.className = "status status-" + word;
    document.body.setAttribute("data-status", word);
  };

  CounterScreen.prototype.ask = function (prompt) {
    var screen = this;
    this.prompt = prompt;
    this.language = "id";
    this.drawRating();
    document.getElementById("rating").hidden = false;
    document.body.classList.add("asking");
    global.clearTimeout(this.hideTimer);
    var left = S.parseTime(prompt.until) - this.now();
    var bar = document.getElementById("rating-left");
    bar.style.transition = "none";
    bar.style.width = "100%";
    void bar.offsetWidth;
    bar.style.transition = "width " + Math.max(0, left) / 1000 + "s linear";
    bar.style.width = "0%";
    this.hideTimer = global.setTimeout(function () {
      if (!screen.sending) { screen.hide(); }
    }, Math.max(0, left));
  };

  CounterScreen.prototype.drawRating = function () {
    var screen = this;
    var words = this.texts.rating[this.language];
    S.setText(document.getElementById("rating-question"), words.question);
    S.setText(document.getElementById("rating-ticket"),
              S.fill(words.ticket, { label: this.prompt.ticket_label }));
    S.setText(document.getElementById("rating-note"), words.hint);
    var faces = document.getElementById("faces");
    faces.textContent = "";
    words.scores.forEach(function (word, index) {
      var button = S.element("button", "face face-" + (index + 1));
      button.type = "button";
      button.setAttribute("data-score", String(index + 1));
      button.appendChild(face(index + 1));
      button.appendChild(S.element("span", "face-word", word));
      button.addEventListener("click", function () { screen.answer(index + 1); });
      faces.appendChild(button);
    });
    var languages = document.getElementById("languages");
    languages.textContent = "";
    ["id", "en"].forEach(function (code) {
      var button = S.element("button", code === screen.language ? "language chosen" : "language",
                             screen.texts.language_names[code]);
      button.type = "button";
      button.setAttribute("lang", code);
      button.addEventListener("click", function () {
        screen.language = code;
        screen.drawRating();
      });
      languages.appendChild(button);
    });
    document.getElementById("rating").setAttribute("lang", this.language);
  };

  CounterScreen.prototype.answer = function (score) {
    if (!this.prompt || this.sending) { return; }
    var screen = this;
    var label = this.prompt.ticket_label;
    var words = this.texts.rating[this.language];
    this.sending = true;
    S.setText(document.getElementById("rating-note"), words.sending);
    var request = new XMLHttpRequest();
    request.open("POST", this.config.rating_url);
    request.setRequestHeader("Content-Type", "application/json");
    request.setRequestHeader("Accept-Language", this.language);
    if (this.config.csrf) { request.setRequestHeader("X-CSRF-Token", this.config.csrf); }
    request.onload = function () {
      screen.sending = false;
      if (request.status === 200) {
        screen.finish(label, words.thanks, "thanks");
        return;
      }
      var message = words.failed;
      try {
        var error = JSON.parse(request.responseText).error;
        message = error.messages[screen.language] || error.message;
      } catch (ignored) { /* keep the generic words */ }
      if (request.status === 409 || request.status === 404) {
        screen.finish(label, message, "refused");  // asking is over: say why, then go
      } else {
        S.setText(document.getElementById("rating-note"), message);
      }
    };
    request.onerror = function () {
      screen.sending = false;
      S.setText(document.getElementById("rating-note"), words.failed);
    };
    request.send(JSON.stringify({ ticket: label, score: score }));
  };

  CounterScreen.prototype.finish = function (label, message, kind) {
    var screen = this;
    this.done[label] = true;
    document.getElementById("faces").textContent = "";
    var note = document.getElementById("rating-note");
    S.setText(note, message);
    note.className = "rating-note " + kind;
    global.clearTimeout(this.hideTimer);
    this.hideTimer = global.setTimeout(function () { screen.hide(); }, MESSAGE_MS);
  };

  CounterScreen.prototype.hide = function () {
    global.clearTimeout(this.hideTimer);
    if (this.prompt) { this.done[this.prompt.ticket_label] = true; }
    this.prompt = null;
    document.getElementById("rating").hidden = true;
    document.getElementById("rating-note").className = "rating-note";
    document.body.classList.remove("asking");
  };

  CounterScreen.prototype.connected = function (isUp) {
    document.getElementById("lost").hidden = isUp;
    if (isUp) { document.body.classList.remove("offline"); }
    else { document.body.classList.add("offline"); }
  };

  CounterScreen.prototype.tick = function () {
    S.setText(document.getElementById("clock"), S.clockText(this.now(), this.config.timezone));
  };

  function start() {
    var screen = new CounterScreen(S.readJson("config"), S.readJson("texts"));
    screen.tick();
    global.setInterval(function () { screen.tick(); }, 1000);
    S.connect(screen.config.stream, {
      message: function (topic, message) { screen.accept(topic, message); },
      status: function (isUp) { screen.connected(isUp); }
    });
    global.AntreCounter = screen;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(window);
