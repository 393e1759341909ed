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
    var styles = {
      need: { color: "#718096", dash: "dot", fill: "none" },
      self: { color: "#2b6cb0", dash: "solid", fill: "toself" },
      director: { color: "#1b7f3b", dash: "solid", fill: "toself" }
    };
    var traces = data.series.map(function (s) {
      var st = styles[s.kind] || styles.self;
      return {
        type: "scatterpolar", name: esc(s.name), fill: st.fill, opacity: s.kind === "need" ? 1 : 0.55,
        r: s.values.concat([s.values[0]]), theta: data.labels.concat([data.labels[0]]),
        line: { color: st.color, dash: st.dash, width: 2 }
      };
    });
    Plotly.newPlot(el, traces, {
      polar: { radialaxis: { range: [0, 5], dtick: 1 } },
      margin: { t: 30, b: 30, l: 40, r: 40 }, height: 340,
      legend: { orientation: "h", y: -0.1 }
    }, { displayModeBar: false, responsive: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
