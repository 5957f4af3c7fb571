// The time left before a deadline, counted down live. The page already says the deadline (in UTC)
// and the time left when it was drawn; this only keeps that second figure current.
(function () {
  "use strict";

  function part(value, unit) {
    return value + " " + unit + (value === 1 ? "" : "s");
  }

  function left(ms) {
    var s = Math.floor(ms / 1000);
    var days = Math.floor(s / 86400), hours = Math.floor((s % 86400) / 3600);
    var minutes = Math.floor((s % 3600) / 60), seconds = s % 60;
    if (days > 0) return part(days, "day") + ", " + part(hours, "hour");
    if (hours > 0) return part(hours, "hour") + ", " + part(minutes, "minute");
    return part(minutes, "minute") + ", " + part(seconds, "second");
  }

  function start(box) {
    var time = box.querySelector("[data-countdown]");
    var out = box.querySelector("[data-countdown-left]");
    if (!time || !out) return;
    var end = Date.parse(time.getAttribute("datetime"));
    if (isNaN(end)) return;
    function tick() {
      var ms = end - Date.now();
      if (ms <= 0) {
        out.textContent = "(closed; reload the page)";
        return;
      }
      out.textContent = "(in " + left(ms) + ")";
      window.setTimeout(tick, ms > 86400000 ? 60000 : 1000);
    }
    tick();
  }

  document.querySelectorAll("[data-deadline]").forEach(start);
})();
