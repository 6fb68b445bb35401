/* Sent by training/ui/accessibility.py once in each browser tab (with the first step it shows):
   the style sheet, the keyboard fixes, and __trainingStartAt, which each new step or page calls.
   Streamlit drops an element that a run does not send again, but not what this script adds to
   the page, so none of it needs sending on every run. accessibility.py puts the text of
   accessibility.css in place of the one placeholder below. */
(() => {
  if (window.__trainingStartAt) return;
  /* Last in the page, so that it wins over Streamlit's own rules of the same weight. */
  const sheet = document.createElement("style");
  sheet.id = "training-accessibility";
  sheet.textContent = __STYLE__;
  document.body.appendChild(sheet);
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
  /* Once a file is chosen, the button that opened the file chooser is gone (the file and an
     "Add files" button take its place) and focus with it: focus goes to "Add files", not
     back to the top of the page. */
  document.addEventListener("change", (event) => {
    const uploader = event.target instanceof HTMLInputElement && event.target.type === "file"
      && event.target.closest('[data-testid="stFileUploader"]');
    if (!uploader) return;
    let tries = 0;
    const refocus = () => {
      const next = uploader.querySelector('[data-testid="stBaseButton-borderlessIcon"]');
      if (next) next.focus();
      else if (++tries < 40) setTimeout(refocus, 50);
    };
    setTimeout(refocus, 50);
  }, true);
  /* A new step starts at its top, with focus on its heading, which a screen reader reads.
     The call can come before the step's heading is drawn, while the last step's is still on
     the page: it waits (at most 5 s) for the heading whose text is `wanted`. */
  window.__trainingStartAt = (step, wanted) => {
    window.__trainingStep = step;
    const start = (waited) => {
      const headings = [...document.querySelectorAll('[data-testid="stMain"] h1')]
        .filter((h1) => !h1.closest('[data-stale="true"]'));
      const heading = headings.find((h1) => h1.innerText.replace(/\s+/g, " ").trim() === wanted);
      if (!heading && waited < 5000) {
        setTimeout(() => start(waited + 50), 50);
        return;
      }
      const main = document.querySelector('[data-testid="stMain"]');
      window.scrollTo(0, 0);
      if (main) main.scrollTo(0, 0);
      const target = heading || headings[0];
      if (target) {
        target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: true });
      }
    };
    start(0);
  };
})();
