// Devices: kiosks and displays with their status, last seen and component health.
// Redrawn on the office's event stream, like the dashboard.
(function (admin) {
  "use strict";

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var generation = 0;

    function health(row) {
      var names = Object.keys(row.health || {}).sort();
      if (!names.length) { return "–"; }
      return names.map(function (name) {
        var value = row.health[name];
        return el("span", {className: "chip" + (value === "ok" ? " chip-ok" : "")},
          name + ": " + ui.word("devices", value));
      });
    }

    function refresh() {
      var mine = ++generation;
      ctx.request("GET", ctx.officeUrl("/devices"), null,
        function (error, body) {
          if (mine !== generation) { return; }
          if (error) { ctx.say(error.message, "error"); return; }
          ui.append(ui.clear(view), [
            el("div", {className: "view-head"}, el("h1", {}, t("sec_devices"))),
            ctx.panel(t("sec_devices") + " (" + body.items.length + ")", [body.items.length ? ctx.table([
              {label: t("col_device"), cell: function (row) { return el("strong", {}, row.id); }},
              {label: t("col_kind"), cell: function (row) { return row.kind; }},
              {label: t("col_status"), cell: function (row) {
                return el("span", {className: "badge " + (row.status === "online" ? "badge-open" : "badge-bad")},
                  ui.word("devices", row.status));
              }},
              {label: t("col_last_seen"), cell: function (row) { return ctx.stamp(row.last_seen_at); }},
              {label: t("col_health"), cell: health},
              {label: t("col_active"), cell: function (row) { return row.active ? t("yes") : t("no"); }}
            ], body.items, {rowProps: function (row) { return {"data-device": row.id}; }}) :
              el("p", {className: "empty"}, t("no_devices"))])
          ]);
        });
    }

    ui.append(view, [el("div", {className: "view-head"}, el("h1", {}, t("sec_devices"))),
      el("p", {className: "muted"}, t("loading"))]);
    refresh();
    var ticker = window.setInterval(refresh, 30000);  // health is not on the event stream
    return {refresh: refresh, leave: function () { generation++; window.clearInterval(ticker); }};
  }

  admin.section({id: "devices", group: "administration", label: "sec_devices",
    roles: ["admin", "laporan"], show: show});
}(AntreAdmin));
