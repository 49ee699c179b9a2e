// Draws the counter screen from the console API's answer: the ticket at the counter with
// its timeline and the action buttons on the left, the waiting, parked and no-show lists
// on the right. Pure drawing: the actions come in as `handlers`.
var AntreScreen = (function (ui) {
  "use strict";
  var t = ui.t;
  var el = ui.el;
  var KEYS = ["n", "r", "s", "f", "b", "e", "a", "p", "t", "c", "x", "v", "i", "q", "o", "?"];
  var LABELS = {
    n: "act_call_next", r: "act_recall", s: "act_start", f: "act_finish", b: "act_finish_call",
    e: "act_end_visit",
    a: "act_no_show", p: "act_park", t: "act_transfer", c: "act_call_specific", x: "act_cancel",
    v: "act_reactivate", i: "act_issue", q: "act_close", o: "act_open", "?": "act_help"
  };

  function elapsedMinutes(state) { return (new Date().getTime() - state.fetchedAt) / 60000; }

  function button(key, handlers, grace, extraClass) {
    var node = ui.actionButton(key.toUpperCase(), t(LABELS[key], {minutes: grace}), function () {
      handlers.run(key);
    }, extraClass);
    node.disabled = !handlers.canDo(key);
    return node;
  }

  function serviceName(state, code) {
    var services = state.setup ? state.setup.services : [];
    for (var i = 0; i < services.length; i++) {
      if (services[i].id === code) { return services[i].name[ui.language] || services[i].name.en; }
    }
    return code;
  }

  function priorityMark(priority) {
    return priority ? el("span", {className: "prio", title: t("priority_mark")}, "★ " +
      t("priority_mark")) : "";
  }

  function currentCard(state, handlers) {
    var screen = state.screen;
    var ticket = screen.current;
    var grace = screen.no_show_grace_minutes;
    var body;
    if (!screen.counter.is_open) {
      body = [el("div", {className: "empty-counter closed"}, [
        el("p", {className: "hint"}, t("counter_is_closed")),
        el("p", {className: "hint small"}, t("counter_is_closed_hint"))])];
    } else if (!ticket) {
      body = [el("div", {className: "empty-counter"}, [
        el("p", {className: "hint"}, t("no_ticket")),
        el("p", {className: "hint small"}, t("no_ticket_hint"))])];
    } else {
      var facts = [
        el("span", {className: "badge badge-" + ticket.status}, ui.word("statuses", ticket.status)),
        priorityMark(ticket.priority),
        ticket.priority_category ? el("span", {className: "chip"},
          ui.word("categories", ticket.priority_category)) : ""
      ];
      body = [
        el("div", {className: "big-number", id: "current-label"}, ticket.label),
        el("div", {className: "facts"}, facts),
        el("div", {className: "service-line"}, serviceName(state, ticket.service) + " · " +
          ui.word("stations", ticket.station)),
        el("div", {className: "times"}, [
          ticket.appointment_at ? t("booked_at", {time: ui.clock(ticket.appointment_at)}) :
            t("walk_in"),
          " · ", t("called_at", {time: ui.clock(ticket.called_at)}),
          ticket.started_at ? " · " + t("started_at", {time: ui.clock(ticket.started_at)}) : "",
          ticket.recall_count ? " · " + t("recalled", {count: ticket.recall_count}) : ""
        ]),
        timeline(ticket)
      ];
    }
    var buttons = el("div", {className: "actions"}, [
      button("n", handlers, grace, "primary wide"),
      button("r", handlers, grace), button("s", handlers, grace),
      button("f", handlers, grace, "good"), button("b", handlers, grace, "good"),
      button("e", handlers, grace),
      button("a", handlers, grace, "warn"), button("p", handlers, grace),
      button("t", handlers, grace), button("c", handlers, grace)
    ]);
    var more = el("div", {className: "actions secondary"}, [
      button("i", handlers, grace),
      handlers.passports ? el("button", {type: "button", className: "action", id: "passports-ready",
        onclick: handlers.passports}, t("act_passports")) : null,
      screen.counter.is_open ? button("q", handlers, grace) : button("o", handlers, grace, "primary"),
      el("button", {type: "button", className: "action link", onclick: handlers.change},
        t("change_counter"))
    ]);
    return el("section", {className: "panel current status-" + (ticket ? ticket.status : "none")},
      [el("h2", {}, t("now_at_counter"))].concat(body, [buttons, more]));
  }

  function timeline(ticket) {
    var rows = ticket.timeline.map(function (entry) {
      return el("li", {}, [el("span", {className: "tl-time"}, ui.clock(entry.at)),
        el("span", {className: "tl-what"}, ui.word("actions", entry.action) + " · " + entry.label),
        el("span", {className: "tl-where"}, entry.counter || ui.word("stations", entry.station))]);
    });
    return el("div", {className: "timeline"}, [el("h3", {}, t("timeline")),
      el("ol", {}, rows)]);
  }

  function row(state, handlers, kind, item, cells) {
    var selected = state.selected && state.selected.item.ticket_id === item.ticket_id;
    return el("tr", {className: (selected ? "selected " : "") + (item.priority ? "is-prio" : ""),
      "data-ticket": item.label, onclick: function () { handlers.select({kind: kind, item: item}); }},
      cells.filter(function (cell) { return cell !== null; }).map(function (cell) {
        return el("td", {}, cell);
      }));
  }

  function table(headers, rows, emptyText) {
    if (!rows.length) { return el("p", {className: "empty"}, emptyText); }
    return el("table", {className: "list"}, [
      el("thead", {}, el("tr", {}, headers.filter(function (text) { return text !== null; })
        .map(function (text) { return el("th", {}, text); }))),
      el("tbody", {}, rows)
    ]);
  }

  function waitingPanel(state, handlers) {
    var screen = state.screen;
    var extra = elapsedMinutes(state);
    var manyStations = screen.counter.stations.length > 1;  // else the column says nothing
    var rows = screen.waiting.map(function (item, index) {
      return row(state, handlers, "waiting", item, [
        String(index + 1), el("strong", {className: "num"}, item.label || "?"),
        serviceName(state, item.service),
        manyStations ? ui.word("stations", item.station) : null,
        priorityMark(item.priority), ui.minutes(item.waiting_minutes + extra),
        item.appointment_at ? ui.clock(item.appointment_at) : "–"
      ]);
    });
    var headers = [t("col_order"), t("col_number"), t("col_service"),
      manyStations ? t("col_station") : null, t("col_priority"), t("col_waited"), t("col_slot")];
    return el("section", {className: "panel waiting"}, [
      el("h2", {}, [t("waiting_list"), el("span", {className: "count"},
        t("waiting_count", {count: screen.waiting.length}))]),
      el("div", {className: "scroll", id: "waiting-scroll"}, table(headers, rows,
        t("nobody_waiting")))
    ]);
  }

  function asidePanels(state, handlers) {
    var screen = state.screen;
    var extra = elapsedMinutes(state);
    var parked = screen.parked.map(function (item) {
      return row(state, handlers, "parked", item, [el("strong", {className: "num"}, item.label),
        serviceName(state, item.service), item.note || "–", ui.clock(item.since)]);
    });
    var absent = screen.no_shows.map(function (item) {
      return row(state, handlers, "no_show", item, [el("strong", {className: "num"}, item.label),
        serviceName(state, item.service), ui.clock(item.no_show_at),
        ui.minutes(item.grace_left_minutes - extra)]);
    });
    return el("div", {className: "aside"}, [
      el("section", {className: "panel parked"}, [el("h2", {}, t("parked_list")),
        el("div", {className: "scroll small"}, table([t("col_number"), t("col_service"),
          t("col_note"), t("col_since")], parked, t("none")))]),
      el("section", {className: "panel noshows"}, [el("h2", {}, t("no_shows_list") + " · " +
        t("minutes", {minutes: screen.no_show_grace_minutes})),
        el("div", {className: "scroll small"}, table([t("col_number"), t("col_service"),
          t("col_since"), t("col_grace")], absent, t("none")))])
    ]);
  }

  function selectionBar(state, handlers) {
    var grace = state.screen.no_show_grace_minutes;
    var text = state.selected ? t("selected", {label: state.selected.item.label}) : t("select_hint");
    return el("div", {className: "selection" + (state.selected ? " has-selection" : "")}, [
      el("span", {className: "selection-text"}, text),
      button("c", handlers, grace), button("x", handlers, grace, "danger"),
      button("v", handlers, grace)
    ]);
  }

  // Redraw everything, keeping the lists' scroll positions and the focused field.
  function draw(app, state, handlers) {
    if (!state.screen) { return; }
    var active = document.activeElement && app.contains(document.activeElement) ?
      document.activeElement : null;
    var focused = active ? active.id : "";
    var selection = active ? selectionOf(active) : null;
    var scrolls = {};
    var old = app.querySelectorAll(".scroll");
    for (var i = 0; i < old.length; i++) { scrolls[old[i].parentNode.className] = old[i].scrollTop; }
    var pickup = handlers.pickupPanel ? handlers.pickupPanel() : null;  // at a PICKUP counter
    var layout = el("div", {className: "counter-screen", "data-counter": state.counter}, [
      currentCard(state, handlers),
      el("div", {className: "lists" + (pickup ? " has-pickup" : "")}, [pickup,
        waitingPanel(state, handlers), selectionBar(state, handlers), asidePanels(state, handlers)])
    ]);
    ui.append(ui.clear(app), layout);
    var fresh = app.querySelectorAll(".scroll");
    for (var j = 0; j < fresh.length; j++) {
      var key = fresh[j].parentNode.className;
      if (scrolls[key]) { fresh[j].scrollTop = scrolls[key]; }
    }
    var refocus = focused ? document.getElementById(focused) : null;
    if (refocus && !refocus.disabled) {
      refocus.focus();
      // A redraw while the officer types (or a scanner sends a number) must not move the
      // caret or drop a selection: what is typed next replaces what was selected.
      if (selection && refocus.value === selection.value) {
        refocus.setSelectionRange(selection.start, selection.end, selection.direction);
      }
    }
  }

  // The caret and selection of a text field (null for buttons and checkboxes).
  function selectionOf(field) {
    if (typeof field.value !== "string" || typeof field.setSelectionRange !== "function") {
      return null;
    }
    try {
      if (typeof field.selectionStart !== "number") { return null; }
      return {value: field.value, start: field.selectionStart, end: field.selectionEnd,
        direction: field.selectionDirection || "none"};
    } catch (notText) {  // a type without a selection (checkbox): nothing to keep
      return null;
    }
  }

  return {draw: draw, KEYS: KEYS, LABELS: LABELS};
}(AntreUi));
