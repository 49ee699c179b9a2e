// Small helpers of the officer console: texts, DOM building, JSON requests, times.
// Plain ES5 for an old office PC's browser: no modules, no build step.
var AntreUi = (function () {
  "use strict";
  var texts = JSON.parse(document.getElementById("texts").textContent);
  var language = document.documentElement.lang || "id";

  function fill(template, params) {
    var text = String(template);
    var name;
    for (name in params) {
      if (Object.prototype.hasOwnProperty.call(params, name)) {
        text = text.split("{" + name + "}").join(String(params[name]));
      }
    }
    return text;
  }

  // t("did_call", {label: "B-012"}): the server's translated text with its placeholders filled.
  function t(key, params) {
    var template = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
    return params ? fill(template, params) : template;
  }

  function word(group, key) {
    var table = texts[group] || {};
    return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
  }

  // el("button", {className: "x", onclick: fn}, ["text", child]): a new element.
  function el(tag, props, children) {
    var node = document.createElement(tag);
    var name;
    props = props || {};
    for (name in props) {
      if (!Object.prototype.hasOwnProperty.call(props, name)) { continue; }
      var value = props[name];
      if (value === null || value === undefined || value === false) { continue; }
      if (name === "className" || name === "textContent" || name === "value" ||
          name === "checked" || name === "disabled" || name === "type" || name.indexOf("on") === 0) {
        node[name] = value;
      } else {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    if (children === null || children === undefined) { return node; }
    if (!(children instanceof Array)) { children = [children]; }
    for (var i = 0; i < children.length; i++) {
      var child = children[i];
      if (child === null || child === undefined || child === false) { continue; }
      node.appendChild(typeof child === "string" || typeof child === "number" ?
        document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    return node;
  }

  // A button with its shortcut key shown: [N] Call next.
  function actionButton(key, label, onclick, extraClass) {
    return el("button", {
      type: "button", className: "action " + (extraClass || ""), onclick: onclick,
      "data-key": key.toLowerCase(), title: label + " (" + key + ")"
    }, [el("kbd", {}, key), " ", el("span", {className: "action-label"}, label)]);
  }

  // request("POST", url, body, csrf, done): done(error, body, status). error is the
  // server's message in the page's language (or the network message), null when fine.
  var REQUEST_TIMEOUT_MS = 20000;

  function request(method, url, body, csrf, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.timeout = REQUEST_TIMEOUT_MS;  // a lost answer ends as a network error, never a hang
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Accept-Language", language);
    if (method !== "GET") {
      xhr.setRequestHeader("Content-Type", "application/json");
      if (csrf) { xhr.setRequestHeader("X-CSRF-Token", csrf); }
    }
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      var answer = null;
      try { answer = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (err) {
        answer = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) { done(null, answer, xhr.status); return; }
      var message = t("network_error");
      var code = "network";
      if (answer && answer.error) {
        var messages = answer.error.messages || {};
        message = messages[language] || answer.error.message || message;
        code = answer.error.code;
      }
      done({message: message, code: code, status: xhr.status}, answer, xhr.status);
    };
    xhr.send(method === "GET" ? null : JSON.stringify(body || {}));
  }

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  // The office's offset from UTC in minutes (from the server); null: the browser's own zone.
  var officeOffset = null;

  function setOffice(offsetMinutes) {
    officeOffset = typeof offsetMinutes === "number" ? offsetMinutes : null;
  }

  // "14:05" in the office's time, even on a PC whose time zone is set wrong.
  function clock(iso) {
    if (!iso) { return "–"; }
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) { return "–"; }
    if (officeOffset === null) { return pad(moment.getHours()) + ":" + pad(moment.getMinutes()); }
    var local = new Date(moment.getTime() + officeOffset * 60000);
    return pad(local.getUTCHours()) + ":" + pad(local.getUTCMinutes());
  }

  // decimal(2.5) -> "2,5" on an Indonesian page, "2.5" on an English one (at most
  // `digits` decimals, default 2; whole numbers stay whole).
  function decimal(value, digits) {
    var scale = Math.pow(10, digits === undefined ? 2 : digits);
    var text = String(Math.round(Number(value) * scale) / scale);
    return language === "id" ? text.replace(".", ",") : text;
  }

  function minutes(value) {
    return t("minutes", {minutes: Math.max(0, Math.round(Number(value) || 0))});
  }

  return {
    texts: texts, language: language, t: t, word: word, fill: fill, el: el, append: append,
    clear: clear, actionButton: actionButton, request: request, clock: clock, minutes: minutes,
    decimal: decimal,
    setOffice: setOffice
  };
}());
