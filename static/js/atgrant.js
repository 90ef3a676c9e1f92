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
  // Tables wider than the screen scroll inside .table-responsive: such a box must be reachable
  // and scrollable by keyboard (WCAG 2.1.1), so it becomes a focusable region named after the
  // table's caption. Boxes that do not scroll stay out of the tab order.
  // Tables without such a box get one, so a wide table never makes the whole page scroll
  // sideways on a phone (WCAG 1.4.10).
  document.querySelectorAll("main table.table").forEach(function (table) {
    if (table.closest(".table-responsive")) { return; }
    const box = document.createElement("div");
    box.className = "table-responsive";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        const caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (caption && !box.hasAttribute("aria-label")) { box.setAttribute("aria-label", caption.textContent.trim()); }
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
      }
    });
  }
  update();
  window.addEventListener("resize", update);
})();
