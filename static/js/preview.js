// Live preview of a group's share of the public train rows, next to the group field.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  if (!form) return;
  var field = form.querySelector("textarea[name=group_text]");
  var out = document.getElementById("group-preview");
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;

  function show(text, kind) {
    out.textContent = text;
    out.className = "preview " + (kind || "muted");
  }

  function check() {
    var text = field.value.trim();
    if (!text) { show("Type a group to see its share of the public training rows."); return; }
    var ticket = ++latest;
    show("Checking…");
    fetch(url + "?group=" + encodeURIComponent(text), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (ticket !== latest) return;
      if (result.ok) {
        var share = (result.body.mass * 100).toFixed(2);
        show(share + "% of the public training rows: " + result.body.description, "ok");
      } else {
        show(result.body.error ? result.body.error.message : "The preview failed.", "error");
      }
    }).catch(function () {
      if (ticket === latest) show("The preview is not available right now.", "error");
    });
  }

  if (field && out && url) {
    var box = field.closest(".field");
    if (box) box.appendChild(out);  // right under the group field
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 350);
    });
    if (field.value.trim()) check();
  }
})();
