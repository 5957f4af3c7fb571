// Refresh the status of queued and running submissions until they are decided.
(function () {
  "use strict";
  var LABELS = { queued: "Queued", running: "Running", evaluated: "Evaluated", accepted: "Accepted",
                 rejected: "Rejected", failed: "Failed", cancelled: "Cancelled" };

  function update(row, data) {
    var badge = row.querySelector("[data-role=status]");
    badge.textContent = data.status_label || LABELS[data.status] || data.status;
    badge.className = "badge status-" + data.status;
    var reason = row.querySelector("[data-role=reason]");
    reason.textContent = data.reason ? data.reason.replace(/_/g, " ") : "";
    if (data.message) {
      var small = document.createElement("small");
      small.className = "muted";
      small.textContent = data.message;
      reason.appendChild(document.createElement("br"));
      reason.appendChild(small);
    }
    if (data.public_gain !== null && data.public_gain !== undefined) {
      row.querySelector("[data-role=gain]").textContent = Number(data.public_gain).toFixed(4);
    }
    if (!data.pending) row.removeAttribute("data-pending");
  }

  function poll() {
    var rows = document.querySelectorAll("tr[data-pending]");
    if (!rows.length) return;
    Array.prototype.forEach.call(rows, function (row) {
      fetch(row.getAttribute("data-status-url"), {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) update(row, data); })
        .catch(function () {});
    });
    setTimeout(poll, 3000);
  }

  setTimeout(poll, 2000);
})();
