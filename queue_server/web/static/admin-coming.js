// Configuration sections not built yet: listed in the navigation as "coming", each with a
// placeholder. A section built later replaces its entry here with its own admin-NAME.js
// (registered with the same id) and is added to SECTION_SCRIPTS in admin_page.py.
(function (admin) {
  "use strict";
  var COMING = ["services", "counters", "calendars", "content", "bookings", "office_file"];

  function placeholder(label) {
    return function (view, ctx) {
      var t = ctx.t, el = ctx.el;
      ctx.ui.append(view, [
        el("div", {className: "view-head"}, el("h1", {}, t(label))),
        el("div", {className: "card coming-card"}, [
          el("h2", {}, t("coming_title", {section: t(label)})),
          el("p", {}, t("coming_text"))
        ])
      ]);
    };
  }

  COMING.forEach(function (id) {
    var built = admin.sections.filter(function (item) { return item.id === id; }).length;
    if (built) { return; }  // a real screen registered itself already
    admin.section({id: id, group: "configuration", label: "sec_" + id, roles: ["admin"],
      coming: true, show: placeholder("sec_" + id)});
  });
}(AntreAdmin));
