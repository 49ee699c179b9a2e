// The admin console's shell: sign in, office choice, the left navigation, the live stream.
// Each section is its own small script that calls AntreAdmin.section({...}) when loaded;
// admin-start.js starts the shell once every section has registered. Plain ES5.
//
// A section: {id, group: "monitoring"|"administration"|"configuration", label (text key),
//   roles: ["admin", "laporan"],
//   show(view, ctx): draws into `view` (a <section>); may return {refresh(), leave()}.
//   refresh() runs when the office's event stream says that something changed (debounced).}
var AntreAdmin = (function (ui, session) {
  "use strict";
  var t = ui.t;
  var el = ui.el;
  var API = session.API;
  var DEBOUNCE_MS = 400;
  var GROUPS = ["monitoring", "administration", "configuration"];
  var ROLES = ["admin", "laporan"];
  var app = document.getElementById("app");
  var nav = document.getElementById("nav");
  var statusLine = document.getElementById("status");
  var live = document.getElementById("live");
  var officeChoice = document.getElementById("office-choice");
  var sections = [];
  var state = {
    user: null, csrf: null, offices: [], office: null, info: null, section: null,
    current: null, timer: null
  };
  var stream = session.liveStream(live, function () { return officeUrl("/stream"); },
    function () { scheduleRefresh(); },
    function () { scheduleRefresh(); });  // whatever changed while the stream was down

  function section(spec) { sections.push(spec); }

  function officeUrl(path) { return API + "/offices/" + encodeURIComponent(state.office) + path; }

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  // The office's local time of an ISO moment, as fields (the PC's own zone may be wrong).
  function local(iso) {
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) { return null; }
    var offset = state.info ? state.info.office.utc_offset_minutes : -moment.getTimezoneOffset();
    return new Date(moment.getTime() + offset * 60000);
  }

  // "23-11-2026 14:05" in the office's time.
  function stamp(iso) {
    if (!iso) { return "–"; }
    var at = local(iso);
    if (!at) { return "–"; }
    return pad(at.getUTCDate()) + "-" + pad(at.getUTCMonth() + 1) + "-" + at.getUTCFullYear() +
      " " + pad(at.getUTCHours()) + ":" + pad(at.getUTCMinutes());
  }

  // "2026-11-23": the office day of an ISO moment (default: the server's now).
  function officeDay(iso) {
    var at = local(iso || (state.info && state.info.now) || new Date().toISOString());
    return at.getUTCFullYear() + "-" + pad(at.getUTCMonth() + 1) + "-" + pad(at.getUTCDate());
  }

  function say(text, kind) {
    ui.clear(statusLine);
    var now = state.info ? ui.clock(new Date().toISOString()) : "";
    ui.append(statusLine, [el("span", {className: "status-time"}, now),
      el("span", {className: "status-text"}, text)]);
    statusLine.className = "status status-" + (kind || "ok");
  }

  function request(method, url, body, done) {
    ui.request(method, url, body, state.csrf, function (error, answer, status) {
      if (error && error.status === 401) { signedOut(); }
      done(error, answer, status);
    });
  }

  // A file's bytes as the body (CSV, YAML) with the CSRF token; done(error, body, status)
  // like request(). The answer's error message is in the page's language.
  function upload(url, file, contentType, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url, true);
    xhr.timeout = 60000;
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Accept-Language", ui.language);
    xhr.setRequestHeader("Content-Type", contentType);
    if (state.csrf) { xhr.setRequestHeader("X-CSRF-Token", state.csrf); }
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      var answer = null;
      try { answer = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (err) {
        answer = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) { done(null, answer, xhr.status); return; }
      if (xhr.status === 401) { signedOut(); }
      var error = {message: t("network_error"), code: "network", status: xhr.status};
      if (answer && answer.error) {
        error.message = (answer.error.messages || {})[ui.language] || answer.error.message ||
          error.message;
        error.code = answer.error.code;
      }
      done(error, answer, xhr.status);
    };
    xhr.send(file);
  }

  function serviceName(code) {
    return session.serviceName(state.info ? state.info.services : [], code);
  }

  // A table: columns [{label, cell(row) -> node/text, className}], rows.
  function table(columns, rows, props) {
    var head = el("tr", {}, columns.map(function (column) {
      return el("th", {className: column.className || null}, column.label);
    }));
    var body = rows.map(function (row) {
      return el("tr", props && props.rowProps ? props.rowProps(row) : {}, columns.map(function (c) {
        return el("td", {className: c.className || null}, c.cell(row));
      }));
    });
    return el("table", {className: "grid" + (props && props.className ? " " + props.className : "")},
      [el("thead", {}, head), el("tbody", {}, body)]);
  }

  function panel(title, children, className) {
    return el("section", {className: "panel " + (className || "")},
      [el("h2", {}, title)].concat(children));
  }

  // -- hash: #office/section ------------------------------------------------------------

  function parseHash() {
    var parts = session.hashParts(2);
    return {office: parts[0], section: parts[1]};
  }

  function setHash() {
    session.setHash("#" + encodeURIComponent(state.office) + "/" + encodeURIComponent(state.section));
  }

  // -- sign in --------------------------------------------------------------------------

  function start() { session.whoAmI(signedIn, showSignIn); }

  function showSignIn() {
    drawWho();
    nav.hidden = true;
    officeChoice.hidden = true;
    session.signInForm(app, say, signedIn);
  }

  function signedIn(body) {
    state.user = body.user;
    state.csrf = body.csrf_token;
    drawWho();
    if (ROLES.indexOf(state.user.role) < 0) {
      nav.hidden = true;
      ui.append(ui.clear(app), el("div", {className: "card refused"},
        el("p", {}, t("role_refused", {role: ui.word("roles", state.user.role)}))));
      return;
    }
    chooseOffice();
  }

  function signedOut() {
    leaveSection();
    closeStream();
    state.user = state.csrf = state.info = state.office = null;
    var dialog = document.getElementById("pw-dialog");
    if (dialog) { dialog.parentNode.removeChild(dialog); }
    showSignIn();
  }

  function drawWho() {
    var who = document.getElementById("who");
    who.textContent = state.user ? state.user.username + " · " + ui.word("roles", state.user.role) : "";
    session.signOutButton(state.user, function () { return state.csrf; }, signedOut);
    var change = document.getElementById("password-change");
    change.hidden = !state.user;
    change.textContent = t("pw_change");
    change.onclick = showPasswordDialog;
    var place = document.getElementById("place");
    place.textContent = state.info ? state.info.office.name : "";
    if (state.info && state.info.office.demo) {
      ui.append(place, el("span", {className: "demo"}, "DEMO"));
    }
  }

  // -- password change: a small dialog from the top bar --------------------------------

  function showPasswordDialog() {
    var old = document.getElementById("pw-dialog");
    if (old) { old.parentNode.removeChild(old); }
    function secret(id, complete) {
      return el("input", {id: id, type: "password", maxlength: "200", autocomplete: complete,
        required: true});
    }
    var current = secret("pw-current", "current-password");
    var fresh = secret("pw-new", "new-password");
    var again = secret("pw-repeat", "new-password");
    var message = el("p", {className: "pw-message", role: "alert", hidden: true});
    function close() {
      if (dialog.parentNode) { dialog.parentNode.removeChild(dialog); }
    }
    function refuse(text) {
      message.textContent = text;
      message.hidden = false;
      say(text, "error");
    }
    var form = el("form", {className: "card pw-form", novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      if (fresh.value !== again.value) { refuse(t("pw_mismatch")); again.focus(); return; }
      request("POST", API + "/auth/password",
        {current_password: current.value, new_password: fresh.value}, function (error, body) {
          if (error) { refuse(error.message); return; }
          state.csrf = body.csrf_token;
          close();
          say(t("pw_changed"), "ok");
        });
    }}, [
      el("h2", {}, t("pw_change")),
      el("label", {"for": "pw-current"}, t("pw_current")), current,
      el("label", {"for": "pw-new"}, t("pw_new")), fresh,
      el("label", {"for": "pw-repeat"}, t("pw_repeat")), again,
      el("p", {className: "muted"}, t("pw_rules")),
      el("p", {className: "muted"}, t("pw_sessions_end")),
      message,
      el("div", {className: "pw-buttons"}, [
        el("button", {type: "button", id: "pw-cancel", onclick: close}, t("act_cancel")),
        el("button", {type: "submit", className: "primary", id: "pw-save"}, t("pw_save"))
      ])
    ]);
    var dialog = el("div", {id: "pw-dialog", className: "pw-dialog", role: "dialog",
      "aria-modal": "true", onkeydown: function (event) {
        if (event.key === "Escape" || event.keyCode === 27) { close(); }
      }}, form);
    document.body.appendChild(dialog);
    current.focus();
  }

  // -- office choice --------------------------------------------------------------------

  function chooseOffice() {
    ui.request("GET", API + "/offices", null, null, function (error, body) {
      if (error) { say(error.message, "error"); return; }
      var allowed = state.user.offices;
      state.offices = body.items.filter(function (office) {
        return !allowed || allowed.indexOf(office.id) >= 0;
      });
      if (!state.offices.length) {
        ui.append(ui.clear(app), el("div", {className: "card refused"}, el("p", {}, t("no_offices"))));
        return;
      }
      var wanted = parseHash();
      var known = state.offices.filter(function (office) { return office.id === wanted.office; });
      ui.clear(officeChoice);
      state.offices.forEach(function (office) {
        ui.append(officeChoice, el("option", {value: office.id}, office.name));
      });
      officeChoice.hidden = state.offices.length < 2;
      officeChoice.onchange = function () { useOffice(officeChoice.value, state.section); };
      useOffice(known.length ? known[0].id : state.offices[0].id, wanted.section);
    });
  }

  // The dashboard's answer names the office, its clock and its services for every section.
  function useOffice(office, sectionId) {
    leaveSection();
    state.office = office;
    officeChoice.value = office;
    request("GET", officeUrl("/dashboard"), null, function (error, body) {
      if (error) { say(error.message, "error"); return; }
      state.info = body;
      ui.setOffice(body.office.utc_offset_minutes);
      drawWho();
      drawNav();
      connectStream();
      open(allowed(sectionId) ? sectionId : "dashboard");
    });
  }

  function allowed(id) {
    for (var i = 0; i < sections.length; i++) {
      if (sections[i].id === id) { return sections[i].roles.indexOf(state.user.role) >= 0; }
    }
    return false;
  }

  function drawNav() {
    ui.clear(nav);
    nav.hidden = false;
    GROUPS.forEach(function (group) {
      var items = sections.filter(function (item) {
        return item.group === group && item.roles.indexOf(state.user.role) >= 0;
      });
      if (!items.length) { return; }
      ui.append(nav, el("h3", {}, t("nav_" + group)));
      ui.append(nav, el("ul", {}, items.map(function (item) {
        return el("li", {}, el("a", {
          href: "#" + encodeURIComponent(state.office) + "/" + item.id,
          className: "nav-item",
          "data-section": item.id,
          onclick: function (event) { event.preventDefault(); open(item.id); }
        }, t(item.label)));
      })));
    });
  }

  // -- sections -------------------------------------------------------------------------

  function leaveSection() {
    if (state.current && state.current.leave) { state.current.leave(); }
    state.current = null;
    if (state.timer) { window.clearTimeout(state.timer); state.timer = null; }
  }

  function open(id) {
    var spec = sections.filter(function (item) { return item.id === id; })[0];
    leaveSection();
    if (/status-error/.test(statusLine.className)) {  // a refusal belongs to the screen left
      ui.clear(statusLine);
      statusLine.className = "status";
    }
    state.section = id;
    setHash();
    var links = nav.querySelectorAll("a.nav-item");
    for (var i = 0; i < links.length; i++) {
      links[i].className = links[i].className.replace(/ is-active/g, "") +
        (links[i].getAttribute("data-section") === id ? " is-active" : "");
    }
    var view = el("section", {className: "view view-" + id, "data-view": id});
    ui.append(ui.clear(app), view);
    state.current = spec.show(view, context()) || null;
  }

  function context() {
    return {
      office: state.office, offices: state.offices, user: state.user, info: state.info, t: t, el: el, ui: ui,
      request: request, upload: upload, officeUrl: officeUrl, say: say, stamp: stamp, officeDay: officeDay,
      serviceName: serviceName, table: table, panel: panel,
      setInfo: function (info) { state.info = info; }
    };
  }

  // -- live updates: the office's event stream ----------------------------------------

  function scheduleRefresh() {
    if (state.timer) { return; }
    state.timer = window.setTimeout(function () {
      state.timer = null;
      if (state.current && state.current.refresh) { state.current.refresh(); }
    }, DEBOUNCE_MS);
  }

  function connectStream() { stream.connect(); }

  function closeStream() { stream.close(); }

  return {section: section, start: start, sections: sections};
}(AntreUi, AntreSession));
