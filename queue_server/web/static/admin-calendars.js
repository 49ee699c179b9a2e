// Calendars (administrators): the opening hours per weekday, the national holidays switch,
// the extra closed days (cuti bersama, office holidays) and the days open despite a
// holiday, and the quotas of the special sessions. Saved as a whole (PUT config/calendar)
// with the version edited.
(function (admin, forms) {
  "use strict";
  var DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

  function trim(text) { return String(text).replace(/^\s+|\s+$/g, ""); }

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var current = null;

    function reload() {
      box.clear();
      forms.load(ctx, box, function (body) { current = body; draw(); });
    }

    // A list of dates with an add field and a remove button each; .values() in order.
    function dateList(name, dates) {
      var chosen = dates.slice();
      var list = el("ul", {className: "cfg-dates", "data-dates": name});
      var entry = forms.input(ctx, {type: "date", className: "cfg-date-input", "data-add": name,
        "aria-label": t("cal_date")});
      function redraw() {
        ui.clear(list);
        chosen.sort();
        if (!chosen.length) { ui.append(list, el("li", {className: "muted"}, t("none"))); }
        chosen.forEach(function (day) {
          ui.append(list, el("li", {"data-date": day}, [el("span", {className: "cfg-day"}, day), " ",
            el("button", {type: "button", className: "cfg-date-remove", onclick: function () {
              chosen.splice(chosen.indexOf(day), 1);
              redraw();
            }}, t("act_remove"))]));
        });
      }
      redraw();
      var node = el("div", {className: "cfg-date-list"}, [list, el("div", {className: "cfg-row"}, [
        entry,
        el("button", {type: "button", className: "cfg-date-add", "data-add-button": name, onclick: function () {
          var day = entry.value;
          if (!DATE_RE.test(day)) { box.error({message: t("cal_bad_date")}); return; }
          if (chosen.indexOf(day) >= 0) { box.error({message: t("cal_twice", {date: day})}); return; }
          box.clear();
          chosen.push(day);
          entry.value = "";
          redraw();
        }}, t("act_add"))
      ])]);
      node.values = function () { return chosen.slice(); };
      return node;
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
      var holidays = dateList("cuti_bersama", calendar.cuti_bersama || []);
      var extra = dateList("extra_open_days", calendar.extra_open_days || []);
      var sessions = [];
      var sessionBody = el("tbody", {});
      function addSession(session) {
        var quota = forms.input(ctx, {type: "number", min: "0", className: "cal-quota",
          value: session.quota === null || session.quota === undefined ? "" : String(session.quota),
          "aria-label": t("cal_quota")});
        var when = (session.weekdays || []).map(function (day) { return t("wd_" + day); })
          .concat(session.dates || []).join(", ");
        var item = {session: session, quota: quota};
        item.row = el("tr", {"data-session": session.code}, [
          el("td", {}, [el("strong", {}, ui.language === "en" ? session.name_en : session.name_id), " ",
            el("code", {className: "small"}, session.code)]),
          el("td", {}, when + " · " + session.opens + "–" + session.closes),
          el("td", {}, session.services && session.services.length ? session.services.join(", ") : t("all_services")),
          el("td", {}, quota),
          el("td", {}, el("button", {type: "button", className: "cal-session-remove", onclick: function () {
            sessions.splice(sessions.indexOf(item), 1);
            sessionBody.removeChild(item.row);
          }}, t("act_remove")))
        ]);
        sessions.push(item);
        ui.append(sessionBody, item.row);
      }
      (calendar.sessions || []).forEach(addSession);
      var newCode = forms.input(ctx, {id: "ses-code", maxlength: "40"});
      var newNameId = forms.input(ctx, {id: "ses-name-id", maxlength: "120"});
      var newNameEn = forms.input(ctx, {id: "ses-name-en", maxlength: "120"});
      var newOpens = forms.input(ctx, {id: "ses-opens", placeholder: "HH:MM", maxlength: "5", value: "08:00"});
      var newCloses = forms.input(ctx, {id: "ses-closes", placeholder: "HH:MM", maxlength: "5", value: "12:00"});
      var newQuota = forms.input(ctx, {id: "ses-quota", type: "number", min: "0"});
      var newDays = forms.ticks(ctx, forms.WEEKDAYS.map(function (day) { return [day, t("wd_" + day)]; }),
        [], "session-weekdays");
      var newServices = forms.ticks(ctx, (current.settings.services || []).map(function (service) {
        return [service.id, service.prefix + " · " + (ui.language === "en" ? service.name_en : service.name_id)];
      }), [], "session-services");
      var adder = el("div", {className: "cal-session-new"}, [
        el("h3", {}, t("cal_new_session")),
        el("div", {className: "cfg-row"}, [
          forms.field(ctx, t("ctr_id"), newCode), forms.field(ctx, t("svc_name_id"), newNameId),
          forms.field(ctx, t("svc_name_en"), newNameEn), forms.field(ctx, t("cal_opens"), newOpens, "cal-time"),
          forms.field(ctx, t("cal_closes"), newCloses, "cal-time"), forms.field(ctx, t("cal_quota"), newQuota)
        ]),
        newDays, newServices,
        el("div", {className: "cfg-buttons"}, el("button", {type: "button", id: "ses-add", onclick: function () {
          var session = {code: newCode.value.replace(/^\s+|\s+$/g, ""), name_id: newNameId.value,
            name_en: newNameEn.value, opens: newOpens.value.replace(/^\s+|\s+$/g, ""),
            closes: newCloses.value.replace(/^\s+|\s+$/g, ""), weekdays: newDays.values(),
            services: newServices.values()};
          var quota = forms.number(newQuota.value, null, false);
          if (quota !== null) { session.quota = quota; }
          addSession(session);  // checked by the server when the calendar is saved
          newCode.value = newNameId.value = newNameEn.value = newQuota.value = "";
        }}, t("cal_add_session")))
      ]);

      var form = el("form", {className: "cfg-form cal-form", id: "cal-form", onsubmit: function (event) {
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
          el("div", {}, [
            ctx.panel(t("cal_holidays"), [holidays], "cal-holidays"),
            ctx.panel(t("cal_extra_open"), [extra], "cal-extra")
          ])
        ]),
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
}(AntreAdmin, AntreForms));
