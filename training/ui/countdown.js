/* Sent by training/ui/lesson.py with the countdown of a lesson whose "Next" is not enabled yet. The server
   reruns the lesson's countdown only every 30 s or so (each rerun credits the reading time and
   draws the seconds left in [data-countdown-left]); this script counts the seconds down in
   between, from the server's last figure and the time this page first saw it (the page's own
   clock, performance.now(), so that the computer's clock, right or wrong, plays no part). It
   never shows less than 0:00; "Next" is enabled by the server's last rerun, never here. */
(() => {
  if (window.__trainingCountdown) return;
  window.__trainingCountdown = true;
  let seen = null; /* { left: the server's figure, since: when this page first saw it } */
  const show = () => {
    const timer = document.querySelector("[data-countdown-left]");
    if (!timer) {
      seen = null; /* another step: the next countdown starts from its own figure */
      return;
    }
    const left = Number(timer.getAttribute("data-countdown-left"));
    if (!seen || seen.left !== left) seen = { left, since: performance.now() };
    const passed = Math.floor((performance.now() - seen.since) / 1000);
    const shown = Math.max(0, left - passed);
    const text = `${Math.floor(shown / 60)}:${String(shown % 60).padStart(2, "0")}`;
    if (timer.textContent !== text) timer.textContent = text;
  };
  setInterval(show, 250);
  show();
})();
