// The audit log, newest first, a page at a time (administrators and report readers).
(function (admin) {
  "use strict";
  var PAGE = 50;

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var offset = 0;

    function details(row) {
      var text = JSON.stringify(row.details || {});
      return text === "{}" ? "" : text;
    }

    function load() {
      ctx.request("GET", "/api/v1/audit?limit=" + PAGE + "&offset=" + offset, null,
        function (error, body) {
          if (error) { ctx.say(error.message, "error"); return; }
          var pager = el("div", {className: "pager"}, [
            el("button", {type: "button", id: "audit-newer", disabled: offset === 0, onclick: function () {
              offset = Math.max(0, offset - PAGE); load();
            }}, "← " + t("newer")),
            el("span", {}, t("page", {page: offset / PAGE + 1})),
            el("button", {type: "button", id: "audit-older", disabled: body.items.length < PAGE,
              onclick: function () { offset += PAGE; load(); }}, t("older") + " →")
          ]);
          ui.append(ui.clear(view), [
            el("div", {className: "view-head"}, [el("h1", {}, t("sec_audit")), pager]),
            ctx.panel(t("sec_audit"), [body.items.length ? ctx.table([
              {label: t("col_at"), className: "nowrap", cell: function (row) { return ctx.stamp(row.at); }},
              {label: t("col_actor"), cell: function (row) { return row.actor; }},
              {label: t("col_action"), cell: function (row) { return el("code", {}, row.action); }},
              {label: t("office"), cell: function (row) { return row.office || ""; }},
              {label: t("col_target"), cell: function (row) { return row.target || ""; }},
              {label: t("col_details"), className: "details", cell: details},
              {label: t("col_address"), cell: function (row) { return row.remote_addr || ""; }}
            ], body.items, {rowProps: function (row) { return {"data-action": row.action}; }}) :
              el("p", {className: "empty"}, t("empty"))])
          ]);
        });
    }

    ui.append(view, [el("div", {className: "view-head"}, el("h1", {}, t("sec_audit"))),
      el("p", {className: "muted"}, t("loading"))]);
    load();
  }

  admin.section({id: "audit", group: "administration", label: "sec_audit",
    roles: ["admin", "laporan"], show: show});
}(AntreAdmin));
