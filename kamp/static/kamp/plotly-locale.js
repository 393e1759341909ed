/* The page's chart locale (kamp.core.formatting.plotly_locale, written by {% plotly_scripts %}):
   Plotly gets the language's month and day names and separators ("1.234,5" in Spanish), and
   every chart drawn on the page uses them unless it sets its own. Loaded right after Plotly. */
(function () {
  "use strict";
  var el = document.getElementById("kamp-plotly-locale");
  if (!el || !window.Plotly) return;
  var loc = JSON.parse(el.textContent);
  var P = window.Plotly;
  P.register({ moduleType: "locale", name: loc.locale, dictionary: {}, format: loc.format });
  P.setPlotConfig({ locale: loc.locale });

  function withLocale(layout) {
    layout = layout || {};
    if (!layout.separators) layout.separators = loc.separators;
    return layout;
  }
  ["newPlot", "react"].forEach(function (name) {
    var original = P[name];
    if (!original) return;
    P[name] = function (gd, data, layout, config) {
      if (data && !Array.isArray(data) && typeof data === "object") {
        // Plotly.newPlot(gd, {data, layout, config})
        data.layout = withLocale(data.layout);
        return original.call(P, gd, data);
      }
      return original.call(P, gd, data, withLocale(layout), config);
    };
  });
  window.kampChartLocale = loc;
})();
