// The top bar's areas sit in a <details> so that a phone shows a "Menu" button instead of four
// wrapped rows of links. kamp.css shows them in a row on a wide screen even while the <details>
// is closed (::details-content); for a browser without that pseudo-element this opens it there,
// and closes it again when the window becomes narrow.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 1024px)");
  function sync() {
    document.querySelectorAll("details.nav-menu").forEach(function (d) {
      d.open = wide.matches;
    });
  }
  document.addEventListener("DOMContentLoaded", sync);
  if (wide.addEventListener) wide.addEventListener("change", sync);
})();
