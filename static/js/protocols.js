// Live preview of a protocol answer while the editor types: the text with the resident's name filled
// in, and its length against each channel's reply limit. The page works without it (the server
// renders the same preview on "Preview without saving" and after saving).
(function () {
  "use strict";

  // As protocols.services.render_answer does with a first name.
  function render(text, firstName) {
    return text.split("{first_name}").join(firstName);
  }

  // Characters as Python counts them (code points), not UTF-16 units: an emoji is one.
  function length(text) {
    return Array.from(text).length;
  }

  function setup(textarea) {
    var preview = document.getElementById(textarea.dataset.preview);
    if (!preview) return;
    var output = preview.querySelector("[data-preview-text]");
    var live = preview.querySelector("[data-preview-live]");
    var rows = preview.querySelectorAll("tr[data-limit]");
    var firstName = preview.dataset.firstName || "";

    function update() {
      var text = render(textarea.value.replace(/\r\n?/g, "\n").trim(), firstName);
      var tooLong = [];
      output.textContent = text;
      rows.forEach(function (row) {
        var count = text ? length(text) + parseInt(row.dataset.extra || "0", 10) : 0;
        var over = count > parseInt(row.dataset.limit, 10);
        row.querySelector("[data-length]").textContent = count;
        row.querySelector("[data-verdict]").textContent = over ? row.dataset.overMessage : preview.dataset.fitsMessage;
        row.classList.toggle("over", over);
        if (over) tooLong.push(row.dataset.label);
      });
      // Announced only when the set of channels it is too long for changes.
      var notice = tooLong.length ? preview.dataset.overPrefix + " " + tooLong.join(", ") : "";
      if (live.textContent !== notice) live.textContent = notice;
    }

    textarea.addEventListener("input", update);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-preview]").forEach(setup);
  });
})();
