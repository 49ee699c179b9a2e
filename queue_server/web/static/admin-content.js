// Content (administrators): per service what the kiosks show, the documents to bring and
// an information page, in Indonesian and English (GET content/history, PUT config/content
// with the version edited; the server numbers each new content version). The earlier
// versions are listed; one's text can be put back into the form. Beside the form, the
// kiosk's screen as it will look (admin-preview.js), redrawn as the administrator types.
(function (admin, forms) {
  "use strict";

  function lines(text) {
    return String(text).split(/\r?\n/).map(function (line) {
      return line.replace(/^\s+|\s+$/g, "");
    }).filter(function (line) { return line.length > 0; });
  }

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var history = null;  // the content/history answer
    var chosen = null;   // the service id edited

    function reload(keepMessage) {
      if (keepMessage !== true) { box.clear(); }
      ctx.request("GET", ctx.officeUrl("/content/history"), null, function (error, body) {
        if (error) { box.error(error, body); return; }
        ctx.request("GET", ctx.officeUrl("/config/services"), null, function (failed, services) {
          if (failed) { box.error(failed, services); return; }
          history = body;
          history.services = services.value || [];
          if (!chosen && history.services.length) { chosen = history.services[0].id; }
          draw();
        });
      });
    }

    function entryOf(content, id) {
      var services = content && content.services ? content.services : {};
      return services[id] || {};
    }

    function draw() {
      var entry = entryOf(history.content, chosen);
      var picker = forms.select(ctx, history.services.map(function (service) {
        return [service.id, service.prefix + " · " + (ui.language === "en" ? service.name_en : service.name_id)];
      }), chosen, {id: "ct-service", onchange: function () { chosen = picker.value; box.clear(); draw(); }});
      var reqId = el("textarea", {id: "ct-req-id", rows: "6"});
      var reqEn = el("textarea", {id: "ct-req-en", rows: "6"});
      var infoId = el("textarea", {id: "ct-info-id", rows: "5", maxlength: "1000"});
      var infoEn = el("textarea", {id: "ct-info-en", rows: "5", maxlength: "1000"});
      var preview = AntreKioskPreview.create(ctx);  // admin-preview.js
      function showPreview() {
        var service = history.services.filter(function (item) { return item.id === chosen; })[0] || {};
        var info = {id: infoId.value.replace(/^\s+|\s+$/g, ""), en: infoEn.value.replace(/^\s+|\s+$/g, "")};
        preview.update({
          office: ctx.info && ctx.info.office ? ctx.info.office.name : "",
          name: {id: service.name_id || "", en: service.name_en || ""},
          // as the server publishes it: the information page, else the service's description
          description: info.id || info.en ? info : {id: service.description_id || "", en: service.description_en || ""},
          requirements: {id: lines(reqId.value), en: lines(reqEn.value)}
        });
      }
      [reqId, reqEn, infoId, infoEn].forEach(function (area) { area.oninput = showPreview; });
      function fill(source) {
        reqId.value = (source.requirements_id || []).join("\n");
        reqEn.value = (source.requirements_en || []).join("\n");
        infoId.value = source.info_id || "";
        infoEn.value = source.info_en || "";
        showPreview();
      }
      var form = el("form", {className: "panel cfg-form", id: "ct-form", novalidate: true, onsubmit: function (event) {
        event.preventDefault();
        var content = forms.copy(history.content || {services: {}});
        content.services = content.services || {};
        delete content.version;  // the server counts
        var edited = {requirements_id: lines(reqId.value), requirements_en: lines(reqEn.value),
          info_id: infoId.value.replace(/^\s+|\s+$/g, ""), info_en: infoEn.value.replace(/^\s+|\s+$/g, "")};
        if (edited.requirements_id.length || edited.requirements_en.length || edited.info_id || edited.info_en) {
          content.services[chosen] = edited;
        } else {
          delete content.services[chosen];
        }
        forms.save(ctx, box, "PUT", "/content", content, history.config_version, function () {
          reload(true);
        }, function () { reload(false); });
      }}, [
        el("p", {className: "muted"}, t("ct_intro")),
        el("div", {className: "cfg-row"}, [forms.field(ctx, t("ct_service"), picker)]),
        el("div", {className: "ct-grid"}, [
          forms.field(ctx, t("ct_req_id"), reqId), forms.field(ctx, t("ct_req_en"), reqEn),
          forms.field(ctx, t("ct_info_id"), infoId), forms.field(ctx, t("ct_info_en"), infoEn)
        ]),
        el("div", {className: "cfg-buttons"}, [
          el("span", {className: "spacer"}),
          el("button", {type: "button", onclick: function () { box.clear(); fill(entry); }}, t("act_cancel")),
          el("button", {type: "submit", className: "primary", id: "ct-save"}, t("act_save"))
        ])
      ]);
      var previous = history.previous || [];
      ui.append(ui.clear(view), [
        forms.head(ctx, "sec_content", history.config_version, [
          el("span", {className: "badge badge-open", id: "ct-version"}, t("ct_version", {version: history.version}))
        ]),
        box.node,
        el("div", {className: "ct-with-preview"}, [form, preview.node]),
        ctx.panel(t("ct_history") + " (" + previous.length + ")", [previous.length ? ctx.table([
          {label: t("col_version"), className: "n", cell: function (row) { return row.version === null ? "–" : String(row.version); }},
          {label: t("col_at"), className: "nowrap", cell: function (row) { return ctx.stamp(row.at); }},
          {label: t("col_actor"), cell: function (row) { return row.actor; }},
          {label: t("ct_req_id"), cell: function (row) {
            return t("ct_items", {count: (entryOf(row.content, chosen).requirements_id || []).length});
          }},
          {label: t("col_actions"), cell: function (row) {
            return el("button", {type: "button", className: "ct-use", onclick: function () {
              fill(entryOf(row.content, chosen));
            }}, t("ct_use"));
          }}
        ], previous, {rowProps: function (row) { return {"data-version": row.version}; }}) :
          el("p", {className: "empty"}, t("none"))])
      ]);
      fill(entry);  // in the page now: the preview can tell whether its list scrolls
    }

    ui.append(view, [forms.head(ctx, "sec_content", null), el("p", {className: "muted"}, t("loading"))]);
    reload();
  }

  admin.section({id: "content", group: "configuration", label: "sec_content", roles: ["admin"], show: show});
}(AntreAdmin, AntreForms));
