// Polls an allocation run's status every 2 s while it is queued or running, then reloads the
// page to show the result or the failure. The page carries a plain link as fallback.
(function () {
  "use strict";
  var box = document.getElementById("run-status");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var text = box.querySelector("[data-run-status-text]");
  var active = function (status) { return status === "queued" || status === "running"; };
  if (!active(box.getAttribute("data-status"))) { return; }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (text) { text.textContent = data.status_display; }
        if (data.finished) { window.location.reload(); }
      })
      .catch(function () { /* keep polling: the worker or network may come back */ })
      .then(function () {
        if (active(box.getAttribute("data-status"))) { window.setTimeout(poll, 2000); }
      });
  }
  window.setTimeout(poll, 2000);
})();
