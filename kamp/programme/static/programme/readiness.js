/* Readiness result: score per area (and the previous take, when there is one). */
(function () {
  function draw() {
    var el = document.getElementById("readiness-chart");
    var src = document.getElementById("readiness-data");
    if (!el || !src || !window.Plotly) return;
    var d = JSON.parse(src.textContent);
    // On a phone an area's name wraps onto two lines, leaving the bars room to be read.
    var narrow = el.clientWidth < 600;
    var labels = d.labels.slice().reverse().map(function (t) {
      var mid = t.indexOf(" ", Math.floor(t.length / 2) - 2);
      return narrow && t.length > 18 && mid > 0 ? t.slice(0, mid) + "<br>" + t.slice(mid + 1) : t;
    });
    var traces = [];
    if (d.previous) {
      traces.push({ type: "bar", orientation: "h", name: d.names.previous, y: labels,
                    x: d.previous.slice().reverse(), marker: { color: "#cbd5e0" } });
    }
    traces.push({ type: "bar", orientation: "h", name: d.names.current, y: labels,
                  x: d.scores.slice().reverse(),
                  marker: { color: d.scores.slice().reverse().map(function (v) {
                    return v >= 67 ? "#1b7f3b" : v >= 34 ? "#b7791f" : "#c53030"; }) } });
    Plotly.newPlot(el, traces, {
      barmode: "group", height: 420, margin: { t: 10, b: 40, l: 20, r: 20 },
      xaxis: { range: [0, 100], ticksuffix: "%", nticks: narrow ? 5 : 11 },
      yaxis: { automargin: true }, legend: { orientation: "h", y: -0.15 }
    }, { displayModeBar: false, responsive: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
