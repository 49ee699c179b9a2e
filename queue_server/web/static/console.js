// The officer console: sign in, choose a counter, serve applicants with buttons or keys.
// Redraws after each action and when the office's event stream says that this counter
// or a queue it serves changed; it never polls the server.
(function (ui, session) {
  "use strict";
  var t = ui.t;
  var el = ui.el;
  var API = session.API;
  var DEBOUNCE_MS = 250;
  var TICK_MS = 30000;
  var app = document.getElementById("app");
  var statusLine = document.getElementById("status");
  var overlay = document.getElementById("overlay");
  var live = document.getElementById("live");
  var state = {
    user: null, csrf: null, office: null, setup: null, counter: null, screen: null,
    fetchedAt: 0, selected: null, busy: false, dialog: null,
    refreshTimer: null, afterRefresh: [], generation: 0,
    drawn: 0
  };
  var stream = session.liveStream(live, function () { return officeUrl("/stream"); },
    function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (err) { return; }
      if (data && typeof data.topic === "string" && concerns(data.topic)) { scheduleRefresh(); }
    },
    function () { scheduleRefresh(); });  // whatever changed while the stream was down

  // -- small helpers ------------------------------------------------------------------

  function officeUrl(path) { return API + "/offices/" + encodeURIComponent(state.office) + path; }

  function counterUrl(path) {
    return officeUrl("/counters/" + encodeURIComponent(state.counter) + path);
  }

  // The server's time now: the office PC's own clock may be wrong.
  function serverNow() {
    if (!state.screen) { return new Date().toISOString(); }
    var elapsed = new Date().getTime() - state.fetchedAt;
    return new Date(new Date(state.screen.now).getTime() + elapsed).toISOString();
  }

  function say(text, kind) { session.showStatus(statusLine, text, kind, serverNow()); }

  function counterName() {
    return state.screen ? state.screen.counter.name : state.counter;
  }

  function serviceName(code) {
    return session.serviceName(state.setup ? state.setup.services : [], code);
  }

  function setHash(office, counter) {
    session.setHash("#" + encodeURIComponent(office) + (counter ? "/" + encodeURIComponent(counter) : ""));
  }

  function failed(error) {
    if (error.status === 401) { signedOut(); }
    say(error.message, "error");
  }

  // -- sign in ------------------------------------------------------------------------

  var signIn = session.officerSignIn(app, say, drawWho, function (body) {
    state.user = body.user;
    state.csrf = body.csrf_token;
    drawWho();
  }, function () {
    session.chooseOffice(app, state.user, failed, function (office, counter) {
      useOffice(office, counter || null);
    });
  });

  function signedOut() {
    closeStream();
    state.user = state.csrf = state.screen = state.counter = null;
    closeDialog();
    signIn.showSignIn();
  }

  function drawWho() {
    var who = document.getElementById("who");
    var help = document.getElementById("help-button");
    who.textContent = state.user ? state.user.username : "";
    session.signOutButton(state.user, function () { return state.csrf; }, signedOut);
    document.getElementById("help-label").textContent = t("help");
    help.hidden = !state.user;
    help.onclick = showHelp;
    drawPlace();
  }

  function drawPlace() {
    var place = document.getElementById("place");
    var parts = [];
    if (state.setup) { parts.push(state.setup.office.name); }
    if (state.screen) { parts.push(state.screen.counter.name); }
    place.textContent = parts.join(" · ");
    if (state.setup && state.setup.office.demo) {
      ui.append(place, el("span", {className: "demo"}, "DEMO"));
    }
  }

  // -- office and counter choice ------------------------------------------------------

  function useOffice(office, counter) {
    state.office = office;
    ui.request("GET", officeUrl("/console"), null, null, function (error, body) {
      if (error) { failed(error); return; }
      state.setup = body;
      ui.setOffice(body.office.utc_offset_minutes);
      drawPlace();
      var mine = body.counters.filter(function (item) { return item.code === counter && item.mine; });
      if (mine.length) { openScreen(counter); } else { showCounters(); }
    });
  }

  function showCounters() {
    closeStream();
    state.counter = state.screen = null;
    setHash(state.office, null);
    drawPlace();
    var admin = state.user.role === "admin";
    var cards = state.setup.counters.map(function (counter) {
      var stations = counter.stations.map(function (code) { return ui.word("stations", code); });
      var free = !counter.is_open;
      var label = counter.mine ? t("use_counter") : free ? t("open_and_use") :
        admin ? t("take_over") : t("not_yours");
      var who = counter.mine ? t("opened_by_you") :
        counter.officer ? t("opened_by", {officer: counter.officer}) : "";
      return el("div", {className: "counter-card" + (counter.is_open ? " is-open" : "") +
        (counter.mine ? " is-mine" : ""), "data-counter": counter.code}, [
        el("div", {className: "counter-name"}, counter.name),
        el("div", {className: "counter-stations"}, stations.join(", ")),
        el("div", {className: "counter-state"}, [
          el("span", {className: "badge " + (counter.is_open ? "badge-open" : "badge-closed")},
            counter.is_open ? t("counter_open") : t("counter_closed")), " ", who]),
        el("button", {type: "button", className: counter.mine || free ? "primary" : "",
          disabled: !(counter.mine || free || admin), onclick: function () {
            if (counter.mine) { openScreen(counter.code); return; }
            state.counter = counter.code;
            request("POST", counterUrl("/open"), {}, function () {
              return t("did_open", {counter: counter.name});
            }, function () { openScreen(counter.code); });
          }}, label)
      ]);
    });
    // The drive-thru lane page, offered when the office has a lane (docs/console.md).
    var driveThru = el("a", {id: "drive-thru-link", className: "button", hidden: true,
      href: "/console/drive-thru/?lang=" + ui.language + "#" + encodeURIComponent(state.office)},
      t("act_drive_thru"));
    ui.append(ui.clear(app), el("section", {className: "choice"}, [
      el("h1", {}, t("choose_counter")),
      cards.length ? el("div", {className: "counter-grid"}, cards) : el("p", {}, t("no_counters")),
      el("p", {className: "choice-more"}, [el("button", {type: "button", id: "passports-ready",
        onclick: showPassports}, t("act_passports")), " ", driveThru])
    ]));
    ui.request("GET", officeUrl("/drive-thru/lanes"), null, null, function (error, body) {
      if (!error && body.lanes.length) { driveThru.hidden = false; }
    });
  }

  // -- the counter screen -------------------------------------------------------------

  function openScreen(counter) {
    state.counter = counter;
    state.selected = null;
    setHash(state.office, counter);
    connectStream();
    refresh();
  }

  // Fetch and redraw the counter screen; `then` runs once this refresh, or a newer one, is
  // drawn (or failed). An answer older than the one on screen is dropped, so the stream's
  // refreshes can neither put back a stale list nor let the status line say what an action
  // did before the screen shows it.
  function refresh(then) {
    if (!state.counter) { if (then) { then(); } return; }
    var generation = ++state.generation;
    var counter = state.counter;
    if (then) { state.afterRefresh.push({generation: generation, run: then}); }
    ui.request("GET", counterUrl("/console"), null, null, function (error, body) {
      if (generation <= state.drawn) { return; }  // a newer answer is on screen already
      if (counter !== state.counter) { return; }  // the officer opened another counter
      state.drawn = generation;
      if (error) {
        failed(error);
      } else {
        state.screen = body;
        state.fetchedAt = new Date().getTime();
        keepSelection();
        drawPlace();
        AntreScreen.draw(app, state, handlers);
      }
      var due = state.afterRefresh.filter(function (entry) { return entry.generation <= generation; });
      state.afterRefresh = state.afterRefresh.filter(function (entry) { return entry.generation > generation; });
      due.forEach(function (entry) { entry.run(); });
    });
  }

  function scheduleRefresh() {
    if (state.refreshTimer) { window.clearTimeout(state.refreshTimer); }
    state.refreshTimer = window.setTimeout(function () {
      state.refreshTimer = null;
      refresh();
    }, DEBOUNCE_MS);
  }

  function selectable() {
    var screen = state.screen;
    if (!screen) { return []; }
    var items = [];
    screen.waiting.forEach(function (item) { items.push({kind: "waiting", item: item}); });
    screen.parked.forEach(function (item) { items.push({kind: "parked", item: item}); });
    screen.no_shows.forEach(function (item) { items.push({kind: "no_show", item: item}); });
    return items;
  }

  function keepSelection() {
    if (!state.selected) { return; }
    var found = selectable().filter(function (entry) {
      return entry.item.ticket_id === state.selected.item.ticket_id;
    });
    state.selected = found.length ? found[0] : null;
  }

  function select(entry) {
    state.selected = entry;
    AntreScreen.draw(app, state, handlers);
  }

  function moveSelection(step) {
    var items = selectable();
    if (!items.length) { return; }
    var index = -1;
    for (var i = 0; i < items.length; i++) {
      if (state.selected && items[i].item.ticket_id === state.selected.item.ticket_id) { index = i; }
    }
    index = Math.max(0, Math.min(items.length - 1, index + step));
    select(items[index]);
    var row = document.querySelector("tr.selected");
    if (row && row.scrollIntoView) { row.scrollIntoView(false); }
  }

  // -- actions ------------------------------------------------------------------------

  // POST, then say what it did (or the server's message) and redraw from the server.
  // The status line tells what the action did once the lists are redrawn from the server,
  // so what the officer reads and what the screen shows always agree.
  function request(method, url, body, describe, after) {
    if (state.busy) { return; }
    state.busy = true;
    say(t("working"), "busy");
    ui.request(method, url, body, state.csrf, function (error, answer) {
      if (error && error.status === 401) {
        state.busy = false;
        signedOut();
        say(error.message, "error");
        return;
      }
      var text = error ? error.message + " " + t("refreshed") : describe(answer);
      refresh(function () {
        state.busy = false;
        say(text, error ? "error" : "ok");
        if (after && !error) { after(answer); }
      });
    });
  }

  function act(path, body, describe) {
    request("POST", counterUrl(path), body, describe);
  }

  function current() { return state.screen && state.screen.current; }

  function canDo(key) {
    var screen = state.screen;
    if (!screen) { return key === "?" || key === "i"; }
    var ticket = screen.current;
    var open = screen.counter.is_open;
    var called = ticket && ticket.status === "called";
    var selected = state.selected;
    var rules = {
      n: open && !ticket, r: called, s: called, f: !!ticket, b: open && !!ticket, e: !!ticket,
      a: called,
      p: !!ticket, t: !!ticket, c: open && !ticket, x: !!selected,
      v: !!selected && selected.kind === "no_show", i: true, q: open && !ticket, o: !open, "?": true
    };
    return !!rules[key];
  }

  function nextText(answer) {
    var next = answer.next;
    return {label: answer.ticket.label, next: next ? next.label : "",
      station: next ? ui.word("stations", next.station) : ""};
  }

  var ACTIONS = {
    n: function () {
      act("/call-next", {}, function (answer) {
        return t("did_call", {label: answer.ticket.label, counter: counterName()});
      });
    },
    r: function () {
      act("/recall", {}, function (answer) {
        return t("did_recall", {label: answer.ticket.label, counter: counterName()});
      });
    },
    s: function () {
      act("/start", {}, function (answer) { return t("did_start", {label: answer.ticket.label}); });
    },
    f: function () {
      act("/finish", {end_visit: false}, function (answer) {
        return answer.next ? t("did_finish_next", nextText(answer)) :
          t("did_finish_end", {label: answer.ticket.label});
      });
    },
    b: function () {  // finish and call the next applicant in one request
      act("/finish", {end_visit: false, call_next: true}, function (answer) {
        var called = answer.called;
        if (!called) {
          return (answer.next ? t("did_finish_next", nextText(answer)) :
            t("did_finish_end", {label: answer.ticket.label})) + " " + t("nobody_waiting");
        }
        return t("did_finish_called", {label: answer.ticket.label, called: called.label,
          counter: counterName()});
      });
    },
    e: function () {
      act("/finish", {end_visit: true}, function (answer) {
        return t("did_finish_end", {label: answer.ticket.label});
      });
    },
    a: function () {
      act("/no-show", {}, function (answer) {
        return t("did_no_show", {label: answer.ticket.label,
          minutes: state.screen.no_show_grace_minutes});
      });
    },
    p: function () { AntreDialogs.park(dialogs, current()); },
    t: function () { AntreDialogs.transfer(dialogs, current(), state.setup); },
    c: function () { AntreDialogs.callSpecific(dialogs, state.selected, selectable()); },
    x: function () { AntreDialogs.cancel(dialogs, state.selected); },
    v: function () {
      var label = state.selected.item.label;
      request("POST", officeUrl("/tickets/" + state.selected.item.ticket_id + "/reactivate"), {},
        function () { return t("did_reactivate", {label: label}); });
    },
    i: function () { AntreDialogs.issue(dialogs, state.setup); },
    q: function () { AntreDialogs.closeCounter(dialogs, counterName()); },
    o: function () {
      act("/open", {}, function () { return t("did_open", {counter: counterName()}); });
    },
    "?": function () { showHelp(); }
  };

  function run(key) {
    if (!ACTIONS[key]) { return; }
    if (!canDo(key)) {
      say(t("not_now", {action: t(AntreScreen.LABELS[key] || key, {minutes: grace()})}), "error");
      return;
    }
    ACTIONS[key]();
  }

  function grace() { return state.screen ? state.screen.no_show_grace_minutes : ""; }

  var handlers = {run: run, canDo: canDo, select: select, change: showCounters,
    passports: showPassports, pickupPanel: pickupPanel};

  // -- passports (console-pickup.js) ----------------------------------------------------

  function showPassports() {
    AntrePickup.readyDialog({open: openDialog, close: closeDialog, officeUrl: officeUrl,
      csrf: function () { return state.csrf; }, say: say,
      offset: officeOffset});
  }

  function officeOffset() { return state.setup ? state.setup.office.utc_offset_minutes : 0; }

  // The pickup panel beside the called ticket at a PICKUP counter (null elsewhere). The
  // handover is recorded (.../passports/<no>/handover), then the ticket finishes and the
  // visit ends; a refused handover (not ready, handed over already) finishes nothing.
  function pickupPanel() {
    return AntrePickup.panel(pickupContext()) ||
      AntreNotify.bapPanel({screen: state.screen, open: openDialog, close: closeDialog,  // console-notify.js
        officeUrl: officeUrl, csrf: function () { return state.csrf; }, say: say});
  }

  function pickupContext() {
    return {screen: state.screen, officeUrl: officeUrl, offset: officeOffset(),
      redraw: function () { AntreScreen.draw(app, state, handlers); },
      handOver: function (number, label, proxy) {
        if (state.busy) { return; }
        state.busy = true;
        say(t("working"), "busy");
        ui.request("POST", officeUrl("/passports/" + encodeURIComponent(number) + "/handover"),
          {proxy: proxy}, state.csrf, function (error) {
            state.busy = false;
            if (error) {
              if (error.status === 401) { signedOut(); }
              say(error.message, "error");
              return;
            }
            act("/finish", {end_visit: true}, function () {
              return t("did_handover", {number: number, label: label});
            });
          });
      }};
  }

  // What the dialogs call back: each confirms one action.
  var dialogs = {
    open: openDialog,
    close: closeDialog,
    park: function (note) {
      var label = current().label;
      act("/park", {note: note || null}, function () {
        return note ? t("did_park_note", {label: label, note: note}) : t("did_park", {label: label});
      });
    },
    transfer: function (target) {
      act("/transfer", target, function (answer) { return t("did_transfer", nextText(answer)); });
    },
    callSpecific: function (ticketId) {
      act("/call", {ticket_id: ticketId}, function (answer) {
        return t("did_call", {label: answer.ticket.label, counter: counterName()});
      });
    },
    cancel: function (entry) {
      request("POST", officeUrl("/tickets/" + entry.item.ticket_id + "/cancel"), {},
        function () { return t("did_cancel", {label: entry.item.label}); });
    },
    closeCounter: function () {
      var name = counterName();
      request("POST", counterUrl("/close"), {}, function () {
        return t("did_close", {counter: name});
      });
    },
    issue: function (body, done) {
      ui.request("POST", officeUrl("/tickets"), body, state.csrf, function (error, answer) {
        if (error) { say(error.message, "error"); done(error, null); return; }
        say(t("did_issue", {label: answer.label, service: serviceName(answer.service)}), "ok");
        done(null, answer);
        refresh();
      });
    },
    serviceName: serviceName,
    setup: function () { return state.setup; },
    say: say
  };

  // -- dialogs and help ---------------------------------------------------------------

  function openDialog(node) {
    state.dialog = node;
    ui.append(ui.clear(overlay), node);
    overlay.hidden = false;
    var first = node.querySelector("[autofocus]") || node.querySelector("input, select") ||
      node.querySelector("#dialog-confirm") || node.querySelector("button");
    if (first) { first.focus(); }
  }

  function closeDialog() {
    state.dialog = null;
    ui.clear(overlay);
    overlay.hidden = true;
  }

  function showHelp() {
    var rows = AntreScreen.KEYS.map(function (key) {
      return el("tr", {}, [el("td", {}, el("kbd", {}, key.toUpperCase())),
        el("td", {}, t(AntreScreen.LABELS[key], {minutes: grace()}))]);
    });
    rows.push(el("tr", {}, [el("td", {}, [el("kbd", {}, "↑"), " ", el("kbd", {}, "↓")]),
      el("td", {}, t("act_select"))]));
    rows.push(el("tr", {}, [el("td", {}, el("kbd", {}, "Esc")), el("td", {}, t("act_escape"))]));
    openDialog(el("div", {className: "dialog help", role: "dialog"}, [
      el("h2", {}, t("help_title")),
      el("table", {className: "keys"}, [el("thead", {}, el("tr", {}, [
        el("th", {}, t("help_key")), el("th", {}, t("help_action"))])), el("tbody", {}, rows)]),
      el("div", {className: "dialog-buttons"}, el("button", {type: "button", className: "primary",
        autofocus: true, onclick: closeDialog}, t("cancel")))
    ]));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || !state.user) { return; }
    var key = event.key || "";
    if (key === "Escape" || key === "Esc") {
      if (state.dialog) { event.preventDefault(); closeDialog(); }
      return;
    }
    if (state.dialog) { return; }  // the dialog's own fields and buttons take the keys
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select") { return; }
    if (key === "ArrowDown" || key === "Down") { event.preventDefault(); moveSelection(1); return; }
    if (key === "ArrowUp" || key === "Up") { event.preventDefault(); moveSelection(-1); return; }
    var lower = key.length === 1 ? key.toLowerCase() : "";
    if (ACTIONS[lower] && (state.screen || lower === "?")) {
      event.preventDefault();
      run(lower);
    }
  });

  // -- live updates -------------------------------------------------------------------

  function servedQueues() {
    var stations = state.screen ? state.screen.counter.stations : [];
    var topics = {};
    (state.setup ? state.setup.services : []).forEach(function (service) {
      service.steps.forEach(function (step) {
        if (stations.indexOf(step.station) >= 0 ||
            (step.station === "BIO" && stations.indexOf("BIO_PRIORITY") >= 0)) {
          topics["queue/" + service.id + "/state"] = true;
        }
      });
    });
    return topics;
  }

  function concerns(topic) {
    if (topic === "counter/" + state.counter + "/state") { return true; }
    if (topic.indexOf("queue/") !== 0) { return false; }
    return !state.screen || !!servedQueues()[topic];
  }

  function connectStream() { stream.connect(); }

  function closeStream() { stream.close(); }

  // Waited minutes and grace periods move on between updates: redraw them locally.
  window.setInterval(function () {
    if (state.screen && !state.dialog) { AntreScreen.draw(app, state, handlers); }
  }, TICK_MS);

  signIn.start();
}(AntreUi, AntreSession));
