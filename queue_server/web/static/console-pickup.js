// Passports in the officer console: the "Passports ready" dialog where the printing
// officer marks application numbers ready (typed or scanned: a scanner types the number
// and Enter, which starts a new line), and the pickup panel beside the called ticket at a
// counter of the PICKUP station: look the application up, tick the identity checklist,
// hand over (recorded by console.js, then the ticket finishes). Plain ES5, loaded after console-ui.js; console.js and console-screen.js call it.
var AntrePickup = (function (ui) {
  "use strict";
  var t = ui.t;
  var el = ui.el;
  // The pickup panel's state, kept across the screen's redraws for the ticket it is about.
  var pickup = fresh(null);

  // A new ticket: what the applicant gave at the kiosk comes first (the application
  // number typed or scanned; "for someone else": the surat kuasa line is then required).
  function fresh(ticket) {
    return {ticket: ticket ? ticket.ticket_id : null,
      number: (ticket && ticket.application_no) || "", answer: null, problem: "",
      busy: false, ktp: false, receipt: false, proxy: !!(ticket && ticket.by_proxy),
      kioskProxy: !!(ticket && ticket.by_proxy), letter: false};
  }

  function inLanguage(texts) {
    if (!texts) { return ""; }
    return texts[ui.language] || texts.en || "";
  }

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  // "23-11-2026 10:05" in the office's time (offset in minutes from the console's setup).
  function dayAndTime(iso, offsetMinutes) {
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) { return "–"; }
    var local = new Date(moment.getTime() + (offsetMinutes || 0) * 60000);
    return pad(local.getUTCDate()) + "-" + pad(local.getUTCMonth() + 1) + "-" +
      local.getUTCFullYear() + " " + pad(local.getUTCHours()) + ":" + pad(local.getUTCMinutes());
  }

  function lines(text) {
    return text.split(/\r?\n/).map(function (line) { return line.replace(/^\s+|\s+$/g, ""); })
      .filter(function (line) { return line.length > 0; });
  }

  // -- "Passports ready": mark a list of numbers ----------------------------------------

  // ctx: {open(node), close(), officeUrl(path), csrf(), offset(), say(text, kind)}
  function readyDialog(ctx) {
    var numbers = el("textarea", {id: "ready-numbers", rows: "6", autofocus: true,
      spellcheck: "false", autocomplete: "off"});
    var problem = el("p", {className: "problem", role: "alert"});
    var summary = el("p", {className: "ready-summary", id: "ready-summary"});
    var results = el("ul", {className: "ready-results", id: "ready-results"});
    var submit = el("button", {type: "submit", className: "primary", id: "ready-submit"},
      t("ready_submit"));
    var form = el("form", {className: "dialog ready", role: "dialog", onsubmit: function (event) {
      event.preventDefault();
      mark();
    }}, [
      el("h2", {}, t("ready_title")),
      el("label", {"for": "ready-numbers"}, t("ready_label")), numbers,
      el("p", {className: "hint small"}, t("ready_hint")), problem, summary, results,
      el("div", {className: "dialog-buttons"}, [
        el("button", {type: "button", onclick: ctx.close}, [el("kbd", {}, "Esc"), " ", t("cancel")]),
        submit])
    ]);

    function mark() {
      var wanted = lines(numbers.value);
      problem.textContent = "";
      if (!wanted.length) { problem.textContent = t("ready_empty"); numbers.focus(); return; }
      submit.disabled = true;
      ui.request("POST", ctx.officeUrl("/passports/ready"), {applications: wanted}, ctx.csrf(),
        function (error, answer) {
          submit.disabled = false;
          if (error) { problem.textContent = error.message; return; }
          show(answer);
          numbers.value = "";
          numbers.focus();
          ctx.say(summary.textContent, answer.refused ? "error" : "ok");
        });
    }

    function show(answer) {
      summary.textContent = t("ready_summary", {marked: answer.marked,
        already: answer.already_ready, refused: answer.refused});
      ui.clear(results);
      answer.items.forEach(function (item) {
        var text;
        if (item.result === "marked") {
          text = t("ready_marked", {number: item.application_no});
        } else if (item.result === "already_ready") {
          text = t("ready_already", {number: item.application_no,
            since: dayAndTime(item.ready_at, ctx.offset())});
        } else {  // a refused entry is named by its line: it may be a NIK typed by mistake
          text = t("ready_refused", {line: item.index + 1, reasons: inLanguage(item.reasons)});
        }
        ui.append(results, el("li", {className: "ready-" + item.result,
          "data-result": item.result}, text));
      });
    }

    ctx.open(form);
  }

  // -- the pickup panel -----------------------------------------------------------------

  function isPickupCounter(screen) {
    return !!screen && screen.counter.stations.indexOf("PICKUP") >= 0;
  }

  function complete() {
    return pickup.ktp && pickup.receipt && (!pickup.proxy || pickup.letter);
  }

  function canHandOver(ticket) {
    return !!ticket && !pickup.busy && !!pickup.answer && pickup.answer.ready &&
      !pickup.answer.handed_over_at && pickup.answer.application_no === pickup.number &&
      complete();
  }

  // ctx: {screen, officeUrl(path), offset, redraw(), handOver(number, label)}
  function panel(ctx) {
    var ticket = ctx.screen.current;
    if (!isPickupCounter(ctx.screen) || !ticket) { pickup = fresh(null); return null; }
    if (pickup.ticket !== ticket.ticket_id) { pickup = fresh(ticket); }

    var number = el("input", {id: "pickup-number", value: pickup.number, autocomplete: "off",
      inputmode: "numeric", maxlength: "40", oninput: function () {
        pickup.number = number.value.replace(/\s+/g, "");
        handover.disabled = !canHandOver(ticket);
      }});
    var lookup = el("form", {className: "pickup-lookup", onsubmit: function (event) {
      event.preventDefault();
      look(ctx);
    }}, [number, el("button", {type: "submit", id: "pickup-lookup", disabled: pickup.busy},
      t("pickup_lookup"))]);

    var answer = null;
    if (pickup.problem) {
      answer = el("p", {className: "problem", id: "pickup-answer", role: "alert"}, pickup.problem);
    } else if (pickup.answer) {
      answer = el("p", {id: "pickup-answer", className: "pickup-answer " +
        (pickup.answer.ready && !pickup.answer.handed_over_at ? "is-ready" : "not-ready")}, statusText(pickup.answer, ctx.offset));
    }
    var sent = pickup.answer && pickup.answer.ready ? messageLine(pickup.answer, ctx.offset) : null;

    function check(key, id, text, hidden) {
      return el("label", {className: "check", hidden: hidden}, [el("input", {type: "checkbox",
        id: id, checked: pickup[key], onchange: function (event) {
          pickup[key] = event.target.checked;
          ctx.redraw();
        }}), " ", text]);
    }

    var handover = el("button", {type: "button", id: "pickup-handover",
      className: "action good wide", disabled: !canHandOver(ticket), onclick: function () {
        if (!canHandOver(ticket)) { return; }
        ctx.handOver(pickup.number, ticket.label, pickup.proxy);
      }}, t("act_handover"));

    return el("section", {className: "panel pickup", id: "pickup-panel"}, [
      el("h3", {}, t("pickup_title")),
      el("label", {"for": "pickup-number"}, t("pickup_application")), lookup, answer, sent,
      el("div", {className: "checklist"}, [
        el("div", {className: "checklist-title"}, t("pickup_checklist")),
        check("ktp", "pickup-ktp", t("pickup_check_ktp")),
        check("receipt", "pickup-receipt", t("pickup_check_receipt")),
        check("proxy", "pickup-proxy", t("pickup_check_proxy")),
        check("letter", "pickup-letter", t("pickup_check_letter"), !pickup.proxy),
        pickup.kioskProxy ? el("p", {className: "hint small", id: "pickup-kiosk-proxy"},
          t("pickup_kiosk_proxy")) : null
      ]),
      handover,
      canHandOver(ticket) ? null : el("p", {className: "hint small", id: "pickup-needs"},
        t("pickup_needs"))
    ]);
  }

  // Whether and when the "passport ready" message went out (status from the notifications).
  function messageLine(answer, offsetMinutes) {
    var message = answer.ready_message;
    var text = !message ? t("pickup_msg_none") :
      message.status === "sent" ? t("pickup_msg_sent", {time: dayAndTime(message.settled_at, offsetMinutes)}) :
      message.status === "failed" ? t("pickup_msg_failed", {time: dayAndTime(message.settled_at, offsetMinutes)}) :
      t("pickup_msg_pending", {time: dayAndTime(message.queued_at, offsetMinutes)});
    return el("p", {className: "hint small pickup-message", id: "pickup-message",
      "data-status": message ? message.status : "none"}, text);
  }

  // Ready since when, or the expected day, in the page's language and the office's time.
  function statusText(answer, offsetMinutes) {
    if (answer.handed_over_at) {
      return t("pickup_handed_over", {at: dayAndTime(answer.handed_over_at, offsetMinutes)});
    }
    if (answer.ready) {
      return t("pickup_ready", {day: dayAndTime(answer.ready_at, offsetMinutes)});
    }
    if (answer.expected_on) {
      var parts = answer.expected_on.split("-");  // YYYY-MM-DD
      return t("pickup_expected", {day: parts[2] + "-" + parts[1] + "-" + parts[0]});
    }
    return inLanguage(answer.message);  // no biometrics recorded here: no date can be given
  }

  function look(ctx) {
    var wanted = pickup.number;
    var ticketId = pickup.ticket;
    pickup.problem = "";
    pickup.answer = null;
    if (!wanted) { pickup.problem = t("pickup_empty"); ctx.redraw(); return; }
    pickup.busy = true;
    ctx.redraw();
    ui.request("GET", ctx.officeUrl("/passports/" + encodeURIComponent(wanted)), null, null,
      function (error, answer) {
        if (pickup.ticket !== ticketId || pickup.number !== wanted) { return; }  // moved on
        pickup.busy = false;
        if (error) { pickup.problem = error.message; } else { pickup.answer = answer; }
        ctx.redraw();
      });
  }

  return {readyDialog: readyDialog, panel: panel, isPickupCounter: isPickupCounter};
}(AntreUi));
