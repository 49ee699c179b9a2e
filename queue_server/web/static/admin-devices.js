// Devices: kiosks and displays with their status, last seen, component health and, for a
// kiosk, its outbox (items not yet delivered to the server, as its last health report said).
// Redrawn on the office's event stream, like the dashboard. Administrators may reset a
// device's credentials (POST devices/<id>/reset): the new MQTT password is shown once.
(function (admin) {
  "use strict";

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var generation = 0;
    var admin = ctx.user && ctx.user.role === "admin";
    var shown = null;  // the new credentials of a reset, until the section is left

    function reset(row) {
      if (!window.confirm(t("dev_reset_confirm", {device: row.id}))) { return; }
      ctx.request("POST", ctx.officeUrl("/devices/" + encodeURIComponent(row.id) + "/reset"), {},
        function (error, answer) {
          if (error) { ctx.say(error.message, "error"); return; }
          var password = el("input", {id: "dev-secret", readOnly: true, value: answer.mqtt_password,
            className: "tok-secret", "aria-label": t("dev_password")});
          password.onfocus = function () { password.select(); };
          shown = el("div", {className: "panel tok-once", "data-reset": answer.device}, [
            el("h2", {}, t("dev_reset_done", {device: answer.device})),
            el("p", {}, [t("dev_user") + ": ", el("code", {}, answer.mqtt_user)]),
            password,
            el("p", {}, t("tok_copy_hint")),
            el("p", {className: "tok-warning"}, t("dev_reprovision"))
          ]);
          ctx.say(t("dev_reset_done", {device: answer.device}), "ok");
          refresh(function () { password.focus(); });
        });
    }

    function health(row) {
      var names = Object.keys(row.health || {}).sort();
      if (!names.length) { return "–"; }
      return names.map(function (name) {
        var value = row.health[name];
        return el("span", {className: "chip" + (value === "ok" ? " chip-ok" : "")},
          name + ": " + ui.word("devices", value));
      });
    }

    // A kiosk's numbers leased for offline issuing today and not yet synced, per service.
    function leased(row) {
      var codes = Object.keys(row.leased_unsynced || {}).sort();
      if (!codes.length) { return "–"; }
      return codes.map(function (code) {
        return el("span", {className: "chip", title: ctx.serviceName(code)},
          code + ": " + row.leased_unsynced[code]);
      });
    }

    // "3 waiting, oldest 12 min", "empty", or "not reported" (a kiosk of an older version).
    function outbox(row) {
      var box = row.outbox;
      if (!box) { return row.kind === "kiosk" ? el("span", {className: "muted"}, t("dev_outbox_unknown")) : "–"; }
      if (!box.waiting) { return el("span", {className: "chip chip-ok"}, t("dev_outbox_empty")); }
      return el("span", {className: "chip dev-outbox-waiting"}, t("dev_outbox_waiting",
        {count: box.waiting, minutes: Math.round(box.oldest_minutes || 0)}));
    }

    function refresh(then) {
      var mine = ++generation;
      ctx.request("GET", ctx.officeUrl("/devices"), null,
        function (error, body) {
          if (mine !== generation) { return; }
          if (error) { ctx.say(error.message, "error"); return; }
          ui.append(ui.clear(view), [
            el("div", {className: "view-head"}, el("h1", {}, t("sec_devices"))),
            shown,
            ctx.panel(t("sec_devices") + " (" + body.items.length + ")", [body.items.length ? ctx.table([
              {label: t("col_device"), cell: function (row) { return el("strong", {}, row.id); }},
              {label: t("col_kind"), cell: function (row) { return row.kind; }},
              {label: t("col_status"), cell: function (row) {
                return el("span", {className: "badge " + (row.status === "online" ? "badge-open" : "badge-bad")},
                  ui.word("devices", row.status));
              }},
              {label: t("col_last_seen"), cell: function (row) { return ctx.stamp(row.last_seen_at); }},
              {label: t("col_health"), cell: health},
              {label: t("dev_leased"), cell: leased},
              {label: t("dev_outbox"), cell: outbox},
              {label: t("col_active"), cell: function (row) { return row.active ? t("yes") : t("no"); }}
            ].concat(admin ? [{label: t("col_actions"), className: "nowrap", cell: function (row) {
              return el("button", {type: "button", className: "danger-button dev-reset",
                onclick: function () { reset(row); }}, t("dev_reset"));
            }}] : []), body.items, {className: "dev-table", rowProps: function (row) { return {"data-device": row.id}; }}) :
              el("p", {className: "empty"}, t("no_devices"))])
          ]);
          if (typeof then === "function") { then(); }
        });
    }

    ui.append(view, [el("div", {className: "view-head"}, el("h1", {}, t("sec_devices"))),
      el("p", {className: "muted"}, t("loading"))]);
    refresh();
    var ticker = window.setInterval(function () { refresh(); }, 30000);  // health is not on the event stream
    return {refresh: function () { refresh(); }, leave: function () { generation++; window.clearInterval(ticker); }};
  }

  admin.section({id: "devices", group: "administration", label: "sec_devices",
    roles: ["admin", "laporan"], show: show});
}(AntreAdmin));
