// Machine tokens (administrators): name, role, creator, offices, revoked; a revoke button.
// The secret of a token is never listed (it is shown once, when created).
(function (admin) {
  "use strict";

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;

    function revoke(token) {
      if (!window.confirm(t("revoke_confirm", {name: token.name}))) { return; }
      ctx.request("POST", "/api/v1/tokens/" + token.id + "/revoke", {}, function (error) {
        if (error) { ctx.say(error.message, "error"); return; }
        ctx.say(t("did_revoke", {name: token.name}), "ok");
        load();
      });
    }

    function load() {
      ctx.request("GET", "/api/v1/tokens", null, function (error, body) {
        if (error) { ctx.say(error.message, "error"); return; }
        ui.append(ui.clear(view), [
          el("div", {className: "view-head"}, el("h1", {}, t("sec_tokens"))),
          ctx.panel(t("sec_tokens") + " (" + body.items.length + ")", [body.items.length ? ctx.table([
            {label: t("col_name"), cell: function (row) { return el("strong", {}, row.name); }},
            {label: t("col_role"), cell: function (row) { return ui.word("roles", row.role); }},
            {label: t("col_created_by"), cell: function (row) { return row.created_by || "–"; }},
            {label: t("col_created"), cell: function (row) { return ctx.stamp(row.created_at); }},
            {label: t("col_offices"), cell: function (row) {
              return row.offices ? row.offices.join(", ") : t("all_offices");
            }},
            {label: t("col_revoked"), cell: function (row) {
              if (row.revoked) {
                return el("span", {className: "badge badge-closed"}, ctx.stamp(row.revoked_at));
              }
              return el("button", {type: "button", className: "danger-button", onclick: function () {
                revoke(row);
              }}, t("act_revoke"));
            }}
          ], body.items, {rowProps: function (row) { return {"data-token": row.name}; }}) :
            el("p", {className: "empty"}, t("empty"))])
        ]);
      });
    }

    ui.append(view, [el("div", {className: "view-head"}, el("h1", {}, t("sec_tokens"))),
      el("p", {className: "muted"}, t("loading"))]);
    load();
  }

  admin.section({id: "tokens", group: "administration", label: "sec_tokens", roles: ["admin"], show: show});
}(AntreAdmin));
