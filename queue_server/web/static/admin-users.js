// Users (administrators): who may sign in, their role and offices. Read only here.
(function (admin) {
  "use strict";

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    ui.append(view, [el("div", {className: "view-head"}, el("h1", {}, t("sec_users"))),
      el("p", {className: "muted"}, t("loading"))]);
    ctx.request("GET", "/api/v1/users", null, function (error, body) {
      if (error) { ctx.say(error.message, "error"); return; }
      ui.append(ui.clear(view), [
        el("div", {className: "view-head"}, el("h1", {}, t("sec_users"))),
        ctx.panel(t("sec_users") + " (" + body.items.length + ")", [ctx.table([
          {label: t("col_username"), cell: function (row) { return el("strong", {}, row.username); }},
          {label: t("col_display_name"), cell: function (row) { return row.display_name; }},
          {label: t("col_role"), cell: function (row) { return ui.word("roles", row.role); }},
          {label: t("col_offices"), cell: function (row) {
            return row.offices ? row.offices.join(", ") : t("all_offices");
          }},
          {label: t("col_active"), cell: function (row) {
            return el("span", {className: "badge " + (row.active ? "badge-open" : "badge-closed")},
              row.active ? t("yes") : t("no"));
          }}
        ], body.items, {rowProps: function (row) { return {"data-user": row.username}; }})])
      ]);
    });
  }

  admin.section({id: "users", group: "administration", label: "sec_users", roles: ["admin"], show: show});
}(AntreAdmin));
