// Every target on the page: links, buttons, fields, options, tabs, and what else takes focus,
// as the box a pointer hits (a hidden radio or checkbox input: its label), with the targets it
// lies inside (the main area, a chosen option holding its remove mark). Left out: links inside
// a sentence (2.5.8's "inline" exception) and what is not drawn (hidden, or clipped to a
// pixel until it has focus, like the skip link).
// Run in the page by tests/browser/a11y.py.
() => {
  const selector = [
    "a[href]", "button:not([disabled])", 'input:not([type="hidden"]):not([disabled])', "select",
    "textarea", "summary", '[role="button"]', '[role="tab"]', '[role="radio"]',
    '[role="checkbox"]', '[role="spinbutton"]', '[role="combobox"]', '[role="option"]',
    '[tabindex]:not([tabindex^="-"])',
  ].join(", ");
  const elements = [];
  for (let el of document.querySelectorAll(selector)) {
    if (el.matches('input[type="radio"], input[type="checkbox"]') && el.closest("label")) {
      el = el.closest("label");
    }
    if (el.matches('input[type="file"]') || elements.includes(el)) continue;
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (r.width <= 1 || r.height <= 1) continue;
    if (el.tagName === "A") {
      const block = el.closest("p, li, td");
      if (block && block.innerText.trim() !== el.innerText.trim()) continue;  // in a sentence
    }
    elements.push(el);
  }
  return elements.map((el) => {
    const r = el.getBoundingClientRect();
    const label = el.getAttribute("aria-label")
      || (el.innerText || el.value || "").trim().split("\n").pop() || el.tagName;
    return {
      name: `${el.tagName.toLowerCase()} “${label.slice(0, 60)}”`,
      x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height,
      inside: elements.flatMap((other, i) => (other !== el && other.contains(el) ? [i] : [])),
    };
  });
}
