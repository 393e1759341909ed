/* The Interactions tab: the network of ties (ours left, theirs right) and the form per quarter,
   drawn with Plotly from the json_script blocks; and the name filter of the quick entry. */
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Plotly renders a subset of HTML in text (links, bold…): names typed by people are shown as
  // plain text, never as markup.
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function spread(n) {
    // y positions from top (1) to bottom (0), centred when there are few nodes.
    if (n === 1) return [0.5];
    var out = [];
    for (var i = 0; i < n; i++) out.push(1 - i / (n - 1));
    return out;
  }

  function drawNetwork() {
    var el = document.getElementById("network");
    var data = readJSON("network-data");
    if (!el || !data || !window.Plotly) return;
    var L = data.labels;
    var yo = spread(data.ours.length), yt = spread(data.theirs.length);
    var pos = {};
    data.ours.forEach(function (p, i) { pos["o" + p.id] = [0, yo[i]]; });
    data.theirs.forEach(function (c, i) { pos["t" + c.id] = [1, yt[i]]; });
    var max = 1;
    data.edges.forEach(function (e) { max = Math.max(max, e.count); });
    var traces = [];
    data.edges.forEach(function (e) {
      var a = pos["o" + e.o], b = pos["t" + e.t];
      if (!a || !b) return;
      traces.push({
        type: "scatter", mode: "lines", x: [a[0], b[0]], y: [a[1], b[1]],
        hoverinfo: "skip", showlegend: false,
        line: {
          width: e.count ? 1.5 + 10 * e.count / max : 1,
          color: e.knot ? "#dd6b20" : (e.count ? "rgba(43,108,176,0.55)" : "#cbd5e0"),
          dash: e.count ? "solid" : "dot"
        }
      });
    });
    // Invisible midpoints carry each edge's hover text.
    traces.push({
      type: "scatter", mode: "markers", showlegend: false, hoverinfo: "text",
      marker: { size: 14, opacity: 0 },
      x: data.edges.map(function (e) { return 0.5; }),
      y: data.edges.map(function (e) { return (pos["o" + e.o][1] + pos["t" + e.t][1]) / 2; }),
      text: data.edges.map(function (e) {
        return (e.knot ? L.knot + "<br>" : "") + e.count + " " + L.interactions + " · " + L.last + " " + e.last;
      })
    });
    traces.push({
      type: "scatter", mode: "markers+text", name: L.ours, textposition: "middle left",
      x: data.ours.map(function () { return 0; }), y: yo,
      text: data.ours.map(function (p) { return (p.kam ? "★ " : "") + esc(p.name); }),
      hovertext: data.ours.map(function (p) { return esc(p.name + " · " + p.function) + (p.kam ? " · " + L.kam : ""); }),
      hoverinfo: "text",
      marker: { size: 18, color: data.ours.map(function (p) { return p.kam ? "#dd6b20" : "#2b6cb0"; }), symbol: "circle" }
    });
    traces.push({
      type: "scatter", mode: "markers+text", name: L.theirs, textposition: "middle right",
      x: data.theirs.map(function () { return 1; }), y: yt,
      text: data.theirs.map(function (c) { return esc(c.name) + (c.purchasing ? " ★" : "") + (c.active ? "" : " †"); }),
      hovertext: data.theirs.map(function (c) { return esc(c.name + " · " + c.function) + (c.purchasing ? " · " + L.purchasing : "") + (c.active ? "" : " · " + L.left); }),
      hoverinfo: "text",
      marker: { size: 18, symbol: "square", color: data.theirs.map(function (c) { return c.purchasing ? "#dd6b20" : (c.active ? "#2f855a" : "#a0aec0"); }) }
    });
    var h = Math.max(360, 46 * Math.max(data.ours.length, data.theirs.length) + 80);
    el.style.height = h + "px";
    Plotly.newPlot(el, traces, {
      margin: { l: 10, r: 10, t: 30, b: 10 }, height: h,
      xaxis: { visible: false, range: [-0.75, 1.75], fixedrange: true },
      yaxis: { visible: false, range: [-0.12, 1.12], fixedrange: true },
      showlegend: false, hovermode: "closest",
      annotations: [
        { x: 0, y: 1.1, text: "<b>" + L.ours + "</b>", showarrow: false, xanchor: "right" },
        { x: 1, y: 1.1, text: "<b>" + L.theirs + "</b>", showarrow: false, xanchor: "left" }
      ]
    }, { displayModeBar: false, responsive: true });
    el.setAttribute("data-drawn", "1");
  }

  function drawHistory() {
    var el = document.getElementById("history");
    var data = readJSON("history-data");
    if (!el || !data || !window.Plotly) return;
    var L = data.labels;
    var narrow = el.clientWidth < 500;
    // One bar trace per form, so each legend swatch has its bars' colour; the bars' own labels
    // only where there is room for them.
    var bars = ["A", "B"].filter(function (f) { return data.forms.indexOf(f) !== -1; }).map(function (f) {
      var y = data.index.map(function (v, i) { return data.forms[i] === f ? v : null; });
      return {
        type: "bar", name: L[f], x: data.quarters, y: y, offsetgroup: "index",
        text: narrow ? null : y.map(function (v) { return v === null ? "" : L[f]; }),
        textposition: "outside", cliponaxis: false,
        marker: { color: f === "B" ? "#1b7f3b" : "#d69e2e" },
        hovertemplate: "%{x}: %{y}% · " + L[f] + "<extra></extra>"
      };
    });
    Plotly.newPlot(el, bars.concat([
      { type: "scatter", mode: "lines+markers", name: L.pairs, x: data.quarters, y: data.pairs, yaxis: "y2",
        line: { color: "#2b6cb0" } }
    ]), {
      margin: { l: 10, r: 10, t: 20, b: 40 }, height: 300, legend: { orientation: "h", y: -0.25 },
      yaxis: { title: { text: L.index }, range: [0, 115], fixedrange: true, automargin: true },
      yaxis2: { title: { text: L.pairs }, overlaying: "y", side: "right", rangemode: "tozero", fixedrange: true, dtick: 1, automargin: true },
      xaxis: { fixedrange: true, automargin: true }
    }, { displayModeBar: false, responsive: true });
    el.setAttribute("data-drawn", "1");
  }

  function pickFilters() {
    document.querySelectorAll(".pick-filter").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-target"));
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        list.querySelectorAll("label").forEach(function (label) {
          label.hidden = q !== "" && label.textContent.toLowerCase().indexOf(q) === -1;
        });
      });
      // Enter in the filter ticks the only visible name instead of submitting the form.
      input.addEventListener("keydown", function (ev) {
        if (ev.key !== "Enter") return;
        var shown = Array.prototype.filter.call(list.querySelectorAll("label"), function (l) { return !l.hidden; });
        if (shown.length === 1) {
          ev.preventDefault();
          var box = shown[0].querySelector("input");
          box.checked = true;
          input.value = "";
          input.dispatchEvent(new Event("input"));
        }
      });
    });
  }

  function init() { drawNetwork(); drawHistory(); pickFilters(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
