// Refresh the status of queued and running submissions until they are decided. A list row is updated
// in place; a page marked data-reload (one submission's page) reloads when the status changes, so the
// server draws the progress steps and the decision.
(function () {
  "use strict";
  var LABELS = { queued: "Queued", running: "Running", evaluated: "Evaluated", accepted: "Accepted",
                 rejected: "Rejected", failed: "Failed", cancelled: "Cancelled",
                 awaiting_approval: "Awaiting approval", declined: "Declined by an organizer" };

  function update(box, data) {
    if (box.hasAttribute("data-reload")) {
      if (data.status !== box.getAttribute("data-status")) window.location.reload();
      return;
    }
    var badge = box.querySelector("[data-role=status]");
    badge.textContent = data.status_label || LABELS[data.status] || data.status;
    badge.className = "badge status-" + data.status;
    var reason = box.querySelector("[data-role=reason]");
    if (reason) {
      reason.textContent = data.reason ? data.reason.replace(/_/g, " ") : "";
      if (data.message) {
        var small = document.createElement("small");
        small.className = "muted";
        small.textContent = data.message;
        reason.appendChild(document.createElement("br"));
        reason.appendChild(small);
      }
    }
    var gain = box.querySelector("[data-role=gain]");
    if (gain && data.public_gain !== null && data.public_gain !== undefined) {
      gain.textContent = Number(data.public_gain).toFixed(4);
    }
    if (!data.pending) box.removeAttribute("data-pending");
  }

  function poll() {
    var boxes = document.querySelectorAll("[data-pending][data-status-url]");
    if (!boxes.length) return;
    Array.prototype.forEach.call(boxes, function (box) {
      fetch(box.getAttribute("data-status-url"), {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) update(box, data); })
        .catch(function () {});
    });
    setTimeout(poll, 2000);
  }

  setTimeout(poll, 1500);
})();
