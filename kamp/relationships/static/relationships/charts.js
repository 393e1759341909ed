/* Relationship charts (Plotly). Data come from json_script elements; no inline scripts (CSP). */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var COLORS = {
    vulnerable_supplier: "#c53030", vulnerable_buyer: "#b7791f", inviting_buyer: "#2c7a7b",
    inviting_supplier: "#2c7a7b", competitive_interaction: "#2b6cb0",
    collaborative_partnership: "#1b7f3b", independent: "#4a5568"
  };
  // Plotly renders a subset of HTML in text: names typed by people are shown as plain text.
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  var CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

  // The typology: x = relational orientation (split at 4.5), y = relative power D_b − D_s
  // (bands at −1 and +1). The middle band holds mutual dependence (competitive interaction,
  // collaborative partnership) and independence (hollow markers).
  function typology(elId, dataId) {
    var el = document.getElementById(elId), d = data(dataId);
    if (!el || !d || !window.Plotly) return;
    var n = d.names, shapes = [], annotations = [];
    function region(x0, x1, y0, y1, fill) {
      shapes.push({ type: "rect", xref: "x", yref: "y", x0: x0, x1: x1, y0: y0, y1: y1,
        fillcolor: fill, opacity: 0.12, line: { width: 0 }, layer: "below" });
    }
    function label(x, y, key, extra) {
      var names = n[key];
      annotations.push({ x: x, y: y, xref: "x", yref: "y", showarrow: false,
        text: "<b>" + names[0] + "</b>" + (names[1] || extra ? "<br><span style='font-size:10px;color:#718096'>" + names[1] + (extra || "") + "</span>" : ""),
        font: { size: 12, color: COLORS[key] } });
    }
    region(1, 4.5, -6, -1, COLORS.vulnerable_supplier); region(4.5, 7, -6, -1, COLORS.inviting_buyer);
    region(1, 4.5, 1, 6, COLORS.vulnerable_buyer); region(4.5, 7, 1, 6, COLORS.inviting_supplier);
    region(1, 4.5, -1, 1, COLORS.competitive_interaction); region(4.5, 7, -1, 1, COLORS.collaborative_partnership);
    label(2.75, -4.8, "vulnerable_supplier"); label(5.75, -4.8, "inviting_buyer");
    label(2.75, 4.8, "vulnerable_buyer"); label(5.75, 4.8, "inviting_supplier");
    label(2.75, 0.62, "competitive_interaction"); label(5.75, 0.62, "collaborative_partnership");
    annotations.push({ x: 4, y: -0.75, xref: "x", yref: "y", showarrow: false,
      text: "<i>" + n.independent[0] + "</i>", font: { size: 10, color: COLORS.independent } });
    var traces = d.series.map(function (s) {
      var pts = s.points, name = esc(s.name);
      return {
        type: "scatter", mode: pts.length > 1 ? "lines+markers+text" : "markers+text", name: name,
        x: pts.map(function (p) { return p.ro; }), y: pts.map(function (p) { return p.rp; }),
        text: pts.map(function (p, i) { return d.label_names ? name : (i === pts.length - 1 || i === 0 ? (p.month || p.date.slice(0, 7)) : ""); }),
        textposition: "bottom center", textfont: { size: 10 },
        line: { color: "#4a5568", width: 1.5, dash: "dot" },
        marker: {
          size: pts.map(function (p, i) { return i === pts.length - 1 ? 14 : 9; }),
          color: pts.map(function (p) { return p.independent ? "#ffffff" : COLORS[p.type]; }),
          line: { width: 2, color: pts.map(function (p) { return COLORS[p.type]; }) }
        },
        customdata: pts.map(function (p) { return [p.day || p.date, esc(p.type_label), p.ds, p.db]; }),
        hovertemplate: "<b>" + name + "</b><br>%{customdata[0]}: %{customdata[1]}<br>RO %{x:.1f} · RP %{y:.1f}<br>D_s %{customdata[2]:.1f} · D_b %{customdata[3]:.1f}<extra></extra>"
      };
    });
    Plotly.newPlot(el, traces, {
      margin: { t: 20, r: 10, b: 60, l: 60 }, showlegend: false, shapes: shapes, annotations: annotations,
      xaxis: { title: { text: d.axis.x }, range: [1, 7], dtick: 1, zeroline: false },
      yaxis: { title: { text: d.axis.y }, range: [-6, 6], dtick: 1, zeroline: true },
      hovermode: "closest"
    }, CONFIG);
  }

  function trend() {
    var el = document.getElementById("trend-chart"), d = data("trend-data");
    if (!el || !d || !window.Plotly) return;
    Plotly.newPlot(el, [
      { type: "scatter", mode: "lines+markers", name: d.names.team, x: d.dates, y: d.team, connectgaps: true, line: { color: "#2b6cb0" } },
      { type: "scatter", mode: "lines+markers", name: d.names.customer, x: d.dates, y: d.customer, connectgaps: true, line: { color: "#1b7f3b", dash: "dash" } }
    ], { margin: { t: 10, r: 10, b: 40, l: 50 }, yaxis: { title: { text: d.names.y }, range: [1, 7] },
         xaxis: { type: "category" },
         legend: { orientation: "h", y: -0.2 } }, CONFIG);
  }

  function results() {
    var el = document.getElementById("results-chart"), d = data("results-data");
    if (!el || !d || !window.Plotly) return;
    Plotly.newPlot(el, [
      { type: "bar", orientation: "h", name: d.names.team, y: d.labels, x: d.team, marker: { color: "#2b6cb0" } },
      { type: "bar", orientation: "h", name: d.names.customer, y: d.labels, x: d.customer, marker: { color: "#1b7f3b" } }
    ], { barmode: "group", margin: { t: 10, r: 10, b: 40, l: 170 },
         xaxis: { title: { text: d.names.y }, range: [1, 7] }, yaxis: { autorange: "reversed" },
         legend: { orientation: "h", y: -0.15 } }, CONFIG);
  }

  function copyButtons() {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var input = document.getElementById(btn.getAttribute("data-copy"));
        if (!input) return;
        input.select();
        var done = function () { btn.textContent = btn.getAttribute("data-done"); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
        } else { document.execCommand("copy"); done(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    typology("typology-chart", "typology-data");
    typology("portfolio-chart", "portfolio-data");
    trend();
    results();
    copyButtons();
  });
})();
