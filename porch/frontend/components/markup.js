// Markup components: markdown and html (twins of porch/components/markup.py).
//
// App output is untrusted: markdown goes through the DOM-building renderer in ../markdown.js,
// and HTML through the allow-list sanitiser in ../sanitizer.js into a shadow root. Nothing
// here assigns innerHTML.

import { renderMarkdown } from "../markdown.js";
import { sanitizeHtml } from "../sanitizer.js";

const asText = (value) => (value == null ? "" : String(value));

export function markdown(el, props, emit) {
  const box = el.appendChild(document.createElement("div"));
  box.className = "porch-prose";
  let source = asText(props.value);
  box.replaceChildren(renderMarkdown(source));
  return {
    update(next) {
      const text = asText(next.value);
      if (text !== source) {
        source = text;
        box.replaceChildren(renderMarkdown(source));
        emit("change");
      }
    },
    value() { return source; },
    clear() { this.update({ value: "" }); },
  };
}

// Styles every HTML component starts with inside its shadow root (the page's own CSS does not
// reach in, and the app's HTML cannot reach out). Custom properties do cross, so the theme
// colours apply.
const HTML_BASE = `
:host { display: block; color: var(--porch-text); overflow-wrap: anywhere; }
a { color: var(--porch-accent); }
img, video, svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--porch-border); padding: 4px 8px; }
pre, code { font-family: var(--porch-mono); }
`;

export function html(el, props, emit) {
  // The shadow root keeps the page's CSS out; this frame keeps the HTML in. `contain: paint`
  // makes the frame the containing block of `position: fixed` descendants and clips them, so
  // returned HTML cannot overlay the page. It sits on a wrapper, not on the shadow host: a
  // `:host { contain: none !important }` inside the value would beat any rule on the host
  // (important shadow styles win over the page's), but nothing inside reaches the wrapper.
  // Inline, so it holds before porch.css has loaded.
  const frame = el.appendChild(document.createElement("div"));
  frame.className = "porch-html-frame";
  frame.style.setProperty("contain", "layout paint", "important");
  frame.style.setProperty("overflow", "hidden", "important");
  frame.style.setProperty("position", "relative", "important");
  const host = frame.appendChild(document.createElement("div"));
  host.className = "porch-html";
  const root = host.attachShadow({ mode: "open" });
  let current = props;
  let shown = null;

  function render(next) {
    const value = asText(next.value);
    const template = next.html_template == null ? "${value}" : String(next.html_template);
    const source = template.split("${value}").join(value);
    const key = JSON.stringify([source, next.css_template ?? "", next.apply_default_css !== false]);
    if (key === shown) return false;
    shown = key;
    const nodes = [];
    if (next.apply_default_css !== false) {
      const base = document.createElement("style");
      base.textContent = HTML_BASE;
      nodes.push(base);
    }
    if (next.css_template) {
      const style = document.createElement("style");
      style.textContent = String(next.css_template);
      nodes.push(style);
    }
    root.replaceChildren(...nodes, sanitizeHtml(source));
    host.style.minHeight = next.min_height ? `${Number(next.min_height) || 0}px` : "";
    host.style.maxHeight = next.max_height ? `${Number(next.max_height) || 0}px` : "";
    host.classList.toggle("porch-html-padded", Boolean(next.padding));
    return true;
  }
  host.addEventListener("click", () => emit("click"));
  render(props);

  return {
    update(next) {
      current = next;
      if (render(next)) emit("change");
    },
    value() { return current.value ?? null; },
    clear() { this.update({ ...current, value: "" }); },
  };
}
