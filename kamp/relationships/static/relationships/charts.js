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
    // On a phone the regions' names and the axis titles take two lines instead of running over
    // each other and off the chart.
    var narrow = el.clientWidth < 600;
    function fit(text) {
      if (!narrow || !text) return text;
      var cut = text.indexOf(" (");
      if (cut > 0) return text.slice(0, cut) + "<br>" + text.slice(cut + 1);
      var mid = text.indexOf(" ", Math.floor(text.length / 2) - 2);
      return text.length > 16 && mid > 0 ? text.slice(0, mid) + "<br>" + text.slice(mid + 1) : text;
    }
    var H = d.hover || { ro: "RO", rp: "RP", ds: "D_s", db: "D_b" };
    function region(x0, x1, y0, y1, fill) {
      shapes.push({ type: "rect", xref: "x", yref: "y", x0: x0, x1: x1, y0: y0, y1: y1,
        fillcolor: fill, opacity: 0.12, line: { width: 0 }, layer: "below" });
    }
    function label(x, y, key, extra) {
      var names = n[key];
      annotations.push({ x: x, y: y, xref: "x", yref: "y", showarrow: false,
        text: "<b>" + fit(names[0]) + "</b>" + (names[1] || extra ? "<br><span style='font-size:10px;color:#718096'>" + names[1] + (extra || "") + "</span>" : ""),
        font: { size: narrow ? 10 : 12, color: COLORS[key] } });
    }
    region(1, 4.5, -6, -1, COLORS.vulnerable_supplier); region(4.5, 7, -6, -1, COLORS.inviting_buyer);
    region(1, 4.5, 1, 6, COLORS.vulnerable_buyer); region(4.5, 7, 1, 6, COLORS.inviting_supplier);
    region(1, 4.5, -1, 1, COLORS.competitive_interaction); region(4.5, 7, -1, 1, COLORS.collaborative_partnership);
    label(2.75, -4.8, "vulnerable_supplier"); label(5.75, -4.8, "inviting_buyer");
    label(2.75, 4.8, "vulnerable_buyer"); label(5.75, 4.8, "inviting_supplier");
    label(2.75, 0.62, "competitive_interaction"); label(5.75, 0.62, "collaborative_partnership");
    // In the band's lower left corner, where few accounts sit, not across the middle.
    annotations.push({ x: 1.05, y: -0.9, xref: "x", yref: "y", showarrow: false, xanchor: "left", yanchor: "bottom",
      text: "<i>" + n.independent[0] + "</i>", font: { size: narrow ? 9 : 10, color: COLORS.independent } });
    var traces = d.series.map(function (s) {
      var pts = s.points, name = esc(s.name);
      return {
        type: "scatter", mode: pts.length > 1 ? "lines+markers+text" : "markers+text", name: name,
        x: pts.map(function (p) { return p.ro; }), y: pts.map(function (p) { return p.rp; }),
        text: pts.map(function (p, i) { return d.label_names ? name : (i === pts.length - 1 || i === 0 ? (p.month || p.date.slice(0, 7)) : ""); }),
        textposition: "bottom center", textfont: { size: narrow ? 9 : 10 },
        line: { color: "#4a5568", width: 1.5, dash: "dot" },
        marker: {
          size: pts.map(function (p, i) { return i === pts.length - 1 ? 14 : 9; }),
          color: pts.map(function (p) { return p.independent ? "#ffffff" : COLORS[p.type]; }),
          line: { width: 2, color: pts.map(function (p) { return COLORS[p.type]; }) }
        },
        customdata: pts.map(function (p) { return [p.day || p.date, esc(p.type_label), p.ds, p.db]; }),
        hovertemplate: "<b>" + name + "</b><br>%{customdata[0]}: %{customdata[1]}<br>" + H.ro + ": %{x:.1f}<br>" + H.rp + ": %{y:.1f}<br>" + H.ds + ": %{customdata[2]:.1f}<br>" + H.db + ": %{customdata[3]:.1f}<extra></extra>"
      };
    });
    Plotly.newPlot(el, traces, {
      margin: { t: 20, r: 10, b: 40, l: 40 }, showlegend: false, shapes: shapes, annotations: annotations,
      height: narrow ? 440 : undefined, // taller on a phone: the middle band holds two names
      xaxis: { title: { text: fit(d.axis.x) }, range: [1, 7], dtick: 1, zeroline: false, automargin: true },
      yaxis: { title: { text: fit(d.axis.y) }, range: [-6, 6], dtick: narrow ? 2 : 1, zeroline: true, automargin: true },
      hovermode: "closest"
    }, CONFIG).then(function () { placeNames(el, d); });
  }

  // Once drawn, each account's name moves from under its marker to the first place (under,
  // above, beside, diagonally) that covers no other marker, no region name and no name already
  // placed: measured on the chart itself, so it holds at every width and in every language.
  function placeNames(el, d) {
    if (!d.label_names || !el._fullLayout) return;
    var xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis, origin = el.getBoundingClientRect();
    function rel(r) { return [r.left - origin.left, r.top - origin.top, r.right - origin.left, r.bottom - origin.top]; }
    function hits(a, b) { return a[0] < b[2] - 2 && b[0] < a[2] - 2 && a[1] < b[3] - 2 && b[1] < a[3] - 2; }
    var taken = Array.prototype.map.call(el.querySelectorAll(".annotation"), function (a) {
      return rel(a.getBoundingClientRect());
    });
    var groups = el.querySelectorAll(".scatterlayer .trace");
    var at = d.series.map(function (s) {
      var p = s.points[s.points.length - 1];
      return { x: xa._offset + xa.l2p(p.ro), y: ya._offset + ya.l2p(p.rp) };
    });
    var marks = at.map(function (p) { return [p.x - 8, p.y - 8, p.x + 8, p.y + 8]; });
    var positions = d.series.map(function (s, i) {
      var texts = groups[i] ? groups[i].querySelectorAll(".textpoint text") : [];
      var label = texts.length ? texts[texts.length - 1].getBoundingClientRect() : null;
      if (!label || !label.width) return "bottom center";
      var w = label.width, h = label.height, p = at[i];
      var boxes = {
        "bottom center": [p.x - w / 2, p.y + 8, p.x + w / 2, p.y + 8 + h],
        "top center": [p.x - w / 2, p.y - 8 - h, p.x + w / 2, p.y - 8],
        "middle right": [p.x + 9, p.y - h / 2, p.x + 9 + w, p.y + h / 2],
        "middle left": [p.x - 9 - w, p.y - h / 2, p.x - 9, p.y + h / 2],
        "bottom right": [p.x + 4, p.y + 8, p.x + 4 + w, p.y + 8 + h],
        "top right": [p.x + 4, p.y - 8 - h, p.x + 4 + w, p.y - 8],
        "bottom left": [p.x - 4 - w, p.y + 8, p.x - 4, p.y + 8 + h],
        "top left": [p.x - 4 - w, p.y - 8 - h, p.x - 4, p.y - 8]
      };
      var chosen = Object.keys(boxes).filter(function (where) {
        var b = boxes[where];
        return b[0] >= xa._offset - 2 && b[2] <= xa._offset + xa._length + 2 &&
          !marks.some(function (m, j) { return j !== i && hits(b, m); }) &&
          !taken.some(function (t) { return hits(b, t); });
      })[0];
      // No free place: the name is left to the hover and to the list under the chart.
      if (chosen) taken.push(boxes[chosen]);
      return chosen || null;
    });
    if (positions.some(function (p) { return p !== "bottom center"; })) {
      Plotly.restyle(el, {
        textposition: positions.map(function (p) { return p || "bottom center"; }),
        mode: positions.map(function (p, i) { return p ? el.data[i].mode : "markers"; })
      });
    }
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
