// Services (administrators): the list; create, edit and delete a service and its journey
// (the station steps with their SOP standard minutes, steps on a later working day).
// Saved one service at a time (PUT/DELETE config/services/<id>) with the version edited.
(function (admin, forms) {
  "use strict";

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var current = null;  // {version, settings}

    function kindName(kind) { return t("kind_" + kind); }

    function journeyText(service) {
      return (service.journey || []).map(function (step) {
        var text = step.station + " " + t("minutes", {minutes: ui.decimal(step.minutes)});
        if (step.after_working_days) { text += " (" + t("step_after", {days: step.after_working_days}) + ")"; }
        return text;
      }).join(" → ");
    }

    function draw(formNode) {
      var services = current.settings.services || [];
      ui.append(ui.clear(view), [
        forms.head(ctx, "sec_services", current.version, [
          el("button", {type: "button", id: "svc-new", className: "primary", onclick: function () {
            edit(null);
          }}, t("svc_new"))
        ]),
        box.node,
        formNode || null,
        ctx.panel(t("sec_services") + " (" + services.length + ")", [ctx.table([
          {label: t("col_prefix"), cell: function (row) { return el("span", {className: "prefix"}, row.prefix); }},
          {label: t("col_id"), cell: function (row) { return el("code", {}, row.id); }},
          {label: t("col_name"), cell: function (row) {
            return [el("strong", {}, ui.language === "en" ? row.name_en : row.name_id),
              row.active === false ? el("span", {className: "badge badge-closed"}, t("inactive")) : null];
          }},
          {label: t("col_kind"), cell: function (row) { return kindName(row.kind); }},
          {label: t("col_quota"), className: "n", cell: function (row) {
            return row.daily_quota === null || row.daily_quota === undefined ? t("no_quota") : String(row.daily_quota);
          }},
          {label: t("col_journey"), cell: function (row) { return el("span", {className: "small"}, journeyText(row)); }},
          {label: t("col_actions"), className: "nowrap", cell: function (row) {
            return [
              el("button", {type: "button", className: "svc-edit", onclick: function () { edit(row); }}, t("act_edit")),
              " ",
              el("button", {type: "button", className: "danger-button svc-delete", onclick: function () {
                remove(row);
              }}, t("act_delete"))
            ];
          }}
        ], services, {rowProps: function (row) { return {"data-service-id": row.id}; }})])
      ]);
    }

    function reload() {
      box.clear();
      forms.load(ctx, box, function (body) { current = body; draw(); });
    }

    function remove(service) {
      var name = service.id;
      if (!window.confirm(t("delete_confirm", {name: name}))) { return; }
      forms.save(ctx, box, "DELETE", "/services/" + encodeURIComponent(service.id), null,
        current.version, function (answer) {
          current = answer;
          draw();
          box.ok(t("did_delete", {name: name}));
        }, reload);
    }

    function stepRow(step, steps, list) {
      var station = forms.select(ctx, forms.stationOptions(ctx), step.station || "CS",
        {className: "step-station", "aria-label": t("step_station")});
      var minutes = forms.input(ctx, {className: "step-minutes", type: "number", min: "0", step: "any",
        value: step.minutes === undefined ? "" : String(step.minutes), "aria-label": t("step_minutes")});
      var label = forms.input(ctx, {className: "step-label", value: step.label || "",
        "aria-label": t("step_label"), maxlength: "120"});
      var later = forms.input(ctx, {className: "step-later", type: "number", min: "0", max: "60",
        value: String(step.after_working_days || 0), "aria-label": t("step_later")});
      var rating = el("input", {type: "checkbox", className: "step-rating", checked: !!step.rating,
        "aria-label": t("step_rating")});
      var row = el("tr", {className: "step-row"}, [
        el("td", {}, station), el("td", {}, minutes), el("td", {}, label), el("td", {}, later),
        el("td", {}, rating),
        el("td", {}, el("button", {type: "button", className: "step-remove", onclick: function () {
          steps.splice(steps.indexOf(entry), 1);
          list.removeChild(row);
        }}, t("act_remove")))
      ]);
      var entry = {
        row: row,
        value: function () {
          var value = forms.copy(step);
          value.station = station.value;
          value.minutes = forms.number(minutes.value, "", true);
          if (label.value) { value.label = label.value; } else { delete value.label; }
          value.after_working_days = forms.number(later.value, 0, false);
          if (!value.after_working_days) { delete value.after_working_days; }
          value.rating = rating.checked;
          if (!value.rating) { delete value.rating; }
          return value;
        }
      };
      steps.push(entry);
      return row;
    }

    function edit(service) {
      var creating = !service;
      var original = creating ? {journey: [{station: "CS", minutes: 5}]} : forms.copy(service);
      var id = forms.input(ctx, {id: "svc-id", value: original.id || "", disabled: !creating,
        maxlength: "40", required: true});
      var prefix = forms.input(ctx, {id: "svc-prefix", value: original.prefix || "", maxlength: "2",
        required: true});
      var nameId = forms.input(ctx, {id: "svc-name-id", value: original.name_id || "", maxlength: "120"});
      var nameEn = forms.input(ctx, {id: "svc-name-en", value: original.name_en || "", maxlength: "120"});
      var kind = forms.select(ctx, forms.KINDS.map(function (code) { return [code, kindName(code)]; }),
        original.kind || "walk_in", {id: "svc-kind"});
      var quota = forms.input(ctx, {id: "svc-quota", type: "number", min: "0",
        value: original.daily_quota === null || original.daily_quota === undefined ? "" : String(original.daily_quota)});
      var active = el("input", {id: "svc-active", type: "checkbox", checked: original.active !== false});
      var priority = el("input", {id: "svc-priority", type: "checkbox",
        checked: !original.priority_stations || original.priority_stations.BIO === "BIO_PRIORITY"});
      var steps = [];
      var list = el("tbody", {});
      (original.journey || []).forEach(function (step) { ui.append(list, stepRow(step, steps, list)); });
      var form = el("form", {className: "panel cfg-form", id: "svc-form", novalidate: true, onsubmit: function (event) {
        event.preventDefault();
        var value = forms.copy(original);
        value.id = creating ? id.value.replace(/^\s+|\s+$/g, "") : original.id;
        value.prefix = prefix.value.replace(/^\s+|\s+$/g, "").toUpperCase();
        value.name_id = nameId.value;
        value.name_en = nameEn.value;
        value.kind = kind.value;
        value.daily_quota = forms.number(quota.value, null, false);
        if (value.daily_quota === null) { delete value.daily_quota; }
        value.active = active.checked;
        if (priority.checked) {
          if (original.priority_stations && original.priority_stations.BIO !== "BIO_PRIORITY") {
            value.priority_stations = {BIO: "BIO_PRIORITY"};
          }
        } else {
          value.priority_stations = {};
        }
        value.journey = steps.map(function (entry) { return entry.value(); });
        if (!value.id) { value.id = "-"; }  // the server names the empty id
        forms.save(ctx, box, "PUT", "/services/" + encodeURIComponent(value.id), value,
          current.version, function (answer) { current = answer; draw(); }, reload);
      }}, [
        el("h2", {}, creating ? t("svc_new") : t("svc_edit", {id: original.id})),
        el("div", {className: "cfg-row"}, [
          forms.field(ctx, t("svc_id"), id), forms.field(ctx, t("svc_prefix"), prefix, "cfg-narrow"),
          forms.field(ctx, t("svc_kind"), kind), forms.field(ctx, t("svc_quota"), quota)
        ]),
        el("div", {className: "cfg-row"}, [
          forms.field(ctx, t("svc_name_id"), nameId, "cfg-wide"),
          forms.field(ctx, t("svc_name_en"), nameEn, "cfg-wide")
        ]),
        el("div", {className: "cfg-row"}, [
          el("label", {className: "cfg-tick"}, [active, " ", t("svc_active")]),
          el("label", {className: "cfg-tick"}, [priority, " ", t("svc_priority")])
        ]),
        el("h3", {}, t("svc_journey")),
        el("table", {className: "grid cfg-steps"}, [
          el("thead", {}, el("tr", {}, [t("step_station"), t("step_minutes"), t("step_label"),
            t("step_later"), t("step_rating"), ""].map(function (text) { return el("th", {}, text); }))),
          list
        ]),
        el("div", {className: "cfg-buttons"}, [
          el("button", {type: "button", id: "svc-add-step", onclick: function () {
            ui.append(list, stepRow({station: "CS", minutes: 5}, steps, list));
          }}, t("svc_add_step")),
          el("span", {className: "spacer"}),
          el("button", {type: "button", onclick: function () { box.clear(); draw(); }}, t("act_cancel")),
          el("button", {type: "submit", className: "primary", id: "svc-save"}, t("act_save"))
        ])
      ]);
      box.clear();
      draw(form);
      (creating ? id : prefix).focus();
    }

    ui.append(view, [forms.head(ctx, "sec_services", null), el("p", {className: "muted"}, t("loading"))]);
    reload();
  }

  admin.section({id: "services", group: "configuration", label: "sec_services", roles: ["admin"], show: show});
}(AntreAdmin, AntreForms));
