/* Radar chart of a KAM's four hats: the KAM's view, the director's and what the accounts need. */
(function () {
  // Plotly renders a subset of HTML in text (links, bold…): names typed by people are shown as
  // plain text, never as markup.
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function draw() {
    var el = document.getElementById("radar");
    var src = document.getElementById("radar-data");
    if (!el || !src || !window.Plotly) return;
    var data = JSON.parse(src.textContent);
    // Only the KAM's own view is a filled area; the director's is a dashed line with diamonds
    // and the accounts' need a dotted one with squares, so two series that coincide both show.
    var styles = {
      need: { color: "#4a5568", dash: "dot", fill: "none", symbol: "square", width: 2 },
      self: { color: "#2b6cb0", dash: "solid", fill: "toself", symbol: "circle", width: 2 },
      director: { color: "#1b7f3b", dash: "dash", fill: "none", symbol: "diamond", width: 3 }
    };
    var traces = data.series.map(function (s) {
      var st = styles[s.kind] || styles.self;
      return {
        type: "scatterpolar", mode: "lines+markers", name: esc(s.name), fill: st.fill,
        fillcolor: st.fill === "none" ? undefined : "rgba(43,108,176,0.18)",
        r: s.values.concat([s.values[0]]), theta: data.labels.concat([data.labels[0]]),
        line: { color: st.color, dash: st.dash, width: st.width },
        marker: { symbol: st.symbol, size: 8, color: st.color },
        hovertemplate: esc(s.name) + "<br>%{theta}: %{r}<extra></extra>"
      };
    });
    var wide = el.clientWidth > 480;
    Plotly.newPlot(el, traces, {
      // The scale's numbers run between two hats, never over a hat's name.
      polar: { radialaxis: { range: [0, 5], dtick: 1, angle: 45, tickangle: 45, tickfont: { size: 10 } },
               angularaxis: { tickfont: { size: wide ? 13 : 11 } } },
      margin: { t: 30, b: 20, l: wide ? 80 : 62, r: wide ? 80 : 62 }, height: wide ? 440 : 360,
      legend: { orientation: "h", y: -0.08 }
    }, { displayModeBar: false, responsive: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
