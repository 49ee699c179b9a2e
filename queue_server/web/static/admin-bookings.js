// Bookings import (administrators): choose an M-Paspor booking list (CSV), upload it
// (POST bookings/import), and read the report: rows imported, updated, unchanged, and each
// refused row with its line number and the reasons in the page's language.
(function (admin, forms) {
  "use strict";

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var box = forms.messages(ctx);
    var file = el("input", {type: "file", id: "bk-file", accept: ".csv,text/csv"});
    var report = el("div", {className: "bk-report"});
    var button = el("button", {type: "submit", className: "primary", id: "bk-upload"}, t("bk_upload"));

    function drawReport(body) {
      ui.append(ui.clear(report), ctx.panel(t("bk_report"), [
        el("p", {className: "bk-counts"}, t("bk_counts", {rows: body.rows, added: body.added,
          updated: body.updated, unchanged: body.unchanged, rejected: body.rejected.length})),
        body.rejected.length ? ctx.table([
          {label: t("col_line"), className: "n", cell: function (row) { return String(row.line); }},
          {label: t("col_reason"), cell: function (row) { return row.reasons[ui.language] || row.reasons.en; }}
        ], body.rejected, {className: "bk-rejected", rowProps: function (row) { return {"data-line": row.line}; }}) : null
      ]));
    }

    var form = el("form", {className: "panel cfg-form", id: "bk-form", novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      box.clear();
      var chosen = file.files && file.files[0];
      if (!chosen) { box.error({message: t("bk_choose")}); return; }
      button.disabled = true;
      ctx.say(t("loading"), "ok");
      ctx.upload(ctx.officeUrl("/bookings/import"), chosen, "text/csv", function (error, body) {
        button.disabled = false;
        if (error) { ui.clear(report); box.error(error, body); return; }
        ctx.say(t("bk_counts", {rows: body.rows, added: body.added, updated: body.updated,
          unchanged: body.unchanged, rejected: body.rejected.length}), "ok");
        drawReport(body);
      });
    }}, [
      el("p", {}, t("bk_intro")),
      el("div", {className: "cfg-row"}, [forms.field(ctx, t("bk_file"), file), button])
    ]);
    ui.append(view, [forms.head(ctx, "sec_bookings", null), box.node, form, report]);
  }

  admin.section({id: "bookings", group: "configuration", label: "sec_bookings", roles: ["admin"], show: show});
}(AntreAdmin, AntreForms));
