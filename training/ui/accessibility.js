/* Sent by training/ui/accessibility.py when the user reaches a new step or page; __STEP__ is
   replaced by the step's name. */
window.__trainingStep = __STEP__;
(() => {
  if (!window.__trainingKeyboard) {
    window.__trainingKeyboard = true;
    /* The records table (st.dataframe) moves from cell to cell on Tab, like a spreadsheet: a
       keyboard user needed one Tab a column to get past it. Tab now leaves the table; the
       arrow keys still move between its cells (the WAI-ARIA grid pattern). */
    window.addEventListener("keydown", (event) => {
      const target = event.target;
      if (event.key === "Tab" && target instanceof Element
          && target.matches('[data-testid="data-grid-canvas"]')) {
        event.stopImmediatePropagation();
      }
    }, true);
    const mend = () => {
      /* The table's scrolling box has no focusable child, so Chromium makes it a Tab stop of
         its own, with nothing to show or do: the table's canvas is the table's one stop. */
      document.querySelectorAll(".dvn-scroller:not([tabindex])")
        .forEach((scroller) => scroller.setAttribute("tabindex", "-1"));
      /* The file uploader's labelled box is marked "presentation" while it can take focus and
         has a name: screen readers cannot ignore it and should not. A labelled group it is. */
      document.querySelectorAll('[data-testid="stFileUploaderDropzone"][role="presentation"]')
        .forEach((zone) => zone.setAttribute("role", "group"));
    };
    new MutationObserver(mend).observe(document.body, { childList: true, subtree: true });
    mend();
  }
  /* A new step starts at its top, with focus on its heading, which a screen reader reads. */
  const main = document.querySelector('[data-testid="stMain"]');
  window.scrollTo(0, 0);
  if (main) main.scrollTo(0, 0);
  const heading = document.querySelector('[data-testid="stMain"] h1');
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
})();
