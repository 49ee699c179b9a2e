// The drive-thru lane page (Si Peluru): sign in, choose the lane, then a USB scanner (a
// keyboard wedge: it types the QR's text and Enter) or the officer's keys put cars in the
// lane; the lane's cars are listed in arrival order, fetched again whenever the office's
// event stream says the lane changed (lane/<lane>/state: a car scanned anywhere, handed
// over or sent in on another PC) and, as a safety net, every POLL_MS; select a car, tick
// the identity checklist, hand over, or send it to the counter inside. Plain ES5, loaded
// after console-ui.js and console-session.js.
(function (ui, session) {
  "use strict";
  var t = ui.t;
  var el = ui.el;
  var API = session.API;
  var POLL_MS = 30000;  // only a safety net: the stream brings each change
  var REASONS = ["identity", "proxy_letter", "documents", "other"];
  var app = document.getElementById("app");
  var statusLine = document.getElementById("status");
  var stream = session.liveStream(document.getElementById("live"),
    function () { return officeUrl("/stream"); }, laneChanged,
    function () { refresh(); });  // whatever changed while the stream was down
  var state = {user: null, csrf: null, office: null, officeName: "", demo: false, lanes: [],
    lane: null, cars: [], now: null, fetchedAt: 0, selected: null, checks: fresh(),
    busy: false, timer: null, generation: 0, seq: 0};
  var parts = {};  // the lane screen's nodes, built once per lane

  function fresh() { return {ktp: false, receipt: false, proxy: false, letter: false}; }

  function officeUrl(path) { return API + "/offices/" + encodeURIComponent(state.office) + path; }

  function laneUrl(path) {
    return officeUrl("/drive-thru/lanes/" + encodeURIComponent(state.lane.id) + path);
  }

  function say(text, kind) { session.showStatus(statusLine, text, kind, serverNow()); }

  function serverNow() {
    if (!state.now) { return new Date().toISOString(); }
    return new Date(new Date(state.now).getTime() + (new Date().getTime() - state.fetchedAt))
      .toISOString();
  }

  function failed(error) {
    if (error.status === 401) { signedOut(); }
    say(error.message, "error");
  }

  // -- sign in, office, lane ------------------------------------------------------------

  var signIn = session.officerSignIn(app, say, drawWho, function (body) {
    state.user = body.user;
    state.csrf = body.csrf_token;
    drawWho();
  }, function () {
    session.chooseOffice(app, state.user, failed, function (office, lane) {
      useOffice(office, lane || null);
    });
  });

  function signedOut() {
    stopFollowing();
    state.user = state.csrf = state.lane = null;
    signIn.showSignIn();
  }

  function drawWho() {
    document.getElementById("who").textContent = state.user ? state.user.username : "";
    session.signOutButton(state.user, function () { return state.csrf; }, signedOut);
    var place = document.getElementById("place");
    place.textContent = [state.officeName, state.lane ? state.lane.name : ""]
      .filter(function (part) { return part; }).join(" · ");
    if (state.demo) { ui.append(place, el("span", {className: "demo"}, "DEMO")); }
  }

  function useOffice(office, lane) {
    state.office = office;
    ui.request("GET", officeUrl("/console"), null, null, function (error, setup) {
      if (error) { failed(error); return; }
      ui.setOffice(setup.office.utc_offset_minutes);
      state.officeName = setup.office.name;
      state.demo = !!setup.office.demo;
      ui.request("GET", officeUrl("/drive-thru/lanes"), null, null, function (laneError, body) {
        if (laneError) { failed(laneError); return; }
        state.lanes = body.lanes;
        var known = body.lanes.filter(function (item) { return item.id === lane; });
        if (known.length || body.lanes.length === 1) { openLane(known[0] || body.lanes[0]); } else { showLanes(); }
      });
    });
  }

  function showLanes() {
    stopFollowing();
    state.lane = null;
    session.setHash("#" + encodeURIComponent(state.office));
    drawWho();
    var body = state.lanes.length ? el("div", {className: "counter-grid"},
      state.lanes.map(function (lane) {
        return el("button", {type: "button", className: "counter-card", "data-lane": lane.id,
          onclick: function () { openLane(lane); }}, el("span", {className: "counter-name"}, lane.name));
      })) : el("p", {id: "dt-no-lanes"}, t("dt_no_lanes"));
    ui.append(ui.clear(app), el("section", {className: "choice"}, [
      el("h1", {}, t("dt_choose_lane")), body,
      el("p", {className: "choice-more"}, el("a", {href: "/console/?lang=" + ui.language +
        "#" + encodeURIComponent(state.office)}, t("dt_console")))]));
  }

  // -- the lane screen ------------------------------------------------------------------

  function openLane(lane) {
    state.lane = lane;
    state.cars = [];
    state.selected = null;
    state.checks = fresh();
    session.setHash("#" + encodeURIComponent(state.office) + "/" + encodeURIComponent(lane.id));
    drawWho();
    build();
    refresh();
    follow();
  }

  function build() {
    parts.scan = el("input", {id: "dt-scan", autocomplete: "off", spellcheck: "false",
      maxlength: "40", autofocus: true});
    parts.answer = el("p", {id: "dt-answer", className: "dt-answer", role: "status"});
    parts.list = el("ol", {id: "dt-cars", className: "dt-cars"});
    parts.count = el("span", {className: "count", id: "dt-count"});
    parts.car = el("section", {className: "panel dt-car", id: "dt-car"});
    var form = el("form", {className: "dt-scan", onsubmit: function (event) {
      event.preventDefault();
      scan();
    }}, [el("label", {"for": "dt-scan"}, t("dt_scan_label")),
      el("div", {className: "dt-scan-row"}, [parts.scan,
        el("button", {type: "submit", className: "primary", id: "dt-add"}, t("dt_scan_button"))]),
      parts.answer]);
    var change = el("button", {type: "button", id: "dt-change-lane", onclick: showLanes},
      t("dt_change_lane"));
    ui.append(ui.clear(app), el("div", {className: "dt-screen"}, [
      el("section", {className: "panel dt-lane"}, [form,
        el("h2", {}, [t("dt_cars"), parts.count]), parts.list,
        el("p", {className: "hint small"}, [t("dt_live"), " ",
          state.lanes.length > 1 ? change : null])]),
      parts.car]));
    drawCars();
    parts.scan.focus();
  }

  function scan() {
    var text = parts.scan.value.replace(/^\s+|\s+$/g, "");
    parts.scan.value = "";
    if (!text) { answer(t("dt_scan_empty"), "error"); return; }
    ui.request("POST", laneUrl("/arrivals"), {scan: text}, state.csrf, function (error, body) {
      if (error) {
        if (error.status === 401) { failed(error); return; }
        answer(error.message, "error");
        return;
      }
      answer(body.message[ui.language] || body.message.en,
        body.result === "already_waiting" ? "already" : "ok");
      refresh();
    });
    parts.scan.focus();
  }

  function answer(text, kind) {
    parts.answer.textContent = text;
    parts.answer.className = "dt-answer dt-answer-" + kind;
    parts.answer.setAttribute("data-kind", kind);
    say(text, kind === "error" ? "error" : "ok");
  }

  function refresh() {
    if (!state.lane) { return; }
    var mine = ++state.generation;
    ui.request("GET", laneUrl("/arrivals"), null, null, function (error, body) {
      if (mine !== state.generation || !state.lane) { return; }
      if (error) { failed(error); return; }
      state.cars = body.cars;
      state.now = body.now;
      state.fetchedAt = new Date().getTime();
      if (state.selected !== null && !carById(state.selected)) {
        state.selected = null;
        state.checks = fresh();
      }
      drawCars();
    });
  }

  // The event stream (the #live mark says when it is lost) and the slow safety poll.
  function follow() {
    stopFollowing();
    state.seq = 0;
    stream.connect();
    state.timer = window.setInterval(refresh, POLL_MS);
  }

  function stopFollowing() {
    stream.close();
    if (state.timer) { window.clearInterval(state.timer); state.timer = null; }
  }

  // A "state" event: this lane's waiting arrivals (ids only), newer than the last seen
  // and not the list shown: fetch the list.
  function laneChanged(event) {
    var data;
    try { data = JSON.parse(event.data); } catch (err) { return; }
    if (!state.lane || !data || data.topic !== "lane/" + state.lane.id + "/state") { return; }
    var message = data.message || {};
    if (typeof message.seq === "number") {
      if (message.seq <= state.seq) { return; }
      state.seq = message.seq;
    }
    var shown = state.cars.map(function (car) { return car.arrival_id; }).join(",");
    if ((message.arrivals || []).join(",") !== shown) { refresh(); }
  }

  function carById(id) {
    for (var i = 0; i < state.cars.length; i++) {
      if (state.cars[i].arrival_id === id) { return state.cars[i]; }
    }
    return null;
  }

  function waited(car) {
    return (new Date(serverNow()).getTime() - new Date(car.arrived_at).getTime()) / 60000;
  }

  function drawCars() {
    parts.count.textContent = String(state.cars.length);
    ui.clear(parts.list);
    if (!state.cars.length) {
      ui.append(parts.list, el("li", {className: "dt-empty"}, t("dt_no_cars")));
    }
    state.cars.forEach(function (car) {
      var chosen = car.arrival_id === state.selected;
      ui.append(parts.list, el("li", {}, el("button", {type: "button",
        className: "dt-car-item" + (chosen ? " is-selected" : ""),
        "data-application": car.application_no, "aria-pressed": chosen ? "true" : "false",
        onclick: function () {
          if (state.selected !== car.arrival_id) { state.checks = fresh(); }
          state.selected = car.arrival_id;
          drawCars();
        }}, [el("span", {className: "dt-position"}, String(car.position)),
        el("span", {className: "dt-number"}, car.application_no),
        el("span", {className: "dt-since"}, t("dt_arrived", {time: ui.clock(car.arrived_at),
          minutes: ui.minutes(waited(car))}))])));
    });
    drawCar();
  }

  function complete() {
    var checks = state.checks;
    return checks.ktp && checks.receipt && (!checks.proxy || checks.letter);
  }

  function drawCar() {
    var car = state.selected === null ? null : carById(state.selected);
    ui.clear(parts.car);
    if (!car) {
      ui.append(parts.car, el("p", {className: "hint", id: "dt-select-hint"}, t("dt_select_hint")));
      return;
    }
    function check(key, id, text, hidden) {
      return el("label", {className: "check", hidden: hidden}, [el("input", {type: "checkbox",
        id: id, checked: state.checks[key], onchange: function (event) {
          state.checks[key] = event.target.checked;
          drawCar();
        }}), " ", text]);
    }
    var reason = el("select", {id: "dt-reason"}, REASONS.map(function (code) {
      return el("option", {value: code}, t("dt_reason_" + code));
    }));
    var ready = complete() && !state.busy;
    ui.append(parts.car, [
      el("h2", {}, t("dt_car_title", {position: car.position, number: car.application_no})),
      el("div", {className: "big-number dt-big"}, car.application_no),
      el("div", {className: "checklist"}, [
        el("div", {className: "checklist-title"}, t("pickup_checklist")),
        check("ktp", "dt-ktp", t("pickup_check_ktp")),
        check("receipt", "dt-receipt", t("pickup_check_receipt")),
        check("proxy", "dt-proxy", t("pickup_check_proxy")),
        check("letter", "dt-letter", t("pickup_check_letter"), !state.checks.proxy)]),
      el("button", {type: "button", id: "dt-handover", className: "action good wide",
        disabled: !ready, onclick: function () { handOver(car); }}, t("act_handover")),
      ready ? null : el("p", {className: "hint small", id: "dt-needs"}, t("dt_needs")),
      el("div", {className: "dt-send"}, [el("label", {"for": "dt-reason"}, t("dt_reason")), reason,
        el("button", {type: "button", id: "dt-send", className: "action warn",
          disabled: state.busy, onclick: function () { sendToCounter(car, reason.value); }},
          t("dt_send"))])
    ]);
  }

  function act(car, path, body, done) {
    state.busy = true;
    drawCar();
    ui.request("POST", officeUrl("/drive-thru/arrivals/" + car.arrival_id + path), body,
      state.csrf, function (error) {
        state.busy = false;
        if (error) { failed(error); drawCar(); refresh(); return; }
        state.selected = null;
        state.checks = fresh();
        say(done, "ok");
        refresh();
        parts.scan.focus();
      });
  }

  function handOver(car) {
    if (!complete()) { return; }
    act(car, "/handover", {proxy: state.checks.proxy},
      t("dt_did_handover", {number: car.application_no}));
  }

  function sendToCounter(car, reason) {
    act(car, "/send-to-counter", {reason: reason}, t("dt_did_send", {number: car.application_no}));
  }

  // A scanner types wherever the focus is: a printable key pressed outside a text field
  // goes to the scan field, so a scan after ticking a box is not lost.
  document.addEventListener("keydown", function (event) {
    if (!parts.scan || !state.lane || event.ctrlKey || event.altKey || event.metaKey) { return; }
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" && target.type !== "checkbox" ||
      target.tagName === "SELECT" || target.tagName === "TEXTAREA");
    if (!typing && event.key && event.key.length === 1 && document.body.contains(parts.scan)) {
      parts.scan.focus();
    }
  });

  signIn.start();
}(AntreUi, AntreSession));
