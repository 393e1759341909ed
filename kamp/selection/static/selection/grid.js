/* The scoring grid's keyboard: Enter saves and moves down the same column (Shift+Enter up),
   like a spreadsheet; Tab moves across as usual. Saving itself is HTMX (on change). */
(function () {
  "use strict";
  var grid = document.getElementById("score-grid");
  if (!grid) { return; }
  function inputs(col) {
    return Array.prototype.slice.call(grid.querySelectorAll('input[data-col="' + col + '"]'));
  }
  grid.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.key !== "Enter" || !t.matches("input[data-col]")) { return; }
    ev.preventDefault();
    var col = inputs(t.dataset.col);
    var i = col.indexOf(t);
    var next = col[i + (ev.shiftKey ? -1 : 1)];
    // Leaving the cell fires its change event, which saves it.
    if (next) { next.focus(); next.select(); }
  });
})();
