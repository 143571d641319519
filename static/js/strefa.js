/* Strefa: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  // After a form comes back with errors, move focus to the error summary at the top of the
  // page, so a phone scrolls to it and a screen reader reads it (GOV.UK error summary).
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    // After an action (reading saved, vote cast, failure reported) the next page carries its
    // message: focus it so a screen reader reads it first. A status region that is already
    // in a freshly loaded page is not announced.
    var messages = document.querySelector("[data-messages]");
    if (messages) {
      messages.focus();
    }
    return;
  }
  summary.focus();
  // A link in the summary focuses its field and shows the field's label (or legend) too.
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var input = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    var legend = input.closest("fieldset") && input.closest("fieldset").querySelector("legend");
    var label = legend || document.querySelector("label[for='" + input.id + "']") || input;
    label.scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
