// The joint-plan page: copy a link to the clipboard (the CSP forbids inline scripts).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var input = document.getElementById(button.dataset.copy);
  if (!input) return;
  input.select();
  var done = function () {
    var label = button.textContent;
    button.textContent = button.dataset.done || label;
    setTimeout(function () { button.textContent = label; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});
