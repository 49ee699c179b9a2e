// Calendars (administrators): the opening hours per weekday, the national holidays switch,
// the extra closed days with their names and kinds (holiday, cuti bersama, office closure),
// the days open despite a holiday, and the special sessions (every week on some weekdays
// and/or on given dates) with their quotas. Dates are typed DD/MM/YYYY (AntreDates) and
// sent as ISO dates. Saved as a whole (PUT config/calendar) with the version edited.
(function (admin, forms, dates) {
  "use strict";
  var KINDS = ["holiday", "cuti_bersama", "closure"];

  function trim(text) { return String(text).replace(/^\s+|\s+$/g, ""); }

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var current = null;

    function reload() {
      box.clear();
      forms.load(ctx, box, function (body) { current = body; draw(); });
    }

    // "20/03/2026 (Jumat)": a date as the console shows it.
    function dayText(iso) {
      var weekday = dates.weekday(iso);
      return dates.show(iso) + (weekday ? " (" + t("wd_" + weekday) + ")" : "");
    }

    // What was typed in a date field as an ISO date; null (and the message said) if bad.
    function typedDate(entry) {
      var day = dates.parse(entry.value);
      if (day === null) {
        box.error({message: t("cal_bad_date", {value: trim(entry.value)})});
        entry.focus();
      }
      return day;
    }

    // A list of dates with an add field and a remove button each; with `named`, each day
    // also has a kind and a name (the extra closed days). .values() gives the file's form:
    // a plain date while the day has no name and is a cuti bersama day as before.
    function dateList(name, given, named) {
      var chosen = given.map(function (item) {
        var plain = typeof item === "string";
        return {original: item, day: plain ? item : item.date,
          name: plain ? "" : (item.name || ""), kind: plain ? "cuti_bersama" : (item.kind || "cuti_bersama")};
      });
      var list = el("ul", {className: "cfg-dates" + (named ? " cfg-named-dates" : ""), "data-dates": name});
      var entry = dates.input(ctx, {"data-add": name, "aria-label": t("cal_date")});
      var kindChoice = named ? forms.select(ctx, KINDS.map(function (kind) {
        return [kind, t("cal_kind_" + kind)];
      }), "cuti_bersama", {"data-add-kind": name, "aria-label": t("cal_kind")}) : null;
      var nameEntry = named ? forms.input(ctx, {"data-add-name": name, maxlength: "120",
        className: "cfg-day-name", placeholder: t("cal_name_hint"), "aria-label": t("cal_name")}) : null;
      function redraw() {
        ui.clear(list);
        chosen.sort(function (a, b) { return a.day < b.day ? -1 : (a.day > b.day ? 1 : 0); });
        if (!chosen.length) { ui.append(list, el("li", {className: "muted"}, t("none"))); }
        chosen.forEach(function (item) {
          var parts = [el("span", {className: "cfg-day"}, dayText(item.day))];
          if (named) {
            var kind = forms.select(ctx, KINDS.map(function (code) {
              return [code, t("cal_kind_" + code)];
            }), item.kind, {className: "cfg-day-kind", "aria-label": t("cal_kind"),
              onchange: function () { item.kind = kind.value; }});
            var label = forms.input(ctx, {className: "cfg-day-name", maxlength: "120", value: item.name,
              placeholder: t("cal_name_hint"), "aria-label": t("cal_name"),
              oninput: function () { item.name = label.value; }});
            parts.push(kind, label);
          }
          parts.push(el("button", {type: "button", className: "cfg-date-remove", onclick: function () {
            chosen.splice(chosen.indexOf(item), 1);
            redraw();
          }}, t("act_remove")));
          ui.append(list, el("li", {"data-date": item.day}, parts));
        });
      }
      redraw();
      var node = el("div", {className: "cfg-date-list"}, [list, el("div", {className: "cfg-row"}, [
        forms.field(ctx, t("cal_date"), entry), named ? forms.field(ctx, t("cal_kind"), kindChoice) : null,
        named ? forms.field(ctx, t("cal_name"), nameEntry, "cfg-wide") : null,
        el("button", {type: "button", className: "cfg-date-add", "data-add-button": name, onclick: function () {
          var day = typedDate(entry);
          if (day === null) { return; }
          var twice = chosen.filter(function (item) { return item.day === day; }).length;
          if (twice) { box.error({message: t("cal_twice", {date: dates.show(day)})}); return; }
          box.clear();
          chosen.push({original: null, day: day, name: named ? trim(nameEntry.value) : "",
            kind: named ? kindChoice.value : "cuti_bersama"});
          entry.value = "";
          if (named) { nameEntry.value = ""; kindChoice.value = "cuti_bersama"; }
          redraw();
          ctx.say(t("cal_added", {date: dates.show(day)}), "ok");
        }}, t("act_add"))
      ])]);
      node.values = function () {
        return chosen.map(function (item) {
          var name = trim(item.name);
          var original = item.original;
          if (!named || (typeof original !== "object" || original === null) && !name && item.kind === "cuti_bersama") {
            return item.day;
          }
          var value = {date: item.day};
          if (name) { value.name = name; }
          if (item.kind !== "cuti_bersama" || (original && original.kind)) { value.kind = item.kind; }
          return value;
        });
      };
      return node;
    }

    // The built-in national holidays of a year, named (GET closed-days), with ‹ › to
    // change the year: what the office is already closed on without an entry here.
    function nationalList() {
      var year = Number(ctx.officeDay().slice(0, 4));
      var list = el("ul", {className: "cfg-dates cal-national-days"});
      var title = el("span", {className: "cal-year"});
      function fill() {
        ui.clear(title);
        ui.append(title, String(year));
        ui.append(ui.clear(list), el("li", {className: "muted"}, t("loading")));
        ctx.request("GET", ctx.officeUrl("/closed-days?year=" + year), null, function (error, body) {
          ui.clear(list);
          if (error) { ui.append(list, el("li", {className: "muted"}, error.message)); return; }
          var national = body.days.filter(function (day) { return day.source === "national"; });
          if (!national.length) { ui.append(list, el("li", {className: "muted"}, t("none"))); }
          national.forEach(function (day) {
            ui.append(list, el("li", {"data-date": day.date}, [
              el("span", {className: "cfg-day"}, dayText(day.date)), el("span", {}, day.name)]));
          });
        });
      }
      fill();
      return ctx.panel(t("cal_national_list"), [el("div", {className: "cfg-row"}, [
        el("button", {type: "button", className: "cal-year-prev", "aria-label": "-1",
          onclick: function () { year -= 1; fill(); }}, "‹"), title,
        el("button", {type: "button", className: "cal-year-next", "aria-label": "+1",
          onclick: function () { year += 1; fill(); }}, "›")]), list], "cal-national-list");
    }

    function draw() {
      var calendar = forms.copy(current.settings.calendar || {hours: {}});
      var hours = calendar.hours || {};
      var rows = forms.WEEKDAYS.map(function (day) {
        var given = hours[day];
        var open = el("input", {type: "checkbox", className: "cal-open", checked: !!given,
          "aria-label": t("cal_open")});
        var opens = forms.input(ctx, {className: "cal-opens", placeholder: "HH:MM", maxlength: "5", value: given ? given[0] : "08:00",
          "aria-label": t("cal_opens")});
        var closes = forms.input(ctx, {className: "cal-closes", placeholder: "HH:MM", maxlength: "5",
          value: given ? given[1] : "16:00", "aria-label": t("cal_closes")});
        return {day: day, open: open, opens: opens, closes: closes, given: given, row: el("tr", {"data-day": day}, [
          el("td", {}, t("wd_" + day)), el("td", {}, open), el("td", {}, opens), el("td", {}, closes)
        ])};
      });
      var national = el("input", {type: "checkbox", id: "cal-national", checked: calendar.national_holidays !== false});
      var holidays = dateList("cuti_bersama", calendar.cuti_bersama || [], true);
      var extra = dateList("extra_open_days", calendar.extra_open_days || [], false);
      var sessions = [];
      var sessionBody = el("tbody", {});
      var editing = null;  // the session item the adder edits (null: it adds a new one)
      // A session's row; `item` given: redraw that item's row in its place.
      function sessionRow(session, item) {
        var quota = forms.input(ctx, {type: "number", min: "0", className: "cal-quota",
          value: session.quota === null || session.quota === undefined ? "" : String(session.quota),
          "aria-label": t("cal_quota")});
        var when = (session.weekdays || []).map(function (day) { return t("wd_" + day); })
          .concat((session.dates || []).map(dayText)).join(", ");
        if (!item) { item = {}; sessions.push(item); }
        var old = item.row;
        item.session = session;
        item.quota = quota;
        item.row = el("tr", {"data-session": session.code}, [
          el("td", {}, [el("strong", {}, ui.language === "en" ? session.name_en : session.name_id), " ",
            el("code", {className: "small"}, session.code)]),
          el("td", {}, when + " · " + session.opens + "–" + session.closes),
          el("td", {}, session.services && session.services.length ?
            session.services.map(function (code) { return ctx.serviceName(code); }).join(", ") : t("all_services")),
          el("td", {}, quota),
          el("td", {className: "cal-session-buttons"}, [
            el("button", {type: "button", className: "cal-session-edit", onclick: function () { edit(item); }},
              t("act_edit")), " ",
            el("button", {type: "button", className: "cal-session-remove", onclick: function () {
              sessions.splice(sessions.indexOf(item), 1);
              sessionBody.removeChild(item.row);
              if (editing === item) { clearAdder(); }
            }}, t("act_remove"))])
        ]);
        if (old && old.parentNode) { old.parentNode.replaceChild(item.row, old); } else { ui.append(sessionBody, item.row); }
        return item;
      }
      (calendar.sessions || []).forEach(function (session) { sessionRow(session, null); });
      var newCode = forms.input(ctx, {id: "ses-code", maxlength: "40"});
      var newNameId = forms.input(ctx, {id: "ses-name-id", maxlength: "120"});
      var newNameEn = forms.input(ctx, {id: "ses-name-en", maxlength: "120"});
      var newOpens = forms.input(ctx, {id: "ses-opens", placeholder: "HH:MM", maxlength: "5", value: "08:00"});
      var newCloses = forms.input(ctx, {id: "ses-closes", placeholder: "HH:MM", maxlength: "5", value: "12:00"});
      var newQuota = forms.input(ctx, {id: "ses-quota", type: "number", min: "0"});
      var newDates = forms.input(ctx, {id: "ses-dates", maxlength: "400", placeholder: "DD/MM/YYYY, DD/MM/YYYY"});
      var newHolidays = el("input", {type: "checkbox", id: "ses-on-holidays"});
      var newDays = forms.ticks(ctx, forms.WEEKDAYS.map(function (day) { return [day, t("wd_" + day)]; }),
        [], "session-weekdays");
      var newServices = forms.ticks(ctx, (current.settings.services || []).map(function (service) {
        return [service.id, service.prefix + " · " + (ui.language === "en" ? service.name_en : service.name_id)];
      }), [], "session-services");
      var adderTitle = el("h3", {}, t("cal_new_session"));
      var addButton = el("button", {type: "button", id: "ses-add", onclick: apply}, t("cal_add_session"));
      var cancelEdit = el("button", {type: "button", id: "ses-cancel", hidden: true, onclick: function () {
        clearAdder();
      }}, t("act_cancel"));

      function tick(ticks, chosen) {
        var boxes = ticks.getElementsByTagName("input");
        for (var i = 0; i < boxes.length; i++) { boxes[i].checked = chosen.indexOf(boxes[i].value) >= 0; }
      }

      function clearAdder() {
        editing = null;
        newCode.value = newNameId.value = newNameEn.value = newQuota.value = newDates.value = "";
        newHolidays.checked = false;
        tick(newDays, []);
        tick(newServices, []);
        ui.append(ui.clear(adderTitle), t("cal_new_session"));
        ui.append(ui.clear(addButton), t("cal_add_session"));
        cancelEdit.hidden = true;
      }

      // Put a session in the adder to change it (its dates, days, quota, ...).
      function edit(item) {
        var session = item.session;
        editing = item;
        newCode.value = session.code || "";
        newNameId.value = session.name_id || "";
        newNameEn.value = session.name_en || "";
        newOpens.value = session.opens || "";
        newCloses.value = session.closes || "";
        newQuota.value = item.quota.value;
        newDates.value = (session.dates || []).map(dates.show).join(", ");
        newHolidays.checked = !!session.on_holidays;
        tick(newDays, session.weekdays || []);
        tick(newServices, session.services || []);
        ui.append(ui.clear(adderTitle), t("cal_edit_session", {code: session.code}));
        ui.append(ui.clear(addButton), t("cal_apply_session"));
        cancelEdit.hidden = false;
        if (newCode.scrollIntoView) { newCode.scrollIntoView(false); }
        newCode.focus();
      }

      function apply() {
        var typed = trim(newDates.value) ? trim(newDates.value).split(/\s*[,;]\s*|\s+/) : [];
        var days = [];
        for (var i = 0; i < typed.length; i++) {
          var day = dates.parse(typed[i]);
          if (day === null) {
            box.error({message: t("cal_bad_date", {value: typed[i]})});
            newDates.focus();
            return;  // nothing added or changed
          }
          if (days.indexOf(day) < 0) { days.push(day); }
        }
        var weekdays = newDays.values();
        if (!weekdays.length && !days.length) { box.error({message: t("cal_session_when")}); return; }
        box.clear();
        // Editing keeps what the form does not show; then the form's fields replace theirs.
        var session = editing ? forms.copy(editing.session) : {};
        delete session.weekdays; delete session.dates; delete session.quota; delete session.on_holidays;
        session.code = trim(newCode.value);
        session.name_id = newNameId.value;
        session.name_en = newNameEn.value;
        session.opens = trim(newOpens.value);
        session.closes = trim(newCloses.value);
        if (weekdays.length) { session.weekdays = weekdays; }
        if (days.length) { session.dates = days.sort(); }
        session.services = newServices.values();
        var quota = forms.number(newQuota.value, null, false);
        if (quota !== null) { session.quota = quota; }
        if (newHolidays.checked) { session.on_holidays = true; }
        sessionRow(session, editing);  // checked by the server when the calendar is saved
        clearAdder();
        ctx.say(t("cal_added", {date: session.code}), "ok");
      }

      var adder = el("div", {className: "cal-session-new"}, [
        adderTitle,
        el("div", {className: "cfg-row"}, [
          forms.field(ctx, t("ctr_id"), newCode), forms.field(ctx, t("svc_name_id"), newNameId),
          forms.field(ctx, t("svc_name_en"), newNameEn), forms.field(ctx, t("cal_opens"), newOpens, "cal-time"),
          forms.field(ctx, t("cal_closes"), newCloses, "cal-time"), forms.field(ctx, t("cal_quota"), newQuota)
        ]),
        el("div", {className: "cfg-row"}, [el("span", {className: "cfg-ticks-label"}, t("cal_weekdays")), newDays]),
        el("div", {className: "cfg-row"}, [forms.field(ctx, t("cal_dates"), newDates, "cfg-wide"),
          el("label", {className: "cfg-tick"}, [newHolidays, " ", t("cal_on_holidays")])]),
        el("div", {className: "cfg-row"}, [el("span", {className: "cfg-ticks-label"}, t("col_services")), newServices]),
        el("div", {className: "cfg-buttons"}, [addButton, cancelEdit])
      ]);

      var form = el("form", {className: "cfg-form cal-form", id: "cal-form", novalidate: true, onsubmit: function (event) {
        event.preventDefault();
        var value = forms.copy(calendar);
        value.hours = {};
        rows.forEach(function (item) {
          if (!item.open.checked) { return; }
          value.hours[item.day] = [trim(item.opens.value), trim(item.closes.value)];
        });
        value.national_holidays = national.checked;
        value.cuti_bersama = holidays.values();
        value.extra_open_days = extra.values();
        value.sessions = sessions.map(function (item) {
          var changed = forms.copy(item.session);
          changed.quota = forms.number(item.quota.value, null, false);
          if (changed.quota === null) { delete changed.quota; }
          return changed;
        });
        forms.save(ctx, box, "PUT", "/calendar", value, current.version,
          function (answer) { current = answer; draw(); }, reload);
      }}, [
        el("div", {className: "cal-grid"}, [
          ctx.panel(t("cal_hours"), [el("table", {className: "grid cal-hours"}, [
            el("thead", {}, el("tr", {}, [t("cal_day"), t("cal_open"), t("cal_opens"), t("cal_closes")]
              .map(function (text) { return el("th", {}, text); }))),
            el("tbody", {}, rows.map(function (item) { return item.row; }))
          ]), el("label", {className: "cfg-tick"}, [national, " ", t("cal_national")])]),
          el("div", {}, [ctx.panel(t("cal_extra_open"), [extra], "cal-extra"), nationalList()])
        ]),
        ctx.panel(t("cal_holidays"), [el("p", {className: "muted"}, t("cal_holidays_hint")), holidays],
          "cal-holidays"),
        ctx.panel(t("cal_sessions"), [el("table", {className: "grid cal-sessions"}, [
          el("thead", {}, el("tr", {}, [t("cal_session"), t("cal_when"), t("col_services"), t("cal_quota"), ""]
            .map(function (text) { return el("th", {}, text); }))),
          sessionBody
        ]), adder]),
        el("div", {className: "cfg-buttons"}, [
          el("span", {className: "spacer"}),
          el("button", {type: "button", onclick: reload}, t("act_cancel")),
          el("button", {type: "submit", className: "primary", id: "cal-save"}, t("act_save"))
        ])
      ]);
      ui.append(ui.clear(view), [forms.head(ctx, "sec_calendars", current.version), box.node, form]);
    }

    ui.append(view, [forms.head(ctx, "sec_calendars", null), el("p", {className: "muted"}, t("loading"))]);
    reload();
  }

  admin.section({id: "calendars", group: "configuration", label: "sec_calendars", roles: ["admin"], show: show});
}(AntreAdmin, AntreForms, AntreDates));
