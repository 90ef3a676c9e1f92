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
(function () {
  // A form whose work takes a while (data-busy: what is happening, in the page's language):
  // once sent, its buttons wait and the text says so in a live region, so nobody takes the
  // page for frozen and sends it again. Disabled after the submit event, so the button that
  // sent the form still goes with it.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      const buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
      setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
      form.setAttribute("aria-busy", "true");
      const status = document.createElement("p");
      status.className = "mt-2 fw-semibold";
      status.setAttribute("role", "status");
      status.setAttribute("data-busy-status", "");
      status.textContent = form.dataset.busy;
      form.appendChild(status);
    });
  });
})();
