// The console's dialogs: park, transfer, call a number, cancel, close, issue at the desk.
// Each is a form: Enter confirms, Esc goes back; `dialogs` carries out the action.
var AntreDialogs = (function (ui) {
  "use strict";
  var t = ui.t;
  var el = ui.el;

  function form(dialogs, className, title, fields, confirmText, onConfirm) {
    return el("form", {className: "dialog " + className, role: "dialog", onsubmit: function (event) {
      event.preventDefault();
      onConfirm();
    }, onkeydown: function (event) {
      // Enter confirms from any field: a select or a check box does not submit by itself.
      var tag = event.target.tagName.toLowerCase();
      if ((event.key === "Enter") && (tag === "select" || event.target.type === "checkbox" ||
          event.target.type === "radio")) {
        event.preventDefault();
        onConfirm();
      }
    }}, [el("h2", {}, title)].concat(fields, [el("div", {className: "dialog-buttons"}, [
      el("button", {type: "button", onclick: dialogs.close}, [el("kbd", {}, "Esc"), " ", t("cancel")]),
      el("button", {type: "submit", className: "primary", id: "dialog-confirm"},
        [el("kbd", {}, "Enter"), " ", confirmText])
    ])]));
  }

  function select(id, options, selected) {
    return el("select", {id: id, name: id}, options.map(function (option) {
      return el("option", {value: option[0], selected: option[0] === selected}, option[1]);
    }));
  }

  function park(dialogs, ticket) {
    var note = el("input", {id: "park-note", maxlength: "200", autofocus: true});
    var quick = ["park_reason_documents", "park_reason_copy", "park_reason_payment"].map(
      function (key) {
        return el("button", {type: "button", className: "chip-button", onclick: function () {
          note.value = t(key);
          note.focus();
        }}, t(key));
      });
    dialogs.open(form(dialogs, "park", t("park_title", {label: ticket.label}), [
      el("label", {"for": "park-note"}, t("park_reason")), note, el("div", {className: "chips"}, quick)
    ], t("act_park").replace("…", ""), function () {
      dialogs.close();
      dialogs.park(note.value.replace(/^\s+|\s+$/g, ""));
    }));
  }

  function transfer(dialogs, ticket, setup) {
    var choice = "next";
    function radio(value, text) {
      return el("label", {className: "radio"}, [el("input", {type: "radio", name: "transfer-kind",
        value: value, checked: value === "next", id: "transfer-kind-" + value, onchange: function () {
          choice = value;
          sync();
        }}), " ", text]);
    }
    var services = setup.services.map(function (service) {
      return [service.id, service.prefix + " · " + (service.name[ui.language] || service.name.en)];
    });
    var serviceSelect = select("transfer-service", services, ticket.service);
    var stepSelect = el("select", {id: "transfer-step", name: "transfer-step"});
    var stationSelect = select("transfer-station", setup.stations.map(function (code) {
      return [code, ui.word("stations", code)];
    }), null);
    function fillSteps() {
      ui.clear(stepSelect);
      setup.services.forEach(function (service) {
        if (service.id !== serviceSelect.value) { return; }
        service.steps.forEach(function (step) {
          ui.append(stepSelect, el("option", {value: String(step.index)},
            (step.index + 1) + ". " + ui.word("stations", step.station)));
        });
      });
    }
    function sync() {
      serviceSelect.disabled = stepSelect.disabled = choice !== "service";
      stationSelect.disabled = choice !== "station";
    }
    serviceSelect.onchange = fillSteps;
    fillSteps();
    sync();
    dialogs.open(form(dialogs, "transfer", t("transfer_title", {label: ticket.label}), [
      radio("next", t("transfer_next")),
      radio("service", t("transfer_service")),
      el("div", {className: "indent"}, [serviceSelect, " ", el("label", {"for": "transfer-step"},
        t("transfer_step")), " ", stepSelect]),
      radio("station", t("transfer_station")),
      el("div", {className: "indent"}, stationSelect)
    ], t("act_transfer").replace("…", ""), function () {
      var target = {};
      if (choice === "service") {
        target = {service: serviceSelect.value, step: Number(stepSelect.value)};
      } else if (choice === "station") {
        target = {station: stationSelect.value};
      }
      dialogs.close();
      dialogs.transfer(target);
    }));
  }

  function callSpecific(dialogs, selected, items) {
    var input = el("input", {id: "call-label", autofocus: true, autocomplete: "off",
      value: selected ? selected.item.label : "", list: "call-labels"});
    var labels = el("datalist", {id: "call-labels"}, items.map(function (entry) {
      return el("option", {value: entry.item.label});
    }));
    var problem = el("p", {className: "problem", role: "alert"});
    dialogs.open(form(dialogs, "call", t("call_specific_title"), [
      el("label", {"for": "call-label"}, t("call_specific_label")), input, labels, problem
    ], t("act_call_specific").replace("…", ""), function () {
      var wanted = input.value.replace(/\s+/g, "").toUpperCase();
      var found = items.filter(function (entry) {
        return (entry.item.label || "").toUpperCase() === wanted;
      });
      if (!found.length) {
        problem.textContent = t("call_specific_unknown", {label: input.value});
        input.focus();
        return;
      }
      dialogs.close();
      dialogs.callSpecific(found[0].item.ticket_id);
    }));
  }

  function cancel(dialogs, selected) {
    dialogs.open(form(dialogs, "cancel", t("cancel_title", {label: selected.item.label}), [
      el("p", {}, t("cancel_warning"))
    ], t("act_cancel"), function () {
      dialogs.close();
      dialogs.cancel(selected);
    }));
  }

  function closeCounter(dialogs, name) {
    dialogs.open(form(dialogs, "close", t("close_title", {counter: name}), [
      el("p", {}, t("close_warning"))
    ], t("act_close"), function () {
      dialogs.close();
      dialogs.closeCounter();
    }));
  }

  function issue(dialogs, setup) {
    var services = setup.services.map(function (service) {
      var name = service.prefix + " · " + (service.name[ui.language] || service.name.en);
      return [service.id, service.open_now ? name : name + " (" + t("closed_now") + ")"];
    });
    var serviceSelect = select("issue-service", services, null);
    serviceSelect.setAttribute("autofocus", "");
    var categories = [["", t("issue_no_priority")]].concat(setup.priority_categories.map(
      function (code) { return [code, ui.word("categories", code)]; }));
    var category = select("issue-priority", categories, "");
    var booking = el("input", {id: "issue-booking", maxlength: "64", autocomplete: "off"});
    var documents = el("input", {type: "checkbox", id: "issue-documents"});
    var bookingBox = el("div", {className: "booking"}, [
      el("label", {"for": "issue-booking"}, t("issue_booking")), booking,
      el("label", {className: "check"}, [documents, " ", t("issue_documents")])
    ]);
    var problem = el("p", {className: "problem", role: "alert"});
    function needsBooking() {
      for (var i = 0; i < setup.services.length; i++) {
        if (setup.services[i].id === serviceSelect.value) { return setup.services[i].booking_required; }
      }
      return false;
    }
    function sync() { bookingBox.hidden = !needsBooking(); }
    serviceSelect.onchange = sync;
    sync();
    var node = form(dialogs, "issue", t("issue_title"), [
      el("label", {"for": "issue-service"}, t("issue_service")), serviceSelect,
      el("label", {"for": "issue-priority"}, t("issue_priority")), category, bookingBox, problem
    ], t("issue_submit"), function () {
      var body = {service: serviceSelect.value, language: ui.language};
      if (category.value) { body.priority_category = category.value; }
      if (needsBooking()) {
        body.booking_ref = booking.value.replace(/^\s+|\s+$/g, "");
        body.documents_ready = documents.checked;
      }
      problem.textContent = "";
      dialogs.issue(body, function (error, issued) {
        if (error) { problem.textContent = error.message; return; }
        issuedView(dialogs, issued);
      });
    });
    dialogs.open(node);
  }

  function issuedView(dialogs, issued) {
    var printLink = el("a", {className: "button primary", id: "print-ticket", target: "_blank",
      rel: "noopener", href: "/console/print/" + encodeURIComponent(issued.token) + "?lang=" +
        ui.language}, [el("kbd", {}, "Enter"), " ", t("issue_print")]);
    dialogs.open(el("div", {className: "dialog issued", role: "dialog"}, [
      el("h2", {}, t("issue_done")),
      el("div", {className: "big-number", id: "issued-label"}, issued.label),
      el("p", {className: "service-line"}, dialogs.serviceName(issued.service) + " · " +
        ui.word("stations", issued.station)),
      el("p", {}, t("issue_ahead", {count: issued.people_ahead})),
      el("div", {className: "dialog-buttons"}, [
        el("button", {type: "button", onclick: dialogs.close}, [el("kbd", {}, "Esc"), " ",
          t("cancel")]),
        el("button", {type: "button", onclick: function () {
          dialogs.close();
          issue(dialogs, dialogs.setup());
        }}, t("issue_another")),
        printLink
      ])
    ]));
    printLink.focus();
  }

  return {park: park, transfer: transfer, callSpecific: callSpecific, cancel: cancel,
    closeCounter: closeCounter, issue: issue};
}(AntreUi));
