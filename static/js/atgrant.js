// atgrant: small progressive enhancements. No inline scripts anywhere (CSP).
"use strict";
(function () {
  // Live time-left: elements with data-deadline (ISO 8601) get their text updated every minute.
  function formatLeft(ms) {
    if (ms <= 0) { return document.documentElement.lang === "en" ? "The deadline has passed" : "Sista dag har passerat"; }
    const minutes = Math.floor(ms / 60000);
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const mins = minutes % 60;
    if (document.documentElement.lang === "en") { return days + " d " + hours + " h " + mins + " min left"; }
    return days + " d " + hours + " tim " + mins + " min kvar";
  }
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      el.textContent = formatLeft(new Date(el.dataset.deadline) - new Date());
    });
  }
  tick();
  setInterval(tick, 60000);
})();
(function () {
  // A refused form's error summary (templates/includes/error_summary.html) takes the focus,
  // so the officer and a screen reader learn at once that nothing was saved and why.
  const summary = document.querySelector("[data-error-summary]");
  if (summary && document.activeElement !== summary) { summary.focus(); }
})();
