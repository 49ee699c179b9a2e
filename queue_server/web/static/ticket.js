// Redraws the ticket status page whenever the server pushes a change (server-sent
// events); a browser without EventSource, or a stream the server refused, polls instead.
(function () {
  "use strict";
  var page = document.getElementById("ticket");
  var textsNode = document.getElementById("texts");
  if (!page || !textsNode || !window.fetch) { return; }
  var texts = JSON.parse(textsNode.textContent);
  var token = page.getAttribute("data-token");
  var pollMs = 1000 * Number(page.getAttribute("data-poll") || 15);
  var url = "/api/v1/public/tickets/" + encodeURIComponent(token);
  var language = document.documentElement.lang;

  function show(id, text) {
    var node = document.getElementById(id);
    if (node && node.textContent !== text) { node.textContent = text; }
  }

  function fill(template, name, value) {
    return template.split("{" + name + "}").join(String(value));
  }

  function redraw(ticket) {
    var counter = ticket.counter || texts.counter;
    var statusText = fill(texts.statuses[ticket.status] || ticket.status, "counter", counter);
    var status = document.getElementById("status");
    status.className = "status status-" + ticket.status;
    show("status", statusText);
    show("label", ticket.label);
    show("service", ticket.service[language] || ticket.service.en);
    show("station", texts.stations[ticket.station] || ticket.station);
    show("ahead", ticket.people_ahead === null ? "\u2013" : String(ticket.people_ahead));
    var wait = ticket.estimated_wait_minutes;
    show("wait", ticket.status !== "waiting" ? "\u2013" : wait === null ? texts.unknown_wait
      : fill(texts.wait, "minutes", Math.round(wait)));
    page.setAttribute("data-status", ticket.status);
    var now = new Date();
    var time = ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
    var updated = document.getElementById("updated");
    updated.className = "updated";
    show("updated", fill(texts.updated, "time", time));
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store",
                 referrerPolicy: "no-referrer" })
      .then(function (answer) {
        if (!answer.ok) { throw new Error(String(answer.status)); }
        return answer.json();
      })
      .then(function (ticket) {
        redraw(ticket);
        if (texts.final.indexOf(ticket.status) < 0) { window.setTimeout(poll, pollMs); }
      })
      .catch(function () {
        offline();
        window.setTimeout(poll, pollMs);
      });
  }

  function offline() {
    var updated = document.getElementById("updated");
    updated.className = "updated offline";
    show("updated", texts.offline);
  }

  function follow() {
    var source = new window.EventSource(url + "/stream");
    source.addEventListener("ticket", function (message) {
      var ticket = JSON.parse(message.data);
      redraw(ticket);
      if (texts.final.indexOf(ticket.status) >= 0) { source.close(); }
    });
    source.onerror = function () {
      offline();
      // CONNECTING: the browser reconnects by itself. CLOSED: refused (busy, rate
      // limited): poll instead.
      if (source.readyState === window.EventSource.CLOSED) { window.setTimeout(poll, pollMs); }
    };
  }

  if (texts.final.indexOf(page.getAttribute("data-status")) < 0) {
    if (window.EventSource) { follow(); } else { window.setTimeout(poll, pollMs); }
  }
})();
