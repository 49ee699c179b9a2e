// The kiosk preview of the Content form (admin-content.js): the kiosk's "Please complete
// your documents first" screen (kiosk/app/kv/requirements.kv) drawn in HTML with the
// kiosk's colours, type sizes and bars, at the kiosk's own size (landscape 1024x600 or
// portrait 1080x1920) and scaled down by admin-preview.css. It shows what the kiosk will
// show once the content is saved: the office's list in the chosen language (the other
// language's when this one is empty), else a note that the kiosk's built-in SOP list
// stays. The kiosk's texts come in both languages (texts.kiosk_preview), whatever the
// console's own language.
var AntreKioskPreview = (function () {
  "use strict";

  var SIZES = ["landscape", "portrait"];
  var LANGUAGES = [["id", "Indonesia"], ["en", "English"]];

  // The list the kiosk shows: [lines, fell back to the other language].
  function listFor(requirements, language) {
    var own = requirements[language] || [];
    var other = requirements[language === "en" ? "id" : "en"] || [];
    return own.length ? [own, false] : [other, other.length > 0];
  }

  // The information text above the list (the other language's when this one is empty).
  function textFor(pair, language) {
    var own = (pair && pair[language]) || "";
    var other = (pair && pair[language === "en" ? "id" : "en"]) || "";
    return own || other;
  }

  function create(ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var words = ui.texts.kiosk_preview || {};
    var state = {language: ui.language === "en" ? "en" : "id", size: "landscape", data: null};

    var office = el("span", {className: "kp-office"});
    var languageMarks = LANGUAGES.map(function (pair) {
      return el("button", {type: "button", className: "kp-lang", "data-kp-screen-lang": pair[0],
        tabindex: "-1", onclick: function () { choose("language", pair[0]); }}, pair[1]);
    });
    var title = el("div", {className: "kp-title"});
    var service = el("div", {className: "kp-service"});
    var list = el("div", {className: "kp-list", id: "kp-list"});
    var comeBack = el("div", {className: "kp-body"});
    var ok = el("div", {className: "kp-button"});
    var back = el("div", {className: "kp-back"});
    var home = el("div", {className: "kp-home"});
    var screen = el("div", {className: "kp-screen", id: "kp-screen", "aria-hidden": "true"}, [
      el("div", {className: "kp-top"}, [office].concat(languageMarks)),
      el("div", {className: "kp-middle"}, [
        el("div", {className: "kp-topspace"}), title, service, list, comeBack,
        el("div", {className: "kp-spacer"}), ok
      ]),
      el("div", {className: "kp-nav"}, [back, el("span", {className: "kp-gap"}), home])
    ]);
    var stage = el("div", {className: "kp-stage kp-landscape", id: "kp-stage"}, [screen]);
    var notes = el("ul", {className: "kp-notes", id: "kp-notes"});

    function toggle(kind, value, label) {
      return el("button", {type: "button", className: "kp-toggle", "data-kp": kind + ":" + value,
        onclick: function () { choose(kind, value); }}, label);
    }
    var controls = el("div", {className: "kp-controls"}, [
      el("span", {className: "kp-group"}, [el("span", {className: "muted"}, t("ct_preview_language")),
        toggle("language", "id", "Bahasa Indonesia"), toggle("language", "en", "English")]),
      el("span", {className: "kp-group"}, [el("span", {className: "muted"}, t("ct_preview_screen")),
        toggle("size", "landscape", t("ct_preview_landscape")),
        toggle("size", "portrait", t("ct_preview_portrait"))])
    ]);
    var node = el("section", {className: "panel kp-panel", id: "kp"}, [
      el("h2", {}, t("ct_preview")),
      el("p", {className: "muted small kp-intro"}, t("ct_preview_intro")),
      controls, stage, notes
    ]);

    function choose(kind, value) {
      state[kind] = value;
      draw();
    }

    function note(text) { ui.append(notes, [el("li", {}, text)]); }

    function draw() {
      var data = state.data;
      var language = state.language;
      var kiosk = words[language] || {};
      stage.className = "kp-stage kp-" + (SIZES.indexOf(state.size) < 0 ? "landscape" : state.size);
      screen.setAttribute("lang", language);
      Array.prototype.forEach.call(controls.querySelectorAll("[data-kp]"), function (button) {
        var parts = button.getAttribute("data-kp").split(":");
        button.setAttribute("aria-pressed", String(state[parts[0]] === parts[1]));
      });
      languageMarks.forEach(function (mark) {
        mark.className = "kp-lang" + (mark.getAttribute("data-kp-screen-lang") === language ? " kp-on" : "");
      });
      title.textContent = kiosk.title || "";
      comeBack.textContent = kiosk.come_back || "";
      ok.textContent = kiosk.ok || "";
      back.textContent = kiosk.back || "";
      home.textContent = kiosk.home || "";
      ui.clear(list);
      ui.clear(notes);
      if (!data) { return; }
      office.textContent = data.office || "";
      service.textContent = textFor(data.name, language);
      var description = textFor(data.description, language);
      if (description) { ui.append(list, [el("div", {className: "kp-line"}, description)]); }
      var shown = listFor(data.requirements || {}, language);
      if (shown[0].length) {
        ui.append(list, shown[0].map(function (line) {
          return el("div", {className: "kp-line kp-item"}, "\u2022\u00a0\u00a0" + line);
        }));
      } else {
        ui.append(list, [el("div", {className: "kp-builtin", id: "kp-builtin"}, t("ct_preview_builtin"))]);
      }
      if (shown[1]) { note(t("ct_preview_fallback")); }
      if (list.scrollHeight > list.clientHeight + 1) { note(t("ct_preview_scrolls")); }
    }

    // data: {office, name: {id, en}, description: {id, en}, requirements: {id: [], en: []}}
    function update(data) {
      state.data = data;
      draw();
    }

    draw();
    return {node: node, update: update};
  }

  return {create: create, listFor: listFor};
}());
