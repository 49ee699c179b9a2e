// A small bar chart drawn as inline SVG (no library, no style attributes: strict CSP).
// AntreChart.bars([{label: "0–3", value: 12}, ...], {width, height, title, unit}) -> <svg>.
var AntreChart = (function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function node(tag, attributes, text) {
    var element = document.createElementNS(SVG, tag);
    var name;
    for (name in attributes) {
      if (Object.prototype.hasOwnProperty.call(attributes, name)) {
        element.setAttribute(name, String(attributes[name]));
      }
    }
    if (text !== undefined && text !== null) { element.appendChild(document.createTextNode(String(text))); }
    return element;
  }

  // A "nice" top of the axis: 1, 2, 5 × 10^n at or above the largest value.
  function niceTop(value) {
    if (value <= 0) { return 1; }
    var power = Math.pow(10, Math.floor(Math.log(value) / Math.LN10));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * power >= value) { return steps[i] * power; }
    }
    return 10 * power;
  }

  function bars(items, options) {
    options = options || {};
    var width = options.width || 900;
    var height = options.height || 260;
    var left = 44, right = 10, top = 18, bottom = 42;
    var plotW = width - left - right;
    var plotH = height - top - bottom;
    var largest = 0;
    items.forEach(function (item) { largest = Math.max(largest, Number(item.value) || 0); });
    var axisTop = niceTop(largest);
    var svg = node("svg", {
      "class": "chart", width: width, height: height, viewBox: "0 0 " + width + " " + height,
      role: "img", "aria-label": options.title || ""
    });
    if (options.title) { svg.appendChild(node("title", {}, options.title)); }
    // Counts (options.whole): whole-number ticks only.
    // (the top is 1, 2, 5, 10, 20, 50, ...: five steps divide it from 5 up)
    var ticks = options.whole ? Math.min(5, axisTop) : 4;
    for (var i = 0; i <= ticks; i++) {
      var value = axisTop * i / ticks;
      var y = top + plotH - plotH * i / ticks;
      svg.appendChild(node("line", {x1: left, x2: width - right, y1: y, y2: y,
        "class": i === 0 ? "chart-axis" : "chart-grid"}));
      svg.appendChild(node("text", {x: left - 6, y: y + 4, "text-anchor": "end", "class": "chart-tick"},
        AntreUi.decimal(value, 1)));
    }
    var slot = items.length ? plotW / items.length : plotW;
    var barW = Math.max(2, slot * 0.72);
    items.forEach(function (item, index) {
      var amount = Number(item.value) || 0;
      var barH = plotH * amount / axisTop;
      var x = left + slot * index + (slot - barW) / 2;
      var bar = node("rect", {x: x, y: top + plotH - barH, width: barW, height: Math.max(barH, 0),
        "class": "chart-bar" + (item.highlight ? " chart-bar-high" : ""), "data-label": item.label,
        "data-value": amount});
      bar.appendChild(node("title", {}, item.label + ": " + AntreUi.decimal(amount)));
      svg.appendChild(bar);
      if (amount > 0) {
        svg.appendChild(node("text", {x: x + barW / 2, y: top + plotH - barH - 4,
          "text-anchor": "middle", "class": "chart-value"}, AntreUi.decimal(amount)));
      }
      svg.appendChild(node("text", {x: x + barW / 2, y: top + plotH + 16, "text-anchor": "middle",
        "class": "chart-label"}, item.label));
    });
    if (options.unit) {
      svg.appendChild(node("text", {x: left + plotW / 2, y: height - 6, "text-anchor": "middle",
        "class": "chart-unit"}, options.unit));
    }
    return svg;
  }

  return {bars: bars, niceTop: niceTop};
}());
