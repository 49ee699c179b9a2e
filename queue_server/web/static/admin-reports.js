// Reports: choose a kind, office days, grouping and station; see the table, the 3-minute
// distribution as a bar chart, CSV and XLSX downloads, and the printable daily recap.
// The shortcut "Biometrics (BIO) against the SOP standard" answers the head of office's
// question: how long did people wait for BIO on a day, and were services within 10 min?
(function (admin) {
  "use strict";
  var KINDS = ["compliance", "waiting", "service_time", "volumes", "ratings", "estimates",
    "drive_thru"];
  var GROUPS = {
    waiting: ["service", "station", "counter", "officer", "hour", "day"],
    service_time: ["service", "station", "counter", "officer", "hour", "day"],
    ratings: ["station", "officer", "counter", "service", "day"],
    compliance: [], volumes: [], estimates: [], drive_thru: []
  };
  var STATIONS = ["INFO", "CS", "BIO", "BIO_PRIORITY", "BAP", "LOKET", "PAY", "PICKUP", "COMPLAINT"];
  // Columns that are shares (0-1), shown as percentages.
  var SHARES = ["service_compliance", "wait_within_standard"];
  // What the form held last, kept while the console stays open.
  var remembered = null;

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var today = ctx.officeDay();
    var choice = remembered ||
      {kind: "compliance", from: today, to: today, group: "", station: "", service: ""};
    var generation = 0;

    function options(values, selected, label) {
      return values.map(function (value) {
        return el("option", {value: value, selected: value === selected ? true : null}, label(value));
      });
    }

    var kind = el("select", {id: "rep-kind"}, options(KINDS, choice.kind, function (v) {
      return ui.word("kinds", v);
    }));
    // Office days typed DD/MM/YYYY (AntreDates), sent as ISO dates.
    var from = window.AntreDates.input(ctx, {id: "rep-from", value: window.AntreDates.show(choice.from)});
    var to = window.AntreDates.input(ctx, {id: "rep-to", value: window.AntreDates.show(choice.to)});
    // The ISO day typed in a field ("" when empty, null when not a date).
    function typed(input) {
      return /^\s*$/.test(input.value) ? "" : window.AntreDates.parse(input.value);
    }
    var group = el("select", {id: "rep-group"});
    var station = el("select", {id: "rep-station"}, [el("option", {value: ""}, t("rep_all_stations"))]
      .concat(options(STATIONS, choice.station, function (v) { return ui.word("stations", v); })));
    var services = (ctx.info ? ctx.info.services : []).map(function (item) { return item.id; });
    var service = el("select", {id: "rep-service"}, [el("option", {value: ""}, t("rep_all_services"))]
      .concat(options(services, choice.service, ctx.serviceName)));
    var result = el("div", {className: "rep-result"});
    var links = el("div", {className: "rep-links"});

    function fillGroups() {
      var allowed = GROUPS[kind.value];
      ui.clear(group);
      ui.append(group, allowed.length ?
        options(allowed, choice.group, function (v) { return ui.word("columns", v); }) :
        el("option", {value: ""}, "–"));
      group.disabled = !allowed.length;
    }

    function query(format) {
      var parts = ["from=" + encodeURIComponent(choice.from), "to=" + encodeURIComponent(choice.to)];
      if (GROUPS[kind.value].length) { parts.push("group=" + encodeURIComponent(group.value)); }
      if (station.value) { parts.push("station=" + encodeURIComponent(station.value)); }
      if (service.value) { parts.push("service=" + encodeURIComponent(service.value)); }
      if (format) { parts.push("format=" + format); }
      return ctx.officeUrl("/reports/" + kind.value) + "?" + parts.join("&");
    }

    function cellText(column, value) {
      if (value === null || value === undefined || value === "") { return "–"; }
      if (column === "station") { return ui.word("stations", String(value)); }
      if (column === "hour") { return (value < 10 ? "0" : "") + value + ":00"; }
      if (column === "service") { return ctx.serviceName(String(value)); }
      if (SHARES.indexOf(column) >= 0 && typeof value === "number") { return percent(value); }
      if (typeof value === "number" && Math.round(value) !== value) { return ui.decimal(value, 2); }
      return String(value);
    }

    function columnLabel(column) {
      var bucket = /^min_(\d+)_(\d+|plus)$/.exec(column);
      if (bucket) { return bucket[2] === "plus" ? bucket[1] + "+" : bucket[1] + "–" + bucket[2]; }
      return ui.word("columns", column);
    }

    function buckets(columns) {
      return columns.filter(function (column) { return /^min_/.test(column); });
    }

    function percent(value) { return value === null || value === undefined ? "–" : Math.round(value * 100) + "%"; }

    function complianceLines(rows) {
      return el("ul", {className: "rep-summary"}, rows.map(function (row) {
        var names = {station: ui.word("stations", row.station), service: ctx.serviceName(row.service),
          step: row.step};
        if (!row.standard_minutes) { return el("li", {}, t("rep_no_standard", names)); }
        names.standard = row.standard_minutes;
        names.share = percent(row.service_compliance);
        names.served = row.served;
        names.wait_mean = cellText("wait_mean", row.wait_mean);
        names.wait_max = cellText("wait_max", row.wait_max);
        return el("li", {"data-station": row.station, "data-service": row.service},
          t("rep_compliance_line", names));
      }));
    }

    // The chart of one row's buckets; a select picks the row when there are several.
    function chart(report, keyColumn) {
      var title = ui.word("kinds", report.kind) + ": " + t("rep_chart");
      var names = buckets(report.columns);
      if (!names.length || !report.rows.length) { return null; }
      var holder = el("div", {className: "rep-chart"});
      var picker = el("select", {id: "rep-chart-row"}, report.rows.map(function (row, index) {
        return el("option", {value: String(index)}, cellText(keyColumn, row[keyColumn]));
      }));
      function drawRow() {
        var row = report.rows[Number(picker.value) || 0];
        var items = names.map(function (name) { return {label: columnLabel(name), value: row[name] || 0}; });
        ui.append(ui.clear(holder), window.AntreChart.bars(items, {width: 1080, height: 210,
          title: title, unit: ui.t("minutes", {minutes: ""}).replace(/^\s+|\s+$/g, ""), whole: true}));
      }
      picker.onchange = drawRow;
      drawRow();
      return ctx.panel(title, [
        el("label", {className: "inline"}, [t("rep_chart_row") + " ", picker]), holder], "rep-chart-panel");
    }

    function drawReport(report, waits) {
      var keyColumn = report.columns[0];
      var parts = [el("p", {className: "muted"}, t("rep_range_note",
        {from: window.AntreDates.show(report.from_day), to: window.AntreDates.show(report.to_day),
          timezone: report.timezone}))];
      if (!report.rows.length) {
        parts.push(el("p", {className: "empty"}, t("rep_no_rows")));
      } else {
        if (report.kind === "compliance") { parts.push(complianceLines(report.rows)); }
        var tableNode = ctx.table(report.columns.map(function (column) {
          var named = column === "station" || column === "service";  // names may wrap
          return {label: columnLabel(column), className: /^min_/.test(column) ? "n bucket" : named ? "rep-name" : null,
            cell: function (row) { return cellText(column, row[column]); }};
        }), report.rows, {className: "rep-table"});
        parts.push(el("div", {className: "rep-scroll"}, tableNode));
      }
      report.notes.forEach(function (note) { parts.push(el("p", {className: "note"}, note)); });
      var drawn = chart(waits || report, (waits || report).columns[0]);
      if (drawn) { parts.push(drawn); }
      ui.append(ui.clear(result), parts);
    }

    function drawLinks() {
      var day = choice.from;
      ui.append(ui.clear(links), [
        el("a", {className: "button", id: "rep-csv", href: query("csv"), download: ""}, t("rep_csv")),
        el("a", {className: "button", id: "rep-xlsx", href: query("xlsx"), download: ""}, t("rep_xlsx")),
        day ? el("a", {className: "button", id: "rep-recap", target: "_blank", rel: "noopener",
          href: "/admin/recap/" + encodeURIComponent(ctx.office) + "/" + encodeURIComponent(day) +
            "?lang=" + ui.language}, t("rep_recap", {day: window.AntreDates.show(day)})) : null
      ]);
    }

    function run() {
      var first = typed(from), last = typed(to);
      if (first === null || last === null) {  // refused here, in the page's language
        var bad = first === null ? from : to;
        ui.clear(result);
        ctx.say(t("rep_bad_date", {value: bad.value.replace(/^\s+|\s+$/g, "")}), "error");
        bad.focus();
        return;
      }
      from.value = window.AntreDates.show(first);  // as the console shows dates
      to.value = window.AntreDates.show(last || first);
      choice = remembered = {kind: kind.value, from: first, to: last || first,
        group: group.value, station: station.value, service: service.value};
      var mine = ++generation;
      ui.append(ui.clear(result), el("p", {className: "muted"}, t("loading")));
      drawLinks();
      ctx.request("GET", query(null), null, function (error, report) {
        if (mine !== generation) { return; }
        if (error) { ui.clear(result); ctx.say(error.message, "error"); return; }
        if (report.kind !== "compliance") { drawReport(report, null); return; }
        // Compliance has no buckets: the waits at the same station(s) give the chart.
        var waits = ctx.officeUrl("/reports/waiting") + "?from=" + encodeURIComponent(report.from_day) +
          "&to=" + encodeURIComponent(report.to_day) + "&group=station" +
          (report.station ? "&station=" + encodeURIComponent(report.station) : "") +
          (report.service ? "&service=" + encodeURIComponent(report.service) : "");
        ctx.request("GET", waits, null, function (waitError, waiting) {
          if (mine !== generation) { return; }
          drawReport(report, waitError ? null : waiting);
        });
      });
    }

    kind.onchange = function () { choice.group = ""; fillGroups(); };
    // "Choose the day": a one-day choice stays one day when From changes (To follows it),
    // so the day asked for is not silently widened to "that day until today".
    var lastFrom = from.value;
    from.onchange = from.oninput = function () {
      if (!from.value) { return; }
      var first = window.AntreDates.parse(from.value), last = window.AntreDates.parse(to.value);
      if (!to.value || to.value === lastFrom || (first && last && last < first)) {
        to.value = from.value;
      }
      lastFrom = from.value;
    };
    fillGroups();
    var form = el("form", {className: "rep-form panel", novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      run();
    }}, [
      el("label", {}, [t("rep_kind"), kind]),
      el("label", {}, [t("rep_from"), from]),
      el("label", {}, [t("rep_to"), to]),
      el("label", {}, [t("rep_group"), group]),
      el("label", {}, [t("rep_station"), station]),
      el("label", {}, [t("col_service"), service]),
      el("button", {type: "submit", className: "primary", id: "rep-show"}, t("rep_show"))
    ]);
    var shortcut = el("div", {className: "rep-shortcut"}, [
      el("button", {type: "button", id: "rep-bio", onclick: function () {
        kind.value = "compliance";
        station.value = "BIO";
        service.value = "";
        fillGroups();
        run();
      }}, t("rep_bio")),
      el("span", {className: "muted"}, t("rep_bio_hint"))
    ]);
    ui.append(ui.clear(view), [
      el("div", {className: "view-head"}, el("h1", {}, t("sec_reports"))),
      form, shortcut, links, result
    ]);
    run();
    return {leave: function () { generation++; }};
  }

  admin.section({id: "reports", group: "monitoring", label: "sec_reports",
    roles: ["admin", "laporan"], show: show});
}(AntreAdmin));
