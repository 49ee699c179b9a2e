// Booking and priority (administrators): the office-wide check-in window around a booked
// slot (booking section) and who may ask for priority, with the names the kiosks show and
// the calling rhythm (priority section). Each form saves its own section (PUT
// config/booking, PUT config/priority) with the version edited; the server checks it and
// says what is wrong in the page's language. Plain ES5.
(function (admin, forms) {
  "use strict";

  function trim(text) { return String(text).replace(/^\s+|\s+$/g, ""); }

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var current = null;
    var given = ui.t("priority_labels");
    var defaults = given && typeof given === "object" ? given : {};  // code: {id, en}

    function reload() {
      box.clear();
      forms.load(ctx, box, function (body) { current = body; draw(); });
    }

    function numberField(id, label, value, fallback) {
      var node = forms.input(ctx, {id: id, type: "number", className: "pol-number",
        value: String(value === undefined || value === null ? fallback : value)});
      return {node: node, field: forms.field(ctx, label, node, "cfg-narrow")};
    }

    function bookingForm() {
      var booking = forms.copy(current.settings.booking || {});
      var early = numberField("pol-early", t("pol_early"), booking.early_minutes, 60);
      var late = numberField("pol-late", t("pol_late"), booking.late_minutes, 30);
      return el("form", {className: "cfg-form", id: "pol-booking", novalidate: true, onsubmit: function (event) {
        event.preventDefault();
        booking.early_minutes = forms.number(early.node.value, "", false);
        booking.late_minutes = forms.number(late.node.value, "", false);
        forms.save(ctx, box, "PUT", "/booking", booking, current.version,
          function (answer) { current = answer; draw(); }, reload);
      }}, ctx.panel(t("pol_booking"), [
        el("p", {className: "muted"}, t("pol_booking_hint")),
        el("div", {className: "cfg-row"}, [early.field, late.field]),
        el("div", {className: "cfg-buttons"}, [el("span", {className: "spacer"}),
          el("button", {type: "submit", className: "primary", id: "pol-booking-save"}, t("act_save"))])
      ]));
    }

    function priorityForm() {
      var priority = forms.copy(current.settings.priority || {});
      var chosen = priority.categories || Object.keys(defaults);
      var labels = priority.labels || {};
      var codes = chosen.slice();
      Object.keys(defaults).forEach(function (code) { if (codes.indexOf(code) < 0) { codes.push(code); } });
      Object.keys(labels).forEach(function (code) { if (codes.indexOf(code) < 0) { codes.push(code); } });
      var rows = [];
      var body = el("tbody", {});
      function addRow(code, ticked) {
        var given = labels[code] || {};
        var tick = el("input", {type: "checkbox", className: "pol-use", checked: ticked,
          "aria-label": t("pol_use")});
        var nameId = forms.input(ctx, {className: "pol-label-id", maxlength: "80", value: given.id || "",
          placeholder: defaults[code] ? defaults[code].id : "", "aria-label": t("svc_name_id")});
        var nameEn = forms.input(ctx, {className: "pol-label-en", maxlength: "80", value: given.en || "",
          placeholder: defaults[code] ? defaults[code].en : "", "aria-label": t("svc_name_en")});
        var row = {code: code, tick: tick, nameId: nameId, nameEn: nameEn};
        rows.push(row);
        ui.append(body, el("tr", {"data-category": code}, [el("td", {}, tick),
          el("td", {}, el("code", {}, code)), el("td", {}, nameId), el("td", {}, nameEn)]));
      }
      codes.forEach(function (code) { addRow(code, chosen.indexOf(code) >= 0); });
      var newCode = forms.input(ctx, {id: "pol-new-code", maxlength: "40", placeholder: "veteran"});
      var priorityRun = numberField("pol-priority-run", t("pol_priority_run"), priority.priority_run, 1);
      var regularRun = numberField("pol-regular-run", t("pol_regular_run"), priority.regular_run, 2);
      return el("form", {className: "cfg-form", id: "pol-priority", novalidate: true, onsubmit: function (event) {
        event.preventDefault();
        priority.categories = rows.filter(function (row) { return row.tick.checked; })
          .map(function (row) { return row.code; });
        var named = {};
        rows.forEach(function (row) {
          var id = trim(row.nameId.value), en = trim(row.nameEn.value);
          if (id || en) { named[row.code] = {id: id, en: en}; }  // one missing: the server says so
        });
        if (Object.keys(named).length) { priority.labels = named; } else { delete priority.labels; }
        priority.priority_run = forms.number(priorityRun.node.value, "", false);
        priority.regular_run = forms.number(regularRun.node.value, "", false);
        forms.save(ctx, box, "PUT", "/priority", priority, current.version,
          function (answer) { current = answer; draw(); }, reload);
      }}, ctx.panel(t("pol_priority"), [
        el("p", {className: "muted"}, t("pol_priority_hint")),
        el("table", {className: "grid pol-categories"}, [
          el("thead", {}, el("tr", {}, [t("pol_use"), t("pol_code"), t("svc_name_id"), t("svc_name_en")]
            .map(function (text) { return el("th", {}, text); }))), body]),
        el("div", {className: "cfg-row"}, [forms.field(ctx, t("pol_new_code"), newCode),
          el("button", {type: "button", id: "pol-add", onclick: function () {
            var code = trim(newCode.value);
            var known = rows.filter(function (row) { return row.code === code; }).length;
            if (!/^[a-z][a-z0-9_]{0,39}$/.test(code) || known) {
              box.error({message: t(known ? "pol_code_twice" : "pol_bad_code", {code: code})});
              return;
            }
            box.clear();
            addRow(code, true);
            newCode.value = "";
          }}, t("act_add"))]),
        el("div", {className: "cfg-row"}, [priorityRun.field, regularRun.field]),
        el("div", {className: "cfg-buttons"}, [el("span", {className: "spacer"}),
          el("button", {type: "submit", className: "primary", id: "pol-priority-save"}, t("act_save"))])
      ]));
    }

    function draw() {
      ui.append(ui.clear(view), [forms.head(ctx, "sec_policies", current.version), box.node,
        el("div", {className: "pol-grid"}, [bookingForm(), priorityForm()])]);
    }

    ui.append(view, [forms.head(ctx, "sec_policies", null), el("p", {className: "muted"}, t("loading"))]);
    reload();
  }

  admin.section({id: "policies", group: "configuration", label: "sec_policies", roles: ["admin"], show: show});
}(AntreAdmin, AntreForms));
