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
    hashParts: hashParts, setHash: setHash, serviceName: serviceName, liveStream: liveStream
  };
}(AntreUi));
