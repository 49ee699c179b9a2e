// Helpers of the configuration sections (services, counters, calendars, bookings, office
// file): form fields, the message box next to a form, and saving a change of the office
// configuration with its version (a 409 offers to reload). Plain ES5.
var AntreForms = (function () {
  "use strict";
  var STATIONS = ["INFO", "CS", "BIO", "BIO_PRIORITY", "BAP", "LOKET", "PAY", "PICKUP", "COMPLAINT"];
  var KINDS = ["booking_required", "walk_in", "pickup", "complaint", "information"];
  var WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

  // A labelled field: <label><span>text</span>input</label>.
  function field(ctx, label, input, className) {
    return ctx.el("label", {className: "cfg-field " + (className || "")},
      [ctx.el("span", {}, label), input]);
  }

  function input(ctx, props) {
    return ctx.el("input", props);
  }

  // <select> of [value, label] pairs with `chosen` selected.
  function select(ctx, options, chosen, props) {
    var node = ctx.el("select", props || {}, options.map(function (option) {
      return ctx.el("option", {value: option[0]}, option[1]);
    }));
    node.value = chosen;
    return node;
  }

  // Ticks for a list of [value, label]; .values() gives the ticked values in order.
  function ticks(ctx, options, chosen, name) {
    var boxes = [];
    var node = ctx.el("div", {className: "cfg-ticks", "data-ticks": name},
      options.map(function (option) {
        var box = ctx.el("input", {type: "checkbox", value: option[0],
          checked: chosen.indexOf(option[0]) >= 0, "data-value": option[0]});
        boxes.push(box);
        return ctx.el("label", {className: "cfg-tick"}, [box, " ", option[1]]);
      }));
    node.values = function () {
      return boxes.filter(function (box) { return box.checked; }).map(function (box) {
        return box.value;
      });
    };
    return node;
  }

  // Ticks of the offices the signed-in user may use (the current one ticked).
  function officeTicks(ctx) {
    var codes = (ctx.offices || []).map(function (office) { return office.id; });
    if (!codes.length) { codes = [ctx.office]; }
    return ticks(ctx, codes.map(function (code) { return [code, code]; }), [ctx.office], "offices");
  }

  // The message box of a section: ok(text), error(error, answer, reload), clear().
  function messages(ctx) {
    var el = ctx.el, ui = ctx.ui, t = ctx.t;
    var node = el("div", {className: "cfg-message", role: "alert", hidden: true});
    function show(kind, children) {
      ui.append(ui.clear(node), children);
      node.className = "cfg-message cfg-message-" + kind;
      node.hidden = false;
    }
    // The message can be far above a long form's Save button: bring it into sight.
    function reveal() {
      if (node.parentNode && node.scrollIntoView) { node.scrollIntoView(true); }
    }
    return {
      node: node,
      reveal: reveal,
      clear: function () { ui.clear(node); node.hidden = true; },
      ok: function (text, more) { show("ok", [el("p", {}, text)].concat(more || [])); },
      error: function (error, answer, reload) {
        var children = [el("p", {className: "cfg-error-text"}, error.message)];
        var problems = answer && answer.error &&
          (answer.error.problem_messages || answer.error.problems);
        if (problems && problems.length > 1) {
          children.push(el("ul", {className: "cfg-problems"}, problems.map(function (item) {
            return el("li", {}, inLanguage(ctx, item));
          })));
        }
        if (error.status === 409 && reload) {
          children.push(el("p", {}, t("cfg_stale_hint")));
          children.push(el("button", {type: "button", className: "cfg-reload", onclick: reload},
            t("cfg_reload")));
        }
        show("error", children);
        reveal();
        ctx.say(error.message, "error");
      }
    };
  }

  // GET the office configuration: done({version, settings, warnings}).
  function load(ctx, box, done) {
    ctx.request("GET", ctx.officeUrl("/config"), null, function (error, body) {
      if (error) { box.error(error, body); return; }
      done(body);
    });
  }

  // Save a change: method and path under /config, the new value, the version it was made
  // on. done(answer) when saved; otherwise the box shows why (409: a reload button).
  function save(ctx, box, method, path, value, version, done, reload) {
    var body = method === "DELETE" ? {version: version} : {version: version, value: value};
    ctx.request(method, ctx.officeUrl("/config" + path), body, function (error, answer) {
      if (error) { box.error(error, answer, reload); return; }
      box.ok(ctx.t("cfg_saved", {version: answer.version}),
        warnings(ctx, answer.warning_messages || answer.warnings));
      ctx.say(ctx.t("cfg_saved", {version: answer.version}), "ok");
      done(answer);
      box.reveal();
      refreshInfo(ctx);
    });
  }

  // The shell's office info (services and their names for the other sections) after a change.
  function refreshInfo(ctx) {
    ctx.request("GET", ctx.officeUrl("/dashboard"), null, function (error, body) {
      if (!error && body) { ctx.setInfo(body); }
    });
  }

  // A problem or warning from the server: {id, en} in the page's language (or plain text).
  function inLanguage(ctx, item) {
    if (typeof item === "string") { return item; }
    return item[ctx.ui.language] || item.en;
  }

  // The server's warnings (warning_messages: each {id, en}) as a list.
  function warnings(ctx, list) {
    if (!list || !list.length) { return []; }
    return [ctx.el("p", {className: "muted"}, ctx.t("warnings") + ":"),
      ctx.el("ul", {className: "cfg-warnings"}, list.map(function (item) {
        return ctx.el("li", {}, inLanguage(ctx, item));
      }))];
  }

  function head(ctx, label, version, extra) {
    return ctx.el("div", {className: "view-head"}, [
      ctx.el("h1", {}, ctx.t(label)),
      version === null ? null : ctx.el("span", {className: "muted cfg-version"},
        ctx.t("cfg_version", {version: version}))
    ].concat(extra || []));
  }

  function stationOptions(ctx) {
    return STATIONS.map(function (code) { return [code, code + " · " + ctx.ui.word("stations", code)]; });
  }

  // A whole number from an input; "" gives `empty`; anything else not a number gives the
  // text itself (the server then names the field and says what is wrong).
  function number(value, empty, decimal) {
    var text = String(value).replace(",", ".").replace(/^\s+|\s+$/g, "");
    if (text === "") { return empty; }
    var parsed = Number(text);
    if (isNaN(parsed)) { return text; }
    return decimal ? parsed : (parsed === Math.floor(parsed) ? parsed : text);
  }

  function copy(value) { return JSON.parse(JSON.stringify(value)); }

  return {
    STATIONS: STATIONS, KINDS: KINDS, WEEKDAYS: WEEKDAYS, field: field, input: input,
    select: select, ticks: ticks, officeTicks: officeTicks, messages: messages, load: load, save: save, head: head,
    stationOptions: stationOptions, number: number, copy: copy, warnings: warnings
  };
}());
