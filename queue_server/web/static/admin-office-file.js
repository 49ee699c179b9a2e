// Office file (administrators): download the office as the YAML file `antre office load`
// reads (GET office-file), and import one back (POST office-file with the version it was
// made on): the answer is the new version and what changed, or every problem found.
(function (admin, forms) {
  "use strict";

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var version = null;
    var versionNode = el("span", {className: "muted cfg-version"});
    var file = el("input", {type: "file", id: "of-file", accept: ".yaml,.yml,application/yaml,text/yaml"});
    var button = el("button", {type: "submit", className: "primary", id: "of-upload"}, t("of_upload"));

    function reload() {
      forms.load(ctx, box, function (body) {
        version = body.version;
        versionNode.textContent = t("cfg_version", {version: version});
      });
    }

    var importForm = el("form", {className: "panel cfg-form", id: "of-form", novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      box.clear();
      var chosen = file.files && file.files[0];
      if (!chosen) { box.error({message: t("bk_choose")}); return; }
      button.disabled = true;
      var url = ctx.officeUrl("/office-file") + "?version=" + encodeURIComponent(String(version));
      ctx.upload(url, chosen, "application/yaml", function (error, body) {
        button.disabled = false;
        if (error) { box.error(error, body, function () { box.clear(); reload(); }); return; }
        version = body.version;
        versionNode.textContent = t("cfg_version", {version: version});
        var changed = body.changed && body.changed.length ?
          el("p", {className: "small"}, t("of_changed", {paths: body.changed.join(", ")})) :
          el("p", {}, t("of_nothing"));
        box.ok(t("of_imported", {version: body.version}), [changed].concat(forms.warnings(ctx, body.warning_messages || body.warnings)));
        ctx.say(t("of_imported", {version: body.version}), "ok");
      });
    }}, [
      el("h2", {}, t("of_import")),
      el("div", {className: "cfg-row"}, [forms.field(ctx, t("of_file"), file), button])
    ]);
    ui.append(view, [
      el("div", {className: "view-head"}, [el("h1", {}, t("sec_office_file")), versionNode]),
      box.node,
      ctx.panel(t("sec_office_file"), [
        el("p", {}, t("of_intro")),
        el("a", {className: "button primary", id: "of-download", href: ctx.officeUrl("/office-file"),
          download: ctx.office + ".yaml"}, t("of_download"))
      ]),
      importForm
    ]);
    reload();
  }

  admin.section({id: "office_file", group: "configuration", label: "sec_office_file", roles: ["admin"], show: show});
}(AntreAdmin, AntreForms));
