// Machine tokens (administrators): name, role, creator, offices, revoked; a revoke button;
// create a token (POST /api/v1/tokens). The secret of a token is never listed: it is shown
// once, right after it is created, with a warning to copy it now.
(function (admin, forms) {
  "use strict";
  var ROLES = ["kiosk", "petugas", "laporan", "admin"];

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);

    function revoke(token) {
      if (!window.confirm(t("revoke_confirm", {name: token.name}))) { return; }
      ctx.request("POST", "/api/v1/tokens/" + token.id + "/revoke", {}, function (error) {
        if (error) { ctx.say(error.message, "error"); return; }
        ctx.say(t("did_revoke", {name: token.name}), "ok");
        box.clear();
        load();
      });
    }

    // The new token's secret, once: selected for copying, with the warning.
    function secret(answer) {
      var value = el("input", {id: "tok-secret", readOnly: true, value: answer.token,
        className: "tok-secret", "aria-label": t("tok_secret")});
      value.onfocus = function () { value.select(); };
      return el("div", {className: "panel tok-once"}, [
        el("h2", {}, t("tok_created", {name: answer.name})),
        value,
        el("p", {}, t("tok_copy_hint")),
        el("p", {className: "tok-warning"}, t("tok_once_warning"))
      ]);
    }

    function form() {
      var name = forms.input(ctx, {id: "tok-name", maxlength: "80", autocomplete: "off"});
      var role = forms.select(ctx, ROLES.map(function (code) { return [code, ui.word("roles", code)]; }),
        "kiosk", {id: "tok-role"});
      var offices = forms.officeTicks(ctx);
      return el("form", {className: "panel cfg-form", id: "tok-form", novalidate: true, onsubmit: function (event) {
        event.preventDefault();
        var body = {name: name.value.replace(/^\s+|\s+$/g, ""), role: role.value};
        var chosen = offices.values();
        if (chosen.length || (ctx.user && ctx.user.offices)) { body.offices = chosen; }
        ctx.request("POST", "/api/v1/tokens", body, function (error, answer) {
          if (error) { box.error(error, answer); return; }
          box.clear();
          ctx.say(t("tok_created", {name: answer.name}), "ok");
          load(secret(answer));
        });
      }}, [
        el("h2", {}, t("tok_new")),
        el("div", {className: "cfg-row"}, [
          forms.field(ctx, t("col_name"), name, "cfg-wide"),
          forms.field(ctx, t("col_role"), role)
        ]),
        el("p", {className: "muted"}, t("tok_name_hint")),
        el("h3", {}, t("col_offices")), offices,
        el("div", {className: "cfg-buttons"}, [
          el("span", {className: "spacer"}),
          el("button", {type: "button", onclick: function () { box.clear(); load(); }}, t("act_cancel")),
          el("button", {type: "submit", className: "primary", id: "tok-save"}, t("tok_create"))
        ])
      ]);
    }

    function load(top) {
      ctx.request("GET", "/api/v1/tokens", null, function (error, body) {
        if (error) { ctx.say(error.message, "error"); return; }
        ui.append(ui.clear(view), [
          el("div", {className: "view-head"}, [el("h1", {}, t("sec_tokens")),
            el("button", {type: "button", id: "tok-new", className: "primary", onclick: function () {
              box.clear();
              load(form());
            }}, t("tok_new"))]),
          box.node,
          top || null,
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
        if (top && top.querySelector) {
          var first = top.querySelector("#tok-secret") || top.querySelector("#tok-name");
          if (first) { first.focus(); }
        }
      });
    }

    ui.append(view, [el("div", {className: "view-head"}, el("h1", {}, t("sec_tokens"))),
      el("p", {className: "muted"}, t("loading"))]);
    load();
  }

  admin.section({id: "tokens", group: "administration", label: "sec_tokens", roles: ["admin"], show: show});
}(AntreAdmin, AntreForms));
