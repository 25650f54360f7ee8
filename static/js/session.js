// The warning before an idle session ends (accounts/middleware.py ends it on the server).
//
// The page knows the idle timeout from the dialog's data attributes. Shortly before it runs out the
// page asks the server how long is really left (another tab may have been busy); if it is nearly
// over, a modal alert dialog offers "Stay logged in" and "Log out". When the time is up the page goes
// to the session-ended address, which sends it to the log-in page with a message.
//
// Requests htmx makes on its own (the live queue's polling, panels that load themselves) carry
// X-Session-Passive, so that only what the user does keeps the session alive.
(function () {
  "use strict";

  const dialog = document.getElementById("session-warning");
  if (!dialog || typeof dialog.showModal !== "function") return;

  const idleSeconds = Number(dialog.dataset.idleSeconds);
  const warningSeconds = Number(dialog.dataset.warningSeconds);
  const countdown = document.getElementById("session-countdown");
  const keepAliveForm = document.getElementById("session-keep-alive");
  const passiveHeaders = { "X-Session-Passive": "1", Accept: "application/json" };
  let timer = null;
  let ticker = null;
  let endsAt = 0;

  function schedule(seconds, callback) {
    window.clearTimeout(timer);
    timer = window.setTimeout(callback, Math.max(seconds, 0) * 1000);
  }

  // The server's clock restarted: check again shortly before the warning is due.
  function restart(remaining) {
    hide();
    schedule(remaining - warningSeconds, check);
  }

  async function secondsLeft() {
    const response = await fetch(dialog.dataset.statusUrl, {
      headers: passiveHeaders,
      credentials: "same-origin",
    });
    if (!response.ok) return 0;
    return (await response.json()).remaining;
  }

  async function check() {
    let remaining;
    try {
      remaining = await secondsLeft();
    } catch (error) {
      schedule(5, check); // the network hiccuped: ask again soon rather than log out
      return;
    }
    if (remaining <= 0) {
      end();
    } else if (remaining > warningSeconds) {
      restart(remaining);
    } else {
      warn(remaining);
    }
  }

  function formatted(seconds) {
    const whole = Math.max(0, Math.ceil(seconds));
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  }

  function tick() {
    countdown.textContent = formatted((endsAt - Date.now()) / 1000);
  }

  function warn(remaining) {
    endsAt = Date.now() + remaining * 1000;
    tick();
    window.clearInterval(ticker);
    ticker = window.setInterval(tick, 1000);
    if (!dialog.open) dialog.showModal(); // focus goes to "Stay logged in" (autofocus)
    schedule(remaining, check);
  }

  function hide() {
    window.clearInterval(ticker);
    if (dialog.open) dialog.close();
  }

  function end() {
    hide();
    const next = window.location.pathname + window.location.search;
    window.location.assign(`${dialog.dataset.endedUrl}?next=${encodeURIComponent(next)}`);
  }

  async function stayLoggedIn(event) {
    event.preventDefault();
    try {
      const response = await fetch(keepAliveForm.action, {
        method: "POST",
        body: new FormData(keepAliveForm),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        end();
        return;
      }
      restart((await response.json()).remaining);
    } catch (error) {
      schedule(5, check);
    }
  }

  keepAliveForm.addEventListener("submit", stayLoggedIn);
  // Escape closes a modal dialog: someone pressing it is there, so it counts as staying.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    keepAliveForm.requestSubmit();
  });

  document.body.addEventListener("htmx:configRequest", (event) => {
    const cause = event.detail.triggeringEvent;
    if (!cause || !cause.isTrusted) {
      event.detail.headers["X-Session-Passive"] = "1";
    }
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const headers = event.detail.requestConfig && event.detail.requestConfig.headers;
    if (event.detail.successful && !(headers && headers["X-Session-Passive"])) {
      restart(idleSeconds);
    }
  });

  restart(idleSeconds);
})();
