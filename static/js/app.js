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

  // A suggested protocol into the reply box, ready to adjust and send (Ctrl+Enter).
  function useSuggestion(button) {
    var reply = document.getElementById("reply-text");
    if (!reply) return;
    reply.value = button.dataset.answer;
    document.getElementById("reply-protocol").value = button.dataset.protocol;
    document.getElementById("reply-protocol-answer").value = button.dataset.answer;
    reply.dispatchEvent(new Event("input"));
    reply.focus();
  }

  function setupSuggestions() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest(".use-suggestion");
      if (button) useSuggestion(button);
    });
    document.addEventListener("keydown", function (event) {
      if (localStorage.getItem(SHORTCUTS_OFF) === "1") return;
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      var button = document.querySelector('[data-suggestion="' + event.key + '"] .use-suggestion');
      if (button) { event.preventDefault(); useSuggestion(button); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCounter();
    setupShortcuts();
    setupSuggestions();
  });
})();
