// highlightedtext: text with spans marked by a class or a confidence (twin of
// porch/components/highlighted.py). Values are app data: text only.

import { heading } from "./base.js";

const PALETTE = ["#f59e0b", "#10b981", "#3b82f6", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#84cc16", "#f97316", "#6366f1"];

export function highlightedtext(el, props, emit) {
  const head = heading(el, "highlightedtext");
  const legend = el.appendChild(document.createElement("ul"));
  legend.className = "porch-legend";
  legend.setAttribute("aria-label", "legend");
  const text = el.appendChild(document.createElement("div"));
  text.className = "porch-highlighted";
  text.setAttribute("role", "group");
  text.setAttribute("aria-labelledby", head.label.id);
  let current = props;
  let shown = null;

  function colours(tokens, map) {
    const known = new Map(Object.entries(map && typeof map === "object" ? map : {}));
    let next = 0;
    for (const t of tokens) {
      const c = t?.class_or_confidence;
      if (typeof c === "string" && !known.has(c)) known.set(c, PALETTE[next++ % PALETTE.length]);
    }
    return known;
  }

  function draw(nextProps) {
    const tokens = Array.isArray(nextProps.value) ? nextProps.value : [];
    const key = JSON.stringify([tokens, nextProps.color_map, nextProps.show_legend, nextProps.show_inline_category]);
    if (key === shown) return false;
    shown = key;
    const palette = colours(tokens, nextProps.color_map);
    text.replaceChildren();
    text.dir = nextProps.rtl ? "rtl" : "";
    tokens.forEach((t, k) => {
      const word = t?.token == null ? "" : String(t.token);
      const c = t?.class_or_confidence ?? null;
      if (c === null) {
        text.appendChild(document.createElement("span")).textContent = word;
        return;
      }
      const mark = text.appendChild(document.createElement("mark"));
      mark.className = "porch-token";
      mark.appendChild(document.createElement("span")).textContent = word;
      if (typeof c === "number") {
        // Scores: warm for positive, cool for negative, stronger as they grow.
        const alpha = Math.min(Math.abs(c), 1);
        mark.style.setProperty("--porch-token", c >= 0 ? `rgba(239, 68, 68, ${alpha})` : `rgba(59, 130, 246, ${alpha})`);
        mark.title = String(c);
      } else {
        mark.style.setProperty("--porch-token", palette.get(c) ?? PALETTE[0]);
        if (nextProps.show_inline_category !== false) {
          const tag = mark.appendChild(document.createElement("span"));
          tag.className = "porch-token-class";
          tag.textContent = c;
        }
      }
      mark.addEventListener("click", () => emit("select", { index: k, value: [word, c], selected: true }));
    });
    legend.replaceChildren();
    for (const [name, colour] of palette) {
      const item = legend.appendChild(document.createElement("li"));
      item.style.setProperty("--porch-token", colour);
      item.textContent = name;
    }
    legend.hidden = !nextProps.show_legend || palette.size === 0;
    return true;
  }
  head.update(props, "Highlighted text");
  draw(props);

  return {
    update(next) {
      current = next;
      head.update(next, "Highlighted text");
      if (draw(next)) emit("change");
    },
    value() { return current.value ?? null; },
    clear() { this.update({ ...current, value: null }); },
  };
}
