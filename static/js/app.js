// Small enhancements; every page works without them.
(function () {
  "use strict";
  var SHORTCUTS_OFF = "webcare.shortcuts.off";

  function setupCounter() {
    var form = document.getElementById("reply-form");
    if (!form) return;
    var textarea = form.querySelector("textarea");
    var count = form.querySelector("[data-count]");
    var counter = document.getElementById("reply-counter");
    var overNotice = document.getElementById("reply-over");
    var limit = parseInt(form.dataset.limit, 10);
    var signature = form.dataset.signature || "";
    function update() {
      var text = textarea.value.trim();
      var length = text.length + (signature && text && !text.endsWith(signature) ? signature.length + 1 : 0);
      var over = length > limit;
      count.textContent = length;
      counter.classList.toggle("over", over);
      // Screen readers hear the counter only when it matters, not on every keystroke.
      var notice = over ? overNotice.dataset.overMessage : "";
      if (overNotice.textContent !== notice) overNotice.textContent = notice;
    }
    textarea.addEventListener("input", update);
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    update();
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]");
  }

  // WCAG 2.1.4: single-key shortcuts can be turned off, and never fire while typing.
  function setupShortcuts() {
    var toggle = document.getElementById("shortcuts-toggle");
    if (toggle) {
      toggle.checked = localStorage.getItem(SHORTCUTS_OFF) !== "1";
      toggle.addEventListener("change", function () {
        localStorage.setItem(SHORTCUTS_OFF, toggle.checked ? "0" : "1");
      });
    }
    document.addEventListener("keydown", function (event) {
      if (localStorage.getItem(SHORTCUTS_OFF) === "1") return;
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      var form = null;
      if (event.key === "n") form = document.getElementById("next-form");
      if (event.key === "c") form = document.getElementById("close-form");
      if (event.key === "r") {
        var reply = document.getElementById("reply-text");
        if (reply) { event.preventDefault(); reply.focus(); }
        return;
      }
      if (form) { event.preventDefault(); form.requestSubmit(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCounter();
    setupShortcuts();
  });
})();
