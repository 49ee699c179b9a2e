// Users (administrators): who may sign in, their role and offices; create a user
// (POST /api/v1/users) and deactivate one (asks first; POST users/<name>/deactivate);
// a user locked after failed sign-ins shows until when, and an Unlock button (POST users/<name>/unlock).
(function (admin, forms) {
  "use strict";
  var ROLES = ["petugas", "laporan", "admin"];

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var items = [];

    function draw(formNode) {
      ui.append(ui.clear(view), [
        el("div", {className: "view-head"}, [el("h1", {}, t("sec_users")),
          el("button", {type: "button", id: "usr-new", className: "primary", onclick: function () {
            edit();
          }}, t("usr_new"))]),
        box.node,
        formNode || null,
        ctx.panel(t("sec_users") + " (" + items.length + ")", [ctx.table([
          {label: t("col_username"), cell: function (row) { return el("strong", {}, row.username); }},
          {label: t("col_display_name"), cell: function (row) { return row.display_name; }},
          {label: t("col_role"), cell: function (row) { return ui.word("roles", row.role); }},
          {label: t("col_offices"), cell: function (row) {
            return row.offices ? row.offices.join(", ") : t("all_offices");
          }},
          {label: t("col_active"), cell: function (row) {
            return [el("span", {className: "badge " + (row.active ? "badge-open" : "badge-closed")},
              row.active ? t("yes") : t("no")), " ",
              row.locked_until ? el("span", {className: "badge badge-bad usr-locked"},
                t("usr_locked_until", {time: ui.clock(row.locked_until)})) : null];
          }},
          {label: t("col_actions"), className: "nowrap", cell: function (row) {
            var mine = ctx.user && row.username === ctx.user.username;
            var buttons = [
              row.locked_until ? el("button", {type: "button", className: "usr-unlock",
                onclick: function () { unlock(row); }}, t("usr_unlock")) : null, " ",
              row.active && !mine ? el("button", {type: "button", className: "danger-button usr-deactivate",
                onclick: function () { deactivate(row); }}, t("usr_deactivate")) : null
            ];
            return buttons[0] || buttons[2] ? buttons : "–";
          }}
        ], items, {rowProps: function (row) { return {"data-user": row.username}; }})])
      ]);
    }

    function load(then) {
      ctx.request("GET", "/api/v1/users", null, function (error, body) {
        if (error) { box.error(error, body); return; }
        items = body.items;
        draw();
        if (then) { then(); }
      });
    }

    function deactivate(user) {
      if (!window.confirm(t("usr_deactivate_confirm", {name: user.username}))) { return; }
      ctx.request("POST", "/api/v1/users/" + encodeURIComponent(user.username) + "/deactivate", {},
        function (error, answer) {
          if (error) { box.error(error, answer); return; }
          load(function () {
            box.ok(t("usr_did_deactivate", {name: user.username}));
            ctx.say(t("usr_did_deactivate", {name: user.username}), "ok");
          });
        });
    }

    function unlock(user) {
      ctx.request("POST", "/api/v1/users/" + encodeURIComponent(user.username) + "/unlock", {},
        function (error, answer) {
          if (error) { box.error(error, answer); return; }
          load(function () {
            box.ok(t("usr_did_unlock", {name: user.username}));
            ctx.say(t("usr_did_unlock", {name: user.username}), "ok");
          });
        });
    }

    function edit() {
      var username = forms.input(ctx, {id: "usr-username", maxlength: "40", autocomplete: "off"});
      var name = forms.input(ctx, {id: "usr-name", maxlength: "120"});
      var role = forms.select(ctx, ROLES.map(function (code) { return [code, ui.word("roles", code)]; }),
        "petugas", {id: "usr-role"});
      var mine = ctx.user && ctx.user.offices;
      var offices = forms.officeTicks(ctx);
      var password = forms.input(ctx, {id: "usr-password", type: "password", maxlength: "200",
        autocomplete: "new-password"});
      var form = el("form", {className: "panel cfg-form", id: "usr-form", novalidate: true, onsubmit: function (event) {
        event.preventDefault();
        var chosen = offices.values();
        var body = {username: username.value.replace(/^\s+|\s+$/g, ""), display_name: name.value,
          role: role.value, password: password.value};
        if (chosen.length || mine) { body.offices = chosen; }
        ctx.request("POST", "/api/v1/users", body, function (error, answer) {
          if (error) { box.error(error, answer); return; }
          load(function () {
            box.ok(t("usr_created", {name: answer.username}));
            ctx.say(t("usr_created", {name: answer.username}), "ok");
          });
        });
      }}, [
        el("h2", {}, t("usr_new")),
        el("div", {className: "cfg-row"}, [
          forms.field(ctx, t("col_username"), username),
          forms.field(ctx, t("col_display_name"), name, "cfg-wide"),
          forms.field(ctx, t("col_role"), role)
        ]),
        el("h3", {}, t("col_offices")), offices,
        mine ? null : el("p", {className: "muted"}, t("usr_offices_hint")),
        el("div", {className: "cfg-row"}, [forms.field(ctx, t("password"), password, "cfg-wide")]),
        el("p", {className: "muted"}, t("pw_rules")),
        el("div", {className: "cfg-buttons"}, [
          el("span", {className: "spacer"}),
          el("button", {type: "button", onclick: function () { box.clear(); draw(); }}, t("act_cancel")),
          el("button", {type: "submit", className: "primary", id: "usr-save"}, t("usr_create"))
        ])
      ]);
      box.clear();
      draw(form);
      username.focus();
    }

    ui.append(view, [el("div", {className: "view-head"}, el("h1", {}, t("sec_users"))),
      el("p", {className: "muted"}, t("loading"))]);
    load();
  }

  admin.section({id: "users", group: "administration", label: "sec_users", roles: ["admin"], show: show});
}(AntreAdmin, AntreForms));
