// Counters (administrators): the list; create, edit and delete a counter (its code, the
// name on displays and tickets, the stations and services it serves). Saved one counter
// at a time (PUT/DELETE config/counters/<id>) with the version edited.
(function (admin, forms) {
  "use strict";

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var current = null;

    function serviceOptions() {
      return (current.settings.services || []).map(function (service) {
        return [service.id, service.prefix + " · " + (ui.language === "en" ? service.name_en : service.name_id)];
      });
    }

    function draw(formNode) {
      var counters = current.settings.counters || [];
      ui.append(ui.clear(view), [
        forms.head(ctx, "sec_counters", current.version, [
          el("button", {type: "button", id: "ctr-new", className: "primary", onclick: function () {
            edit(null);
          }}, t("ctr_new"))
        ]),
        box.node,
        formNode || null,
        ctx.panel(t("sec_counters") + " (" + counters.length + ")", [ctx.table([
          {label: t("col_id"), cell: function (row) { return el("code", {}, row.id); }},
          {label: t("col_name"), cell: function (row) { return el("strong", {}, row.name); }},
          {label: t("col_stations"), cell: function (row) {
            return (row.stations || []).map(function (code) {
              return el("span", {className: "badge chip", title: ui.word("stations", code)}, code);
            });
          }},
          {label: t("col_services"), cell: function (row) {
            return row.services && row.services.length ? row.services.join(", ") : t("all_services");
          }},
          {label: t("col_actions"), className: "nowrap", cell: function (row) {
            return [
              el("button", {type: "button", className: "ctr-edit", onclick: function () { edit(row); }}, t("act_edit")),
              " ",
              el("button", {type: "button", className: "danger-button ctr-delete", onclick: function () {
                remove(row);
              }}, t("act_delete"))
            ];
          }}
        ], counters, {rowProps: function (row) { return {"data-counter-id": row.id}; }})]),
        displays
      ]);
      loadDisplays();
    }

    // The counter displays and the counter each shows (PUT counter-displays/<device>).
    var displays = el("div", {className: "ctr-displays"});

    function loadDisplays() {
      ctx.request("GET", ctx.officeUrl("/counter-displays"), null, function (error, body) {
        if (error) { box.error(error, body); return; }
        var choices = [["", t("cd_no_counter")]].concat((current.settings.counters || []).map(function (c) {
          return [c.id, c.name + " (" + c.id + ")"];
        }));
        ui.append(ui.clear(displays), ctx.panel(t("cd_title") + " (" + body.items.length + ")", [
          body.items.length ? ctx.table([
            {label: t("col_device"), cell: function (row) { return el("code", {}, row.device); }},
            {label: t("cd_counter"), cell: function (row) {
              var picker = forms.select(ctx, choices, row.counter || "", {className: "cd-counter",
                "aria-label": t("cd_counter"), onchange: function () {
                  var chosen = picker.value || null;
                  ctx.request("PUT", ctx.officeUrl("/counter-displays/" + encodeURIComponent(row.device)),
                    {counter: chosen}, function (failed, answer) {
                      if (failed) { box.error(failed, answer); loadDisplays(); return; }
                      box.ok(t("cd_done", {device: row.device, counter: chosen || t("cd_no_counter")}));
                    });
                }});
              return picker;
            }}
          ], body.items, {rowProps: function (row) { return {"data-display": row.device}; }}) :
            el("p", {className: "empty"}, t("cd_none"))
        ]));
      });
    }

    function reload() {
      box.clear();
      forms.load(ctx, box, function (body) { current = body; draw(); });
    }

    function remove(counter) {
      var name = counter.name;
      if (!window.confirm(t("delete_confirm", {name: name}))) { return; }
      forms.save(ctx, box, "DELETE", "/counters/" + encodeURIComponent(counter.id), null,
        current.version, function (answer) {
          current = answer;
          draw();
          box.ok(t("did_delete", {name: name}));
        }, reload);
    }

    function edit(counter) {
      var creating = !counter;
      var original = creating ? {stations: [], services: []} : forms.copy(counter);
      var id = forms.input(ctx, {id: "ctr-id", value: original.id || "", disabled: !creating, maxlength: "40"});
      var name = forms.input(ctx, {id: "ctr-name", value: original.name || "", maxlength: "80"});
      var stations = forms.ticks(ctx, forms.stationOptions(ctx), original.stations || [], "stations");
      var served = forms.ticks(ctx, serviceOptions(), original.services || [], "services");
      var form = el("form", {className: "panel cfg-form", id: "ctr-form", novalidate: true, onsubmit: function (event) {
        event.preventDefault();
        var value = forms.copy(original);
        value.id = creating ? id.value.replace(/^\s+|\s+$/g, "") || "-" : original.id;
        value.name = name.value;
        value.stations = stations.values();
        value.services = served.values();
        if (!value.services.length) { delete value.services; }
        forms.save(ctx, box, "PUT", "/counters/" + encodeURIComponent(value.id), value,
          current.version, function (answer) { current = answer; draw(); }, reload);
      }}, [
        el("h2", {}, creating ? t("ctr_new") : t("ctr_edit", {id: original.id})),
        el("div", {className: "cfg-row"}, [
          forms.field(ctx, t("ctr_id"), id), forms.field(ctx, t("ctr_name"), name, "cfg-wide")
        ]),
        el("h3", {}, t("ctr_stations")), stations,
        el("h3", {}, t("ctr_services")), served,
        el("div", {className: "cfg-buttons"}, [
          el("span", {className: "spacer"}),
          el("button", {type: "button", onclick: function () { box.clear(); draw(); }}, t("act_cancel")),
          el("button", {type: "submit", className: "primary", id: "ctr-save"}, t("act_save"))
        ])
      ]);
      box.clear();
      draw(form);
      (creating ? id : name).focus();
    }

    ui.append(view, [forms.head(ctx, "sec_counters", null), el("p", {className: "muted"}, t("loading"))]);
    reload();
  }

  admin.section({id: "counters", group: "configuration", label: "sec_counters", roles: ["admin"], show: show});
}(AntreAdmin, AntreForms));
