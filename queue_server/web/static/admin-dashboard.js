// The live dashboard: queues, counters, steps finished per hour, alerts, devices.
// Redrawn from GET .../dashboard whenever the office's event stream reports a change.
(function (admin) {
  "use strict";
  // Waits grow and steps run past their standard with no event, and device health is not
  // on the stream: the dashboard also asks again this often.
  var TICK_MS = 30000;

  function show(view, ctx) {
    var t = ctx.t, el = ctx.el, ui = ctx.ui;
    var generation = 0;
    var drawnAt = null;

    function minutes(value) {
      return value === null || value === undefined ? "–" : ui.minutes(value);
    }

    function alertText(alert) {
      if (alert.kind === "over_standard") {
        return t("alert_over_standard", {counter: alert.counter, label: alert.label,
          station: ui.word("stations", alert.station), minutes: Math.round(alert.minutes),
          standard: alert.standard});
      }
      if (alert.kind === "long_wait") {
        return t("alert_long_wait", {service: ctx.serviceName(alert.service),
          minutes: Math.round(alert.minutes), threshold: alert.threshold});
      }
      if (alert.kind === "outbox") {
        return t("alert_outbox", {device: alert.device, count: alert.waiting,
          minutes: Math.round(alert.minutes), threshold: alert.threshold});
      }
      return t("alert_device", {device: alert.device, problems: alert.problems.map(problemText).join(", ")});
    }

    function problemText(problem) {
      var parts = problem.split(":");
      return parts[0] === "status" ? ui.word("devices", parts[1]) :
        parts[0] + " " + ui.word("devices", parts[1]);
    }

    // "Today: opening hours 08:00–16:00 · Evening passport service 16:00–19:00 (quota 40)",
    // or the holiday's name when the office is closed.
    function todayLine(today) {
      var parts = today.sessions.map(function (session) {
        var hours = session.opens + "–" + session.closes;
        var text = session.name ? t("dash_session", {name: session.name[ui.language] || session.name.en,
          hours: hours}) : t("dash_hours", {hours: hours});
        return session.quota === null ? text : text + " " + t("dash_quota", {quota: session.quota});
      });
      var closed = today.holiday ? t("dash_holiday", {name: today.holiday}) : null;
      if (!parts.length) { parts.push(closed || t("dash_no_service")); closed = null; }
      return el("p", {className: "dash-today" + (today.sessions.length ? "" : " is-closed"), id: "dash-today"},
        [el("strong", {}, t("dash_today") + " "), (closed ? closed + " · " : "") + parts.join(" · ")]);
    }

    function draw(data) {
      var alerts = data.alerts.length ?
        el("ul", {className: "alerts"}, data.alerts.map(function (alert) {
          return el("li", {className: "alert alert-" + alert.kind}, alertText(alert));
        })) : el("p", {className: "empty"}, t("no_alerts"));
      var queues = ctx.table([
        {label: t("col_service"), cell: function (row) {
          return [el("span", {className: "prefix"}, row.prefix), " ", row.name[ui.language] || row.name.en,
            row.open_now ? null : el("span", {className: "muted"}, " · " + t("closed_now"))];
        }},
        {label: t("col_waiting"), className: "n", cell: function (row) { return String(row.waiting); }},
        {label: t("col_longest"), className: "n", cell: function (row) {
          var late = row.longest_wait_minutes !== null && row.longest_wait_minutes > data.wait_alert_minutes;
          return el("span", {className: late ? "late" : null}, minutes(row.longest_wait_minutes));
        }},
        {label: t("col_estimate"), className: "n", cell: function (row) { return minutes(row.estimated_wait_minutes); }},
        {label: t("col_open_counters"), className: "n", cell: function (row) { return String(row.open_counters); }}
      ], data.services, {rowProps: function (row) { return {"data-service": row.id}; }});
      var counters = ctx.table([
        {label: t("col_counter"), className: "nowrap", cell: function (row) {
          return [el("strong", {}, row.name), " ",
            el("span", {className: "badge " + (row.is_open ? "badge-open" : "badge-closed")},
              row.is_open ? t("counter_open") : t("counter_closed"))];
        }},
        {label: t("col_officer"), className: "nowrap", cell: function (row) { return row.officer || ""; }},
        {label: t("col_ticket"), cell: function (row) {
          if (!row.ticket) { return ""; }
          return [el("strong", {className: "nowrap"}, row.ticket.label), " ",
            el("span", {className: "badge badge-" + row.ticket.status}, ui.word("statuses", row.ticket.status)),
            el("div", {className: "small muted"}, ctx.serviceName(row.ticket.service) + " · " +
              row.ticket.station)];
        }},
        {label: t("col_since"), className: "n", cell: function (row) {
          if (!row.ticket) { return ""; }
          var late = row.ticket.standard_minutes && row.ticket.minutes > row.ticket.standard_minutes;
          return el("span", {className: late ? "late" : null, title: ui.clock(row.ticket.since)},
            ui.minutes(row.ticket.minutes));
        }}
      ], data.counters, {rowProps: function (row) { return {"data-counter": row.code}; }});
      var hours = data.throughput.map(function (hour) {
        return {label: (hour.hour < 10 ? "0" : "") + hour.hour + ":00", value: hour.finished};
      });
      var chart = window.AntreChart.bars(hours, {width: 520, height: 170, title: t("dash_throughput"),
        whole: true});
      var devices = data.devices.length ? ctx.table([
        {label: t("col_device"), cell: function (row) { return row.id; }},
        {label: t("col_status"), cell: function (row) {
          return el("span", {className: "badge " + (row.problems.length ? "badge-bad" : "badge-open")},
            ui.word("devices", row.status));
        }},
        {label: t("col_last_seen"), cell: function (row) { return ctx.stamp(row.last_seen_at); }}
      ], data.devices) : el("p", {className: "empty"}, t("no_devices"));
      ui.append(ui.clear(view), [
        el("div", {className: "view-head"}, [el("h1", {}, t("sec_dashboard")),
          el("span", {className: "muted updated"}, t("updated_at", {time: ui.clock(data.now)}))]),
        todayLine(data.today),
        ctx.panel(t("dash_alerts") + " (" + data.alerts.length + ")", [alerts],
          data.alerts.length ? "has-alerts" : ""),
        el("div", {className: "dash-grid"}, [
          el("div", {className: "dash-column"}, [
            ctx.panel(t("dash_queues"), [queues], "dash-queues"),
            ctx.panel(t("dash_throughput"), [chart], "dash-throughput"),
            ctx.panel(t("dash_devices"), [devices], "dash-devices")
          ]),
          el("div", {className: "dash-column"}, [ctx.panel(t("dash_counters"), [counters], "dash-counters")])
        ])
      ]);
      drawnAt = data.now;
    }

    function refresh() {
      var mine = ++generation;
      ctx.request("GET", ctx.officeUrl("/dashboard"), null, function (error, body) {
        if (mine !== generation) { return; }  // a newer answer is coming
        if (error) { ctx.say(error.message, "error"); return; }
        ctx.setInfo(body);
        draw(body);
      });
    }

    if (ctx.info) { draw(ctx.info); }
    refresh();
    var ticker = window.setInterval(refresh, TICK_MS);
    return {refresh: refresh, leave: function () {
      generation++;
      window.clearInterval(ticker);
      return drawnAt;
    }};
  }

  admin.section({id: "dashboard", group: "monitoring", label: "sec_dashboard",
    roles: ["admin", "laporan"], show: show});
}(AntreAdmin));
