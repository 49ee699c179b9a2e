// The lobby board: what the Kivy board shows (displays/board/model.py), drawn in a browser
// from the office's push stream. The model keeps the last message of each topic and the
// calls heard, newest first; the view redraws from it.
(function (global) {
  "use strict";
  var S = global.AntreScreens;
  var FLASH_MS = 6000;

  function BoardModel(recentLimit) {
    this.filter = new S.StreamFilter();
    this.recentLimit = recentLimit || 6;
    this.board = null;
    this.config = null;
    this.queues = {};
    this.calls = [];
  }

  // Take a message; false when it was dropped (not newer, or a call already heard).
  BoardModel.prototype.accept = function (topic, message) {
    if (!this.filter.accept(topic, message)) { return false; }
    if (topic === "board") {
      this.board = message;
    } else if (topic === "config/display") {
      this.config = message;
    } else if (topic.indexOf("queue/") === 0) {
      this.queues[message.service] = message;
    } else if (topic === "event/called") {
      this.calls.push(message);
      this.calls.sort(function (a, b) { return b.seq - a.seq; });
      this.calls.length = Math.min(this.calls.length, this.recentLimit);
    }
    return true;
  };

  BoardModel.prototype.serving = function () {
    if (!this.board) { return []; }
    return this.board.serving.filter(function (counter) { return !!counter.ticket_label; });
  };

  // The ticket and counter shown largest: the newest call heard, else (right after the
  // page opened: calls are not retained) the counter whose ticket was called last.
  BoardModel.prototype.headline = function () {
    if (this.calls.length) {
      return { ticket: this.calls[0].ticket, counter: this.calls[0].counter_name,
               id: this.calls[0].id };
    }
    var latest = null;
    this.serving().forEach(function (counter) {
      if (counter.since && (!latest || S.parseTime(counter.since) > S.parseTime(latest.since))) {
        latest = counter;
      }
    });
    return latest ? { ticket: latest.ticket_label, counter: latest.name, id: null } : null;
  };

  BoardModel.prototype.services = function () {
    var queues = this.queues;
    var order = this.config ? this.config.services.map(function (s) { return s.id; }) : [];
    var known = order.filter(function (id) { return queues.hasOwnProperty(id); });
    var rest = Object.keys(queues).filter(function (id) { return order.indexOf(id) < 0; });
    rest.sort();
    return known.concat(rest).map(function (id) { return queues[id]; });
  };

  function BoardView(model, config, texts) {
    this.model = model;
    this.config = config;
    this.texts = texts;
    this.lastHeadline = null;
    this.skewMs = config.server_now_ms ? config.server_now_ms - Date.now() : 0;
  }

  BoardView.prototype.bilingual = function (key, params) {
    var template = this.texts.templates[key];
    var id = S.fill(template.id, params);
    var en = S.fill(template.en, params);
    return id === en ? id : id + this.texts.separator + en;
  };

  BoardView.prototype.estimate = function (queue) {
    if (!queue.open_now) { return this.texts.closed; }
    if (queue.estimated_wait_minutes === null) { return this.texts.no_counter_open; }
    var minutes = Math.max(0, Math.round(queue.estimated_wait_minutes));
    return minutes === 0 ? this.texts.no_wait : this.bilingual("about", { minutes: minutes });
  };

  BoardView.prototype.draw = function (newCall) {
    var model = this.model;
    if (model.config) { S.setText(document.getElementById("office"), model.config.office.name); }
    var headline = model.headline();
    var number = document.getElementById("number");
    S.setText(number, headline ? headline.ticket : "\u2013");
    S.setText(document.getElementById("counter"), headline ? headline.counter : this.texts.no_call_yet);
    this.drawServing();
    this.drawRecent(newCall);
    this.drawServices();
    if (newCall) {
      S.flash(number, "flash", FLASH_MS);
      S.flash(document.getElementById("counter"), "flash", FLASH_MS);
    }
  };

  BoardView.prototype.drawServing = function () {
    var list = document.getElementById("serving");
    var items = this.model.serving();
    list.textContent = "";
    items.forEach(function (counter) {
      var item = S.element("li", "serving-item " + (counter.ticket_status || ""));
      item.appendChild(S.element("span", "ticket", counter.ticket_label));
      item.appendChild(S.element("span", "where", counter.name));
      list.appendChild(item);
    });
  };

  BoardView.prototype.drawRecent = function (newCall) {
    var list = document.getElementById("recent");
    var texts = this.texts;
    list.textContent = "";
    this.model.calls.forEach(function (call, index) {
      var item = S.element("li", index === 0 ? "call newest" : "call");
      item.setAttribute("data-call", String(call.id));
      item.appendChild(S.element("span", "ticket", call.ticket));
      if (call.recall) { item.appendChild(S.element("span", "recall", texts.recall)); }
      item.appendChild(S.element("span", "where", call.counter_name));
      list.appendChild(item);
      if (index === 0 && newCall) { S.flash(item, "flash", FLASH_MS); }
    });
    for (var empty = this.model.calls.length; empty < this.model.recentLimit; empty++) {
      list.appendChild(S.element("li", "call empty"));  // rows keep their size
    }
  };

  BoardView.prototype.drawServices = function () {
    var list = document.getElementById("services");
    var view = this;
    var queues = this.model.services();
    list.textContent = "";
    // More than 8 services (a real office has 12): 6 a row instead of 4, so the waiting
    // lists take two rows and leave the called number and the last calls their room.
    if (queues.length > 8) { document.body.classList.add("many"); }
    else { document.body.classList.remove("many"); }
    queues.forEach(function (queue) {
      var item = S.element("li", "service");
      item.setAttribute("data-service", queue.service);
      item.appendChild(S.element("span", "service-name", queue.name.id));
      if (queue.name.en !== queue.name.id) {
        item.appendChild(S.element("span", "service-name-en", queue.name.en));
      }
      item.appendChild(S.element("span", "waiting", view.bilingual("waiting",
        { count: queue.waiting })));
      item.appendChild(S.element("span", "estimate", view.estimate(queue)));
      list.appendChild(item);
    });
  };

  BoardView.prototype.connected = function (isUp) {
    document.getElementById("lost").hidden = isUp;
    if (isUp) { document.body.classList.remove("offline"); }
    else { document.body.classList.add("offline"); }
  };

  BoardView.prototype.tick = function () {
    var zone = this.model.config ? this.model.config.office.timezone : this.config.timezone;
    S.setText(document.getElementById("clock"), S.clockText(Date.now() + this.skewMs, zone));
  };

  function start() {
    var config = S.readJson("config");
    var texts = S.readJson("texts");
    var model = new BoardModel(config.recent_calls);
    var view = new BoardView(model, config, texts);
    var ticker = document.querySelector("#ticker span");
    if (ticker) {  // about 8 characters a second, whatever the text's length
      ticker.style.animationDuration = Math.max(20, ticker.textContent.length / 8) + "s";
    }
    view.tick();
    global.setInterval(function () { view.tick(); }, 1000);
    S.connect(config.stream, {
      message: function (topic, message, retained) {
        if (model.accept(topic, message)) {
          view.draw(topic === "event/called" && !retained);
        }
      },
      status: function (isUp) { view.connected(isUp); }
    });
    global.AntreBoard = { model: model, view: view };
  }

  S.BoardModel = BoardModel;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(window);
