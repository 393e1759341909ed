/* Director's dashboard thumbnails: cap gauge, portfolio matrix, whale curve. Points link to the
   account (customdata holds its URL). Data come from the json_script "dashboard-data". */
(function () {
  // Plotly renders a subset of HTML in text (links, bold…): names typed by people are shown as
  // plain text, never as markup.
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  var cfg = { displayModeBar: false, responsive: true };
  var margin = { t: 20, b: 40, l: 45, r: 15 };
  function linkOnClick(el) {
    el.on("plotly_click", function (ev) {
      var p = ev.points && ev.points[0];
      if (p && p.customdata) window.location.href = p.customdata;
    });
  }
  function gauge(d) {
    var el = document.getElementById("cap-gauge");
    if (!el) return;
    var max = Math.max(d.cap.cap * 1.4, d.cap.value + 1);
    Plotly.newPlot(el, [{
      type: "indicator", mode: "gauge+number", value: d.cap.value,
      number: { suffix: " / " + d.cap.cap },
      gauge: {
        axis: { range: [0, max] },
        bar: { color: d.cap.value > d.cap.cap ? "#c53030" : "#2b6cb0" },
        steps: [{ range: [0, d.cap.cap], color: "#e6fffa" }, { range: [d.cap.cap, max], color: "#fff5f5" }],
        threshold: { line: { color: "#c53030", width: 3 }, value: d.cap.cap }
      }
    }], { margin: { t: 10, b: 10, l: 25, r: 25 }, height: 220 }, cfg);
  }
  function matrix(d) {
    var el = document.getElementById("matrix-thumb");
    if (!el || !d.matrix || !d.matrix.length) return;
    var colors = { strategic: "#1b7f3b", star: "#b7791f", status: "#2b6cb0", streamline: "#718096" };
    var Q = d.labels.quadrants || {};
    // Each colour named in its corner (as on the full matrix), so the thumbnail explains all four.
    function corner(q, x, y, xanchor, yanchor) {
      return { x: x, y: y, text: "<b>" + (Q[q] || "") + "</b>", showarrow: false, xanchor: xanchor,
               yanchor: yanchor, font: { size: 10, color: colors[q] }, opacity: 0.9 };
    }
    Plotly.newPlot(el, [{
      type: "scatter", mode: "markers",
      x: d.matrix.map(function (p) { return p.position; }),
      y: d.matrix.map(function (p) { return p.attractiveness; }),
      text: d.matrix.map(function (p) {
        return esc(p.name) + "<br>" + (Q[p.quadrant] || "") + (p.key ? " · " + d.labels.key : "");
      }),
      customdata: d.matrix.map(function (p) { return p.url; }),
      marker: { size: d.matrix.map(function (p) { return p.key ? 13 : 8; }),
                color: d.matrix.map(function (p) { return colors[p.quadrant] || "#718096"; }),
                line: { width: d.matrix.map(function (p) { return p.key ? 2 : 0; }), color: "#1a202c" } },
      hovertemplate: "%{text}<extra></extra>"
    }], {
      margin: margin, height: 240, showlegend: false,
      xaxis: { title: { text: d.labels.position }, range: [0.5, 10.5], zeroline: false, dtick: 5 },
      yaxis: { title: { text: d.labels.attractiveness }, range: [0.5, 10.5], zeroline: false, dtick: 5 },
      annotations: [corner("strategic", 10.5, 10.5, "right", "top"), corner("star", 0.5, 10.5, "left", "top"),
                    corner("status", 10.5, 0.5, "right", "bottom"), corner("streamline", 0.5, 0.5, "left", "bottom")],
      shapes: [
        { type: "line", x0: 5.5, x1: 5.5, y0: 0.5, y1: 10.5, line: { color: "#a0aec0", dash: "dot" } },
        { type: "line", y0: 5.5, y1: 5.5, x0: 0.5, x1: 10.5, line: { color: "#a0aec0", dash: "dot" } }
      ]
    }, cfg);
    linkOnClick(el);
  }
  function whale(d) {
    var el = document.getElementById("whale-thumb");
    if (!el) return;
    if (d.whale && d.whale.length) {
      var x = [0], y = [0], names = [""], urls = [null];
      d.whale.forEach(function (p, i) { x.push(i + 1); y.push(p.cumulative); names.push(esc(p.name)); urls.push(p.url); });
      Plotly.newPlot(el, [{
        type: "scatter", mode: "lines+markers", x: x, y: y, text: names, customdata: urls,
        line: { color: "#2b6cb0" }, hovertemplate: "%{text}: %{y:,.0f}<extra></extra>"
      }], { margin: margin, height: 240, showlegend: false,
            xaxis: { title: { text: d.labels.accounts }, nticks: 6 },
            yaxis: { title: { text: d.labels.cumulative }, nticks: 5, automargin: true } }, cfg);
      linkOnClick(el);
    } else if (d.pnl && d.pnl.length) {
      Plotly.newPlot(el, [{
        type: "bar", x: d.pnl.map(function (p) { return esc(p[0]); }), y: d.pnl.map(function (p) { return p[1]; }),
        marker: { color: d.pnl.map(function (p) { return p[1] < 0 ? "#c53030" : "#1b7f3b"; }) }
      }], { margin: margin, height: 240, yaxis: { title: { text: d.labels.profit }, automargin: true },
            // Account names: angled and given room below rather than written over each other.
            xaxis: { tickangle: -40, automargin: true } }, cfg);
    }
  }
  function draw() {
    var src = document.getElementById("dashboard-data");
    if (!src || !window.Plotly) return;
    var d = JSON.parse(src.textContent);
    gauge(d); matrix(d); whale(d);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
