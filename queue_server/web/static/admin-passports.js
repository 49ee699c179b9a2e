// Ready passports (administrators): import the printing section's list of ready passports
// (CSV, POST passports/ready/import) and read its report; look one application up (ready
// since when, or the expected day); see the passports not collected yet, the longest
// waiting first (GET passports), refreshed when the office's event stream says so.
(function (admin, forms) {
  "use strict";
  var PAGE = 100;

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);

    // -- import ---------------------------------------------------------------------
    var file = el("input", {type: "file", id: "ps-file", accept: ".csv,text/csv"});
    var report = el("div", {className: "ps-report"});
    var upload = el("button", {type: "submit", className: "primary", id: "ps-upload"}, t("bk_upload"));

    function counts(body) {
      return t("ps_counts", {rows: body.rows, marked: body.marked,
        already: body.already_ready, rejected: body.rejected.length});
    }

    function drawReport(body) {
      ui.append(ui.clear(report), ctx.panel(t("bk_report"), [
        el("p", {className: "ps-counts"}, counts(body)),
        body.rejected.length ? ctx.table([
          {label: t("col_line"), className: "n", cell: function (row) { return String(row.line); }},
          {label: t("col_reason"), cell: function (row) { return row.reasons[ui.language] || row.reasons.en; }}
        ], body.rejected, {className: "ps-rejected", rowProps: function (row) { return {"data-line": row.line}; }}) : null
      ]));
    }

    var importForm = el("form", {className: "panel cfg-form", id: "ps-import", novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      box.clear();
      var chosen = file.files && file.files[0];
      if (!chosen) { box.error({message: t("bk_choose")}); return; }
      upload.disabled = true;
      ctx.say(t("loading"), "ok");
      ctx.upload(ctx.officeUrl("/passports/ready/import"), chosen, "text/csv", function (error, body) {
        upload.disabled = false;
        if (error) { ui.clear(report); box.error(error, body); return; }
        ctx.say(counts(body), "ok");
        drawReport(body);
        loadWaiting();
      });
    }}, [
      el("h2", {}, t("ps_import")),
      el("p", {}, t("ps_intro")),
      el("div", {className: "cfg-row"}, [forms.field(ctx, t("bk_file"), file), upload])
    ]);

    // -- look one up ------------------------------------------------------------------
    var number = el("input", {type: "text", id: "ps-number", inputMode: "numeric", autocomplete: "off",
      maxLength: 40});
    var answer = el("p", {className: "ps-answer", id: "ps-answer", "aria-live": "polite"});
    var lookForm = el("form", {className: "panel cfg-form", id: "ps-lookup", novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      ui.clear(answer);
      answer.className = "ps-answer";
      var wanted = number.value.replace(/\s+/g, "");
      if (!wanted) { answer.textContent = t("ps_type_number"); answer.className += " is-error"; return; }
      ctx.request("GET", ctx.officeUrl("/passports/" + encodeURIComponent(wanted)), null, function (error, body) {
        if (error) { answer.textContent = error.message; answer.className += " is-error"; return; }
        answer.textContent = body.application_no + ": " + (body.message[ui.language] || body.message.en) +
          (body.handed_over_at ? " " + t("ps_handed_over_at", {when: ctx.stamp(body.handed_over_at)}) : "");
        answer.className += body.ready ? " is-ready" : " is-waiting";
      });
    }}, [
      el("h2", {}, t("ps_lookup")),
      el("div", {className: "cfg-row"}, [forms.field(ctx, t("ps_number"), number),
        el("button", {type: "submit", id: "ps-look"}, t("ps_look"))]),
      answer
    ]);

    // -- not collected yet --------------------------------------------------------------
    var waiting = el("div", {className: "ps-waiting", id: "ps-waiting"});

    function drawWaiting(body) {
      var shown = body.items.length;
      ui.append(ui.clear(waiting), ctx.panel(t("ps_waiting"), [
        el("p", {className: "ps-summary"}, t("ps_summary", {total: body.total, today: body.handed_over_today})),
        shown ? ctx.table([
          {label: t("ps_number"), cell: function (row) { return row.application_no; }},
          {label: t("ps_ready_since"), cell: function (row) { return ctx.stamp(row.ready_at); }},
          {label: t("ps_days"), className: "n", cell: function (row) { return String(row.days_waiting); }}
        ], body.items, {className: "ps-list", rowProps: function (row) {
          return {"data-application": row.application_no};
        }}) : el("p", {className: "muted"}, t("none")),
        body.total > shown ? el("p", {className: "muted"}, t("ps_first", {shown: shown, total: body.total})) : null
      ]));
    }

    function loadWaiting() {
      ctx.request("GET", ctx.officeUrl("/passports?limit=" + PAGE), null, function (error, body) {
        if (error) { box.error(error, body); return; }
        drawWaiting(body);
      });
    }

    ui.append(view, [forms.head(ctx, "sec_passports", null), box.node, importForm, report, lookForm, waiting]);
    loadWaiting();
    return {refresh: loadWaiting};
  }

  admin.section({id: "passports", group: "configuration", label: "sec_passports", roles: ["admin"], show: show});
}(AntreAdmin, AntreForms));
