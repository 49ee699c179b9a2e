// Registrations (administrators and report readers): a day's remote registrations, the day
// typed DD/MM/YYYY (default today, office time). Per window its quota, the places taken,
// checked in, not come yet and cancelled (GET registrations?day=); then the list in the
// order made (no phone: only a hash is stored). Administrators cancel a registration not
// checked in yet (asks first; POST registrations/<id>/cancel): its place goes back to the
// quota. Redrawn when the office's event stream says something changed. Plain ES5.
(function (admin, forms, dates) {
  "use strict";
  var chosen = null;  // the ISO day last shown (kept while the console is open)

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var mayCancel = ctx.user && ctx.user.role === "admin";
    var day = dates.input(ctx, {id: "rg-day", value: dates.show(chosen || ctx.officeDay())});
    var result = el("div", {className: "rg-result", id: "rg-result"});
    var generation = 0;

    // "23/11/2026 14:05" in the office's time.
    function when(iso) { return iso ? ctx.stamp(iso).replace(/-/g, "/") : "–"; }
    function named(names) { return names[ui.language] || names.en; }

    function statusBadge(status) {
      var kind = status === "checked_in" ? "chip-ok" : status === "cancelled" ? "badge-bad" : "";
      return el("span", {className: "badge rg-status " + kind, "data-status": status}, t("rg_st_" + status));
    }

    function cancel(row) {
      if (!window.confirm(t("rg_cancel_confirm", {code: row.code}))) { return; }
      ctx.request("POST", ctx.officeUrl("/registrations/" + row.id + "/cancel"), {}, function (error, body) {
        if (error) { box.error(error, body); return; }
        box.ok(t("rg_did_cancel", {code: row.code}));
        ctx.say(t("rg_did_cancel", {code: row.code}), "ok");
        load();
      });
    }

    function windowsPanel(body) {
      return ctx.panel(t("rg_windows", {day: dates.show(body.day)}), [ctx.table([
        {label: t("rg_window"), cell: function (row) { return named(row.names); }},
        {label: t("rg_quota"), className: "n", cell: function (row) {
          return row.quota === null ? t("rg_no_quota") : String(row.quota);
        }},
        {label: t("rg_taken"), className: "n", cell: function (row) {
          return row.places_taken === null ? "–" : String(row.places_taken);
        }},
        {label: t("rg_checked_in"), className: "n", cell: function (row) { return String(row.checked_in); }},
        {label: t("rg_not_come"), className: "n", cell: function (row) { return String(row.not_come); }},
        {label: t("rg_cancelled"), className: "n", cell: function (row) { return String(row.cancelled); }}
      ], body.windows, {className: "rg-windows", rowProps: function (row) { return {"data-window": row.window}; }})]);
    }

    function listPanel(body) {
      var open = body.day >= body.today;  // a past day's registrations are not cancelled
      var columns = [
        {label: t("rg_window"), cell: function (row) { return named(row.window_names); }},
        {label: t("rg_service"), cell: function (row) { return named(row.service_names); }},
        {label: t("rg_code"), className: "rg-code", cell: function (row) { return row.code; }},
        {label: t("rg_channel"), cell: function (row) { return t("rg_ch_" + row.channel); }},
        {label: t("rg_status"), cell: function (row) { return statusBadge(row.status); }},
        {label: t("rg_created"), className: "nowrap", cell: function (row) { return when(row.created_at); }},
        {label: t("rg_checked_in_at"), className: "nowrap", cell: function (row) { return when(row.checked_in_at); }}
      ];
      if (mayCancel && open) {
        columns.push({label: "", cell: function (row) {
          if (row.status !== "confirmed") { return ""; }
          return el("button", {type: "button", className: "danger-button rg-cancel",
            onclick: function () { cancel(row); }}, t("rg_cancel"));
        }});
      }
      return ctx.panel(t("rg_list", {count: body.items.length}), [
        body.items.length ? ctx.table(columns, body.items, {className: "rg-list", rowProps: function (row) {
          return {"data-code": row.code, "data-status": row.status};
        }}) : el("p", {className: "muted"}, t("rg_none"))
      ]);
    }

    function load() {
      var wanted = dates.parse(day.value);
      if (!wanted) { box.error({message: t("rg_bad_day")}); return; }
      chosen = wanted;
      var mine = ++generation;
      ctx.request("GET", ctx.officeUrl("/registrations?day=" + encodeURIComponent(wanted)), null,
        function (error, body) {
          if (mine !== generation) { return; }  // a later request answers for the view
          if (error) { ui.clear(result); box.error(error, body); return; }
          ui.append(ui.clear(result), [windowsPanel(body), listPanel(body)]);
        });
    }

    var form = el("form", {className: "panel cfg-form", id: "rg-form", novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      box.clear();
      load();
    }}, [
      el("p", {}, t("rg_intro")),
      el("div", {className: "cfg-row"}, [forms.field(ctx, t("rg_day"), day),
        el("button", {type: "submit", className: "primary", id: "rg-show"}, t("rg_show"))])
    ]);

    ui.append(view, [forms.head(ctx, "sec_registrations", null), box.node, form, result]);
    load();
    return {refresh: load};
  }

  admin.section({id: "registrations", group: "monitoring", label: "sec_registrations",
    roles: ["admin", "laporan"], show: show});
}(AntreAdmin, AntreForms, AntreDates));
