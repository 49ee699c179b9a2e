// "BAP approved - please come back" in the officer console: at a counter of the BAP
// station, a small panel beside the called ticket opens a dialog with the applicant's
// mobile number and the message's language; POST .../tickets/<id>/bap-approved queues the
// WhatsApp/SMS message once per visit. Plain ES5, loaded after console-ui.js; console.js calls it.
var AntreNotify = (function (ui) {
  "use strict";
  var t = ui.t;
  var el = ui.el;

  function isBapCounter(screen) {
    return !!screen && screen.counter.stations.indexOf("BAP") >= 0;
  }

  // ctx: {open(node), close(), officeUrl(path), csrf(), say(text, kind), ticket}
  function dialog(ctx) {
    var ticket = ctx.ticket;
    var phone = el("input", {id: "bap-phone", type: "tel", autocomplete: "off", maxlength: "20",
      placeholder: "0812 3456 7890", autofocus: true});
    var language = el("select", {id: "bap-language"}, [
      el("option", {value: "id"}, "Bahasa Indonesia"), el("option", {value: "en"}, "English")]);
    var problem = el("p", {className: "problem", role: "alert", id: "bap-problem"});
    var submit = el("button", {type: "submit", className: "primary", id: "bap-send"}, t("bap_send"));
    var form = el("form", {className: "dialog bap", role: "dialog", onsubmit: function (event) {
      event.preventDefault();
      problem.textContent = "";
      submit.disabled = true;
      ui.request("POST", ctx.officeUrl("/tickets/" + ticket.ticket_id + "/bap-approved"),
        {phone: phone.value, language: language.value}, ctx.csrf(), function (error, answer) {
          submit.disabled = false;
          if (error) { problem.textContent = error.message; phone.focus(); return; }
          ctx.close();
          ctx.say(answer.created ? t("bap_queued") : t("bap_already"), "ok");
        });
    }}, [
      el("h2", {}, t("bap_title") + " · " + ticket.label),
      el("p", {className: "hint small"}, t("bap_hint")),
      el("label", {"for": "bap-phone"}, t("bap_phone")), phone,
      el("label", {"for": "bap-language"}, t("bap_language")), language,
      problem,
      el("div", {className: "dialog-buttons"}, [
        el("button", {type: "button", onclick: ctx.close}, [el("kbd", {}, "Esc"), " ", t("cancel")]),
        submit])
    ]);
    ctx.open(form);
  }

  // The panel beside the called ticket at a BAP counter (null elsewhere).
  function bapPanel(ctx) {
    var ticket = ctx.screen && ctx.screen.current;
    if (!isBapCounter(ctx.screen) || !ticket) { return null; }
    return el("section", {className: "panel bap-panel", id: "bap-panel"}, [
      el("button", {type: "button", id: "bap-open", className: "action wide", onclick: function () {
        dialog({open: ctx.open, close: ctx.close, officeUrl: ctx.officeUrl, csrf: ctx.csrf,
          say: ctx.say, ticket: ticket});
      }}, t("bap_button"))
    ]);
  }

  return {bapPanel: bapPanel, isBapCounter: isBapCounter};
}(AntreUi));
