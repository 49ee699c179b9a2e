// Dates in the admin console as Indonesians write them, DD/MM/YYYY, in both languages.
// A plain text field (no browser date picker: its format follows the browser's locale and
// old browsers have none); parse() turns what was typed into the ISO date the API takes,
// or null when it is not a real date. Plain ES5.
var AntreDates = (function () {
  "use strict";
  var TYPED = /^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})\s*$/;
  var ISO = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/;
  var WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function real(year, month, day) {
    if (month < 1 || month > 12 || day < 1 || year < 2000 || year > 2100) { return null; }
    var at = new Date(Date.UTC(year, month - 1, day));
    if (at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) { return null; }
    return year + "-" + pad(month) + "-" + pad(day);
  }

  // "20/03/2026", "20-3-2026", "20.03.2026" (or an ISO date pasted) -> "2026-03-20"; else null.
  function parse(text) {
    var typed = TYPED.exec(String(text));
    if (typed) { return real(+typed[3], +typed[2], +typed[1]); }
    var iso = ISO.exec(String(text));
    return iso ? real(+iso[1], +iso[2], +iso[3]) : null;
  }

  // "2026-03-20" -> "20/03/2026" (anything else unchanged).
  function show(iso) {
    var found = ISO.exec(String(iso));
    return found ? found[3] + "/" + found[2] + "/" + found[1] : String(iso);
  }

  // "fri" for "2026-03-20" (the wd_* text keys of the console), or "".
  function weekday(iso) {
    var found = ISO.exec(String(iso));
    if (!found) { return ""; }
    return WEEKDAYS[new Date(Date.UTC(+found[1], +found[2] - 1, +found[3])).getUTCDay()];
  }

  // A text field for a date: DD/MM/YYYY shown as its placeholder.
  function input(ctx, props) {
    var given = {type: "text", placeholder: "DD/MM/YYYY", maxlength: "10", inputMode: "numeric",
      autocomplete: "off", className: "cfg-date-input"};
    for (var key in props) {
      if (Object.prototype.hasOwnProperty.call(props, key)) {
        given[key] = key === "className" ? "cfg-date-input " + props[key] : props[key];
      }
    }
    return ctx.el("input", given);
  }

  return {parse: parse, show: show, weekday: weekday, input: input};
}());
