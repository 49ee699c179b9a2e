// Notifications (administrators): today's messages by status, the latest messages of the
// office (recipient masked) with a status filter, "send again" for a failed one (the number
// is asked again: a settled message keeps none), and the opt-out list (masked numbers).
(function (admin, forms) {
  "use strict";
  var STATUSES = ["pending", "sending", "sent", "failed"];

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var filter = "";

    // "23/11/2026 14:05" in the office's time.
    function when(iso) { return iso ? ctx.stamp(iso).replace(/-/g, "/") : "–"; }

    function badge(status) {
      var kind = status === "sent" ? "chip-ok" : status === "failed" ? "badge-bad" : "";
      return el("span", {className: "badge ntf-status " + kind, "data-status": status},
        ui.word("ntf_statuses", status));
    }

    function retry(row) {
      var phone = window.prompt(t("ntf_retry_prompt"), "");
      if (phone === null || !phone.replace(/\s+/g, "")) { return; }
      ctx.request("POST", ctx.officeUrl("/notifications/" + row.id + "/retry"), {phone: phone},
        function (error, answer) {
          if (error) { box.error(error, answer); return; }
          box.clear();
          ctx.say(t("ntf_retried"), "ok");
          load();
        });
    }

    function counts(body) {
      return el("div", {className: "ntf-counts", id: "ntf-counts"}, STATUSES.map(function (status) {
        return el("div", {className: "ntf-count", "data-status": status}, [
          el("span", {className: "ntf-count-n"}, String(body.counts[status] || 0)),
          el("span", {}, ui.word("ntf_statuses", status))
        ]);
      }));
    }

    function messages(body) {
      var choice = forms.select(ctx, [["", t("ntf_all")]].concat(STATUSES.map(function (status) {
        return [status, ui.word("ntf_statuses", status)];
      })), filter, {id: "ntf-filter", "aria-label": t("col_status")});
      choice.onchange = function () { filter = choice.value; load(); };
      var rows = body.items.length ? ctx.table([
        {label: t("col_template"), cell: function (row) { return ui.word("ntf_templates", row.template); }},
        {label: t("col_recipient"), className: "nowrap", cell: function (row) {
          return row.recipient || (row.opted_out ? t("ntf_opted_out") : "–");
        }},
        {label: t("col_status"), cell: function (row) { return badge(row.status); }},
        {label: t("col_attempts"), cell: function (row) { return String(row.attempts); }},
        {label: t("col_error"), cell: function (row) { return row.last_error || ""; }},
        {label: t("col_created"), className: "nowrap", cell: function (row) { return when(row.created_at); }},
        {label: t("col_settled"), className: "nowrap", cell: function (row) { return when(row.settled_at); }},
        {label: "", cell: function (row) {
          if (row.status !== "failed" || row.opted_out) { return ""; }
          return el("button", {type: "button", className: "ntf-retry", onclick: function () { retry(row); }},
            t("ntf_retry"));
        }}
      ], body.items, {rowProps: function (row) {
        return {"data-id": String(row.id), "data-status": row.status};
      }}) : el("p", {className: "empty"}, t("empty"));
      return ctx.panel(t("ntf_recent"), [el("div", {className: "cfg-row"},
        forms.field(ctx, t("col_status"), choice)), rows]);
    }

    function optOuts(list) {
      var phone = forms.input(ctx, {id: "ntf-optout-phone", type: "tel", maxlength: "20",
        autocomplete: "off", placeholder: "0812 3456 7890"});
      var form = el("form", {className: "cfg-row", id: "ntf-optout-form", novalidate: true,
        onsubmit: function (event) {
          event.preventDefault();
          ctx.request("POST", "/api/v1/notifications/opt-outs", {phone: phone.value}, function (error, answer) {
            if (error) { box.error(error, answer); return; }
            box.clear();
            ctx.say(t("ntf_optout_added", {phone: answer.recipient}), "ok");
            load();
          });
        }}, [forms.field(ctx, t("ntf_phone"), phone),
        el("button", {type: "submit", className: "primary", id: "ntf-optout-add"}, t("ntf_optout_add"))]);
      var table = list.items.length ? ctx.table([
        {label: t("col_recipient"), className: "nowrap", cell: function (row) { return row.recipient; }},
        {label: t("col_created"), className: "nowrap", cell: function (row) { return when(row.created_at); }},
        {label: "", cell: function (row) {
          return el("button", {type: "button", className: "danger-button ntf-optout-remove", onclick: function () {
            ctx.request("DELETE", "/api/v1/notifications/opt-outs/" + encodeURIComponent(row.id), null,
              function (error, answer) {
                if (error) { box.error(error, answer); return; }
                ctx.say(t("ntf_optout_removed", {phone: row.recipient}), "ok");
                load();
              });
          }}, t("ntf_optout_remove"));
        }}
      ], list.items, {rowProps: function (row) { return {"data-optout": row.recipient}; }}) :
        el("p", {className: "empty"}, t("empty"));
      return ctx.panel(t("ntf_optouts"), [el("p", {className: "muted"}, t("ntf_optout_hint")), form, table],
        "ntf-optouts");
    }

    function load() {
      var url = ctx.officeUrl("/notifications") + (filter ? "?status=" + encodeURIComponent(filter) : "");
      ctx.request("GET", url, null, function (error, body) {
        if (error) { ctx.say(error.message, "error"); return; }
        ctx.request("GET", "/api/v1/notifications/opt-outs", null, function (error2, list) {
          if (error2) { ctx.say(error2.message, "error"); return; }
          ui.append(ui.clear(view), [
            el("div", {className: "view-head"}, el("h1", {}, t("sec_notifications"))),
            box.node,
            ctx.panel(t("ntf_today"), [counts(body)]),
            messages(body),
            optOuts(list)
          ]);
        });
      });
    }

    ui.append(view, [el("div", {className: "view-head"}, el("h1", {}, t("sec_notifications"))),
      el("p", {className: "muted"}, t("loading"))]);
    load();

  }

  admin.section({id: "notifications", group: "monitoring", label: "sec_notifications",
    roles: ["admin"], show: show});
}(AntreAdmin, AntreForms));
