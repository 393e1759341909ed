/* The portfolio matrix: Plotly bubbles from the JSON the page embeds (the CSP forbids inline
   scripts). x = competitive position, y = customer attractiveness, split lines, quadrant names,
   bubble size = revenue of the last 12 months, colour = quadrant, ◆ = key account, thick outline
   = recommended, ✕ = strategic but unreciprocated; grey bubbles group the rest of a large
   portfolio; dotted lines are each customer's movement across snapshots. */
(function () {
  "use strict";
  // Plotly renders a subset of HTML in text (links, bold…): names typed by people are shown as
  // plain text, never as markup.
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  var el = document.getElementById("matrix");
  var src = document.getElementById("matrix-data");
  if (!el || !src || typeof Plotly === "undefined") { return; }
  var d = JSON.parse(src.textContent);
  var L = d.labels;
  var colours = { strategic: "#1b7f3b", star: "#b7791f", status: "#2b6cb0", streamline: "#718096" };
  var pad = (d.max - d.min) * 0.04;
  var lo = d.min - pad, hi = d.max + pad;
  var traces = [];
  // Bubbles are sized in pixels: on a phone's narrow plot they would cover each other, so they
  // shrink with the plot (down to half their laptop size).
  var k = Math.max(0.5, Math.min(1, el.clientWidth / 800));
  function px(size) { return Math.max(5, size * k); }

  if (d.density.length) {
    traces.push({
      type: "scatter", mode: "markers", name: L.others,
      x: d.density.map(function (c) { return c.x; }),
      y: d.density.map(function (c) { return c.y; }),
      text: d.density.map(function (c) { return c.n + " " + L.customers; }),
      hovertemplate: "%{text}<extra></extra>",
      marker: { size: d.density.map(function (c) { return px(c.size); }), color: "rgba(113,128,150,0.25)",
                line: { width: 0 } }
    });
  }

  d.trails.forEach(function (t, i) {
    traces.push({
      type: "scatter", mode: "lines+markers", name: L.trail, legendgroup: "trail",
      showlegend: i === 0,
      x: t.points.map(function (p) { return p.x; }),
      y: t.points.map(function (p) { return p.y; }),
      text: t.points.map(function (p) { return esc(t.name) + " · " + p.date; }),
      hovertemplate: "%{text}<br>" + L.position + " %{x:.2f} · " + L.attractiveness + " %{y:.2f}<extra></extra>",
      line: { color: "rgba(74,85,104,0.55)", width: 1.5, dash: "dot" },
      marker: { size: 5, color: "rgba(74,85,104,0.55)", symbol: "circle" }
    });
  });

  ["strategic", "star", "status", "streamline"].forEach(function (q) {
    var pts = d.points.filter(function (p) { return p.q === q; });
    if (!pts.length) { return; }
    traces.push({
      type: "scatter", mode: "markers", name: L[q], showlegend: false,
      x: pts.map(function (p) { return p.x; }),
      y: pts.map(function (p) { return p.y; }),
      customdata: pts.map(function (p) { return p.url; }),
      text: pts.map(function (p) {
        return "<b>" + esc(p.name) + "</b>" + (p.key ? " (" + L.key + ")" : "") +
          "<br>" + L.attractiveness + " " + p.y.toFixed(2) + " · " + L.position + " " + p.x.toFixed(2) +
          "<br>" + L.co + " " + (p.co === null ? "—" : p.co.toFixed(1)) +
          "<br>" + esc(p.why);
      }),
      hovertemplate: "%{text}<extra></extra>",
      marker: {
        size: pts.map(function (p) { return px(p.size); }),
        color: colours[q], opacity: 0.78,
        symbol: pts.map(function (p) { return p.key ? "diamond" : "circle"; }),
        line: { color: pts.map(function (p) { return p.rec ? "#1a202c" : "#ffffff"; }),
                width: pts.map(function (p) { return p.rec ? 3 : 1; }) }
      }
    });
  });

  var unrec = d.points.filter(function (p) { return p.unrec; });
  if (unrec.length) {
    traces.push({
      type: "scatter", mode: "markers", name: L.unrec, hoverinfo: "skip",
      x: unrec.map(function (p) { return p.x; }), y: unrec.map(function (p) { return p.y; }),
      marker: { symbol: "x-thin-open", size: 14, color: "#c53030", line: { width: 2.5, color: "#c53030" } }
    });
  }
  // Legend entries drawn apart, so a quadrant's swatch is a plain circle whatever its first
  // point's shape; then the marks that are not colours (colour is never the only signal).
  ["strategic", "star", "status", "streamline"].forEach(function (q) {
    traces.push({ type: "scatter", mode: "markers", name: L[q], x: [null], y: [null],
                  marker: { symbol: "circle", size: 11, color: colours[q] }, hoverinfo: "skip" });
  });
  traces.push({ type: "scatter", mode: "markers", name: L.key, x: [null], y: [null],
                marker: { symbol: "diamond", size: 11, color: "#a0aec0" }, hoverinfo: "skip" });
  traces.push({ type: "scatter", mode: "markers", name: L.rec, x: [null], y: [null],
                marker: { symbol: "circle", size: 11, color: "#a0aec0", line: { width: 3, color: "#1a202c" } },
                hoverinfo: "skip" });

  function corner(x, y, text, colour, xanchor, yanchor) {
    return { x: x, y: y, text: "<b>" + text + "</b>", showarrow: false, xanchor: xanchor,
             yanchor: yanchor, font: { size: 14, color: colour }, opacity: 0.85 };
  }
  var layout = {
    margin: { l: 60, r: 10, t: 10, b: 50 },
    xaxis: { title: { text: L.x + " →" }, range: [lo, hi], zeroline: false, gridcolor: "#edf2f7" },
    yaxis: { title: { text: L.y + " →" }, range: [lo, hi], zeroline: false, gridcolor: "#edf2f7" },
    shapes: [
      { type: "line", x0: d.split, x1: d.split, y0: lo, y1: hi, line: { color: "#4a5568", width: 1.5, dash: "dash" } },
      { type: "line", x0: lo, x1: hi, y0: d.split, y1: d.split, line: { color: "#4a5568", width: 1.5, dash: "dash" } },
      { type: "rect", x0: d.split, x1: hi, y0: d.split, y1: hi, fillcolor: "rgba(27,127,59,0.06)", line: { width: 0 }, layer: "below" }
    ],
    annotations: [
      corner(hi, hi, L.strategic, colours.strategic, "right", "top"),
      corner(lo, hi, L.star, colours.star, "left", "top"),
      corner(hi, lo, L.status, colours.status, "right", "bottom"),
      corner(lo, lo, L.streamline, colours.streamline, "left", "bottom")
    ],
    legend: { orientation: "h", y: -0.14 },
    hovermode: "closest",
    plot_bgcolor: "#ffffff"
  };
  Plotly.newPlot(el, traces, layout, { responsive: true, displaylogo: false,
                                       modeBarButtonsToRemove: ["lasso2d", "select2d"] });
  el.on("plotly_click", function (ev) {
    var p = ev.points && ev.points[0];
    if (p && typeof p.customdata === "string") { window.location.href = p.customdata; }
  });
})();
