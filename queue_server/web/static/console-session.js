// What the officer console and the admin console both do around their screens: ask who is
// signed in, the sign-in form, the sign-out button, the #office/... address, service names
// and the office's event stream with its retries. Plain ES5, loaded after console-ui.js.
var AntreSession = (function (ui) {
  "use strict";
  var t = ui.t;
  var el = ui.el;
  var API = "/api/v1";
  var RETRY_FIRST_MS = 2000;
  var RETRY_MAX_MS = 30000;

  // signedIn(body) when a session is open already, else signIn().
  function whoAmI(signedIn, signIn) {
    ui.request("GET", API + "/auth/me", null, null, function (error, body) {
      if (error) { signIn(); return; }
      signedIn(body);
    });
  }

  // The sign-in form, drawn into `app`; say(text, kind) tells the outcome, done(body) after
  // a good sign-in ({user, csrf_token}).
  function signInForm(app, say, done) {
    var user = el("input", {id: "username", name: "username", autocomplete: "username", required: true});
    var password = el("input", {id: "password", name: "password", type: "password",
      autocomplete: "current-password", required: true});
    var form = el("form", {className: "card signin", onsubmit: function (event) {
      event.preventDefault();
      ui.request("POST", API + "/auth/login", {username: user.value, password: password.value}, null,
        function (error, body) {
          if (error) { say(error.message, "error"); password.value = ""; password.focus(); return; }
          say(t("signed_in", {user: body.user.username}), "ok");
          done(body);
        });
    }}, [
      el("h1", {}, t("sign_in_title")),
      el("label", {"for": "username"}, t("username")), user,
      el("label", {"for": "password"}, t("password")), password,
      el("button", {type: "submit", className: "primary"}, t("sign_in"))
    ]);
    ui.append(ui.clear(app), form);
    user.focus();
  }

  // The #status line: the (server's) time `now`, an ISO string, and `text`; kind: ok, error.
  function showStatus(line, text, kind, now) {
    ui.clear(line);
    ui.append(line, [el("span", {className: "status-time"}, ui.clock(now)),
      el("span", {className: "status-text"}, text)]);
    line.className = "status status-" + (kind || "ok");
  }

  // The officers' pages (officer console, drive-thru lane): whoever is signed in, else the
  // sign-in form. signed(body) gets each sign-in ({user, csrf_token}); officer() follows
  // for an officer or administrator, any other role is told in `app` that it may not.
  // Returns {start, showSignIn}; drawWho() runs before the form is drawn.
  function officerSignIn(app, say, drawWho, signed, officer) {
    function signedIn(body) {
      signed(body);
      var role = body.user.role;
      if (role !== "petugas" && role !== "admin") {
        ui.append(ui.clear(app), el("div", {className: "card refused"},
          el("p", {}, t("role_refused", {role: role}))));
        return;
      }
      officer();
    }
    function showSignIn() {
      drawWho();
      signInForm(app, say, signedIn);
    }
    return {start: function () { whoAmI(signedIn, showSignIn); }, showSignIn: showSignIn};
  }

  // The office to work in, among the ones `user` may use: the address's (use(id, the
  // address's second part)), the only one (use(id, "")), or the one picked from cards drawn
  // in `app`. failed(error) when the list cannot be read.
  function chooseOffice(app, user, failed, use) {
    ui.request("GET", API + "/offices", null, null, function (error, body) {
      if (error) { failed(error); return; }
      var allowed = user.offices;
      var offices = body.items.filter(function (office) {
        return !allowed || allowed.indexOf(office.id) >= 0;
      });
      var wanted = hashParts(2);
      var known = offices.filter(function (office) { return office.id === wanted[0]; });
      if (known.length) {
        use(known[0].id, wanted[1]);
      } else if (offices.length === 1) {
        use(offices[0].id, "");
      } else {
        ui.append(ui.clear(app), el("div", {className: "card choice"}, [el("h1", {}, t("office"))]
          .concat(offices.map(function (office) {
            return el("button", {type: "button", className: "counter-card", onclick: function () {
              use(office.id, "");
            }}, office.name);
          }))));
      }
    });
  }

  // The top bar's #signout button: shown while `user` is signed in; csrf() is read when
  // pressed (a password change renews the token); signedOut() once the server answered.
  function signOutButton(user, csrf, signedOut) {
    var signout = document.getElementById("signout");
    signout.hidden = !user;
    signout.textContent = t("sign_out");
    signout.onclick = function () {
      ui.request("POST", API + "/auth/logout", {}, csrf(), function () { signedOut(); });
    };
  }

  // The parts of the address's #office/... fragment, decoded ("" where missing).
  function hashParts(count) {
    var parts = window.location.hash.replace(/^#/, "").split("/");
    var decoded = [];
    for (var i = 0; i < count; i++) { decoded.push(decodeURIComponent(parts[i] || "")); }
    return decoded;
  }

  // Put `hash` in the address (no new history entry) and keep it on the language link.
  function setHash(hash) {
    if (window.location.hash !== hash) { window.history.replaceState(null, "", hash); }
    var language = document.getElementById("language");
    language.href = "?lang=" + language.getAttribute("lang") + hash;
  }

  // A service's name in the page's language, from a list of {id, name: {id, en}}.
  function serviceName(services, code) {
    for (var i = 0; i < services.length; i++) {
      if (services[i].id === code) { return services[i].name[ui.language] || services[i].name.en; }
    }
    return code;
  }

  // The office's event stream: url() is asked at each connect, onState(event) gets each
  // "state" event, onReady() runs when the stream (re)opens: whatever changed while it was
  // down is to be fetched again. The #live line says when it is lost; a stream the browser
  // gave up is opened again after 2 s, doubling up to 30 s.
  function liveStream(live, url, onState, onReady) {
    var stream = null;
    var retryMs = RETRY_FIRST_MS;
    var retryTimer = null;

    function show(text) {
      live.hidden = !text;
      live.textContent = text || "";
    }

    function connect() {
      close();
      if (!window.EventSource) { show(t("live_unsupported")); return; }
      var source = new window.EventSource(url());
      stream = source;
      source.addEventListener("state", onState);
      source.addEventListener("ready", function () {
        retryMs = RETRY_FIRST_MS;
        show(null);
        onReady();
      });
      source.onerror = function () {
        show(t("live_lost"));
        if (source.readyState === 2 && stream === source) {  // CLOSED: the browser gave up
          stream = null;
          retryTimer = window.setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        }
      };
    }

    function close() {
      if (retryTimer) { window.clearTimeout(retryTimer); retryTimer = null; }
      if (stream) { stream.close(); stream = null; }
      show(null);
    }

    return {connect: connect, close: close};
  }

  return {
    API: API, whoAmI: whoAmI, signInForm: signInForm, signOutButton: signOutButton,
    showStatus: showStatus, officerSignIn: officerSignIn, chooseOffice: chooseOffice,
    hashParts: hashParts, setHash: setHash, serviceName: serviceName, liveStream: liveStream
  };
}(AntreUi));
