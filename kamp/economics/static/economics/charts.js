/* Economics charts (Plotly). The data come from json_script blocks: the CSP forbids inline JS. */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  // Plotly renders a subset of HTML in text (links, bold…): names typed by people are shown as
  // plain text, never as markup.
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  var lang = document.documentElement.lang || "en";
  var sep = lang === "es" ? ",." : ".,";

  function trend() {
    var d = data("pnl-trend-data"), el = document.getElementById("pnl-trend");
    if (!d || !el || !window.Plotly) return;
    var traces = [
      { type: "bar", name: d.names.net_revenue, x: d.labels, y: d.net_revenue, marker: { color: "#9ec5e8" } },
      { type: "scatter", mode: "lines+markers", name: d.names.contribution, x: d.labels, y: d.contribution, line: { color: "#2b6cb0" } },
      { type: "scatter", mode: "lines+markers", name: d.names.profit_after_kam, x: d.labels, y: d.profit_after_kam, line: { color: "#1b7f3b", width: 3 }, marker: { symbol: "diamond", size: 8 } }
    ];
    window.Plotly.newPlot(el, traces, {
      margin: { t: 20, r: 20, b: 40, l: 40 }, separators: sep, legend: { orientation: "h", y: -0.15 },
      // Period names angled and given room on a phone, never cut at the edges.
      xaxis: { automargin: true, tickangle: el.clientWidth < 500 ? -45 : "auto" },
      yaxis: { title: { text: d.currency }, zeroline: true, zerolinecolor: "#c53030", tickformat: ",.0f",
               nticks: 6, automargin: true },
      hovermode: "x unified"
    }, config);
  }

  function whale() {
    var d = data("whale-data"), el = document.getElementById("whale");
    if (!d || !el || !window.Plotly) return;
    var traces = [
      { type: "scatter", mode: "lines", name: d.names.curve, x: d.x, y: d.y, line: { color: "#2b6cb0", width: 3 },
        hovertemplate: "%{x:.1f} %<br>%{y:,.0f} " + d.currency + "<extra></extra>" },
      { type: "scatter", mode: "markers", name: d.names.keys, x: d.keys.map(function (k) { return k.x; }),
        y: d.keys.map(function (k) { return k.y; }), text: d.keys.map(function (k) { return esc(k.name); }),
        marker: { color: "#b7791f", size: 11, symbol: "star", line: { color: "#744210", width: 1 } },
        hovertemplate: "<b>%{text}</b><br>%{x:.1f} %<br>%{y:,.0f} " + d.currency + "<extra></extra>" }
    ];
    window.Plotly.newPlot(el, traces, {
      margin: { t: 20, r: 20, b: 50, l: 40 }, separators: sep, legend: { orientation: "h", y: -0.2 },
      xaxis: { title: { text: d.names.x }, range: [0, 100], automargin: true },
      yaxis: { title: { text: d.names.y }, tickformat: ",.0f", zeroline: true, rangemode: "tozero",
               nticks: 6, automargin: true },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: d.total, y1: d.total,
                 line: { color: "#718096", dash: "dot", width: 1 } }],
      annotations: [{ xref: "paper", x: 0.01, y: d.total, xanchor: "left", yanchor: "top",
                      text: d.names.total, showarrow: false, font: { size: 11, color: "#4a5568" } }]
    }, config);
  }

  document.addEventListener("DOMContentLoaded", function () { trend(); whale(); });
})();
