// The element with focus: what it is, what shows its focus (itself or the nearest ancestor with
// an outline or a box-shadow of 2 px or more), that indicator's colour and the colours on either
// side of it (the page outside; inside, the white ring, the gap or the control), and whether the
// element can be seen at all (its opacity with its ancestors', its size).
// Run in the page by tests/browser/a11y.py.
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const rgba = (text) => {
    const m = text && text.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = (node) => {
    const layers = [];
    for (let e = node; e && e.nodeType === 1; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) layers.push(c);
      if (c && c[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const shadows = (text) => !text || text === "none" ? [] : text.split(/,(?![^(]*\))/).map((part) => {
    const lengths = part.replace(/rgba?\([^)]*\)/, "").match(/-?[\d.]+px/g) || [];
    return { colour: rgba(part), spread: parseFloat(lengths[3] || "0"), inset: /inset/.test(part) };
  });
  const ringOf = (e) => {
    const cs = getComputedStyle(e);
    const width = parseFloat(cs.outlineWidth);
    const outline = cs.outlineStyle !== "none" && width >= 2
      ? { colour: rgba(cs.outlineColor), width, offset: parseFloat(cs.outlineOffset) } : null;
    const shadow = shadows(cs.boxShadow).filter((s) => s.colour && s.colour[3] > 0 && s.spread >= 2);
    return outline || shadow.length ? { outline, shadow } : null;
  };
  const describe = (e) => {
    const around = e.tagName === "INPUT" && e.closest("label");
    const text = e.getAttribute("aria-label") || (around && around.innerText)
      || (e.innerText || e.value || "").trim().split("\n").pop() || "";
    const owner = e.closest("[data-testid]");
    return `${e.tagName.toLowerCase()}${e.getAttribute("role") ? "[" + e.getAttribute("role") + "]" : ""}`
      + ` ${owner ? owner.getAttribute("data-testid") : ""} “${text.trim().slice(0, 60)}”`;
  };
  let holder = el, ring = ringOf(el);
  for (let up = 0; !ring && up < 8 && holder.parentElement; up++) {
    holder = holder.parentElement;
    ring = ringOf(holder);
  }
  let opacity = 1;
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
  const box = (ring ? holder : el).getBoundingClientRect();
  const found = {
    name: describe(el), kind: el.closest("[data-testid]") ? el.closest("[data-testid]").getAttribute("data-testid") : el.tagName.toLowerCase(),
    opacity, width: box.width, height: box.height, visible: getComputedStyle(el).visibility !== "hidden",
    linkToHeading: el.getAttribute("aria-label") === "Link to heading",
  };
  if (!ring) return { ...found, indicator: null };
  const outside = background(holder.parentElement || holder);
  const own = background(holder);
  let colour, inner, outer, thickness;
  if (ring.outline) {
    const { offset, width } = ring.outline;
    colour = ring.outline.colour;
    thickness = width;
    const outset = ring.shadow.find((s) => !s.inset && s.spread >= Math.max(offset, 0.5));
    const inset = ring.shadow.find((s) => s.inset && s.spread > -offset);
    if (offset >= 0) {
      inner = outset ? over(outset.colour, outside) : offset > 0 ? outside : own;
      outer = outside;
    } else {
      inner = inset ? over(inset.colour, own) : own;
      outer = offset + width >= 0 ? outside : own;
    }
  } else {
    const s = ring.shadow[0];
    thickness = s.spread;
    colour = over(s.colour, s.inset ? own : outside);
    inner = own;
    outer = s.inset ? own : outside;
  }
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  return { ...found, indicator: { thickness, inner: contrast(colour, inner), outer: contrast(colour, outer) } };
}
