// Every destructive form in kamp carries hx-confirm="<translated question>" (docs/development.md,
// "Destructive actions"). htmx asks before the forms it sends itself (hx-post); this asks the
// same question before an ordinary form (no hx-post) is sent, so a delete never happens on one
// click, whichever way its form is sent. A static file: the CSP allows no inline script.
(function () {
  "use strict";
  var HTMX = ["hx-post", "hx-get", "hx-put", "hx-patch", "hx-delete"];
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    // A form with several buttons (reallocate · delete) puts the question on the one that destroys.
    var button = event.submitter;
    var question = (button && button.getAttribute("hx-confirm")) || form.getAttribute("hx-confirm");
    if (!question) return;
    for (var i = 0; i < HTMX.length; i++) {
      if (form.hasAttribute(HTMX[i])) return; // htmx asks itself
    }
    if (!window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();

// A small menu that saves itself when changed (<select data-submit-on-change>), e.g. a calendar
// connection's mode on Connections: sent as if its form's button were pressed. Here, not in an
// onchange attribute, because the CSP allows no inline script.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLElement) || !field.hasAttribute("data-submit-on-change")) return;
    if (field.form) field.form.requestSubmit();
  });
})();
