// Data components: json (a collapsible tree) and label (top classes with confidence bars)
// (twins of porch/components/data.py). Values are app data: text only.

import { heading } from "./base.js";


// ---- json ---------------------------------------------------------------------------------

const isBranch = (v) => v !== null && typeof v === "object";
const OPEN_DEPTH = 2; // levels shown open when `open` is false
const MAX_CHILDREN = 1000; // per node, so a huge value cannot freeze the page

function leaf(value) {
  const span = document.createElement("span");
  const kind = value === null ? "null" : typeof value;
  span.className = `porch-json-${kind}`;
  span.textContent = kind === "string" ? JSON.stringify(value) : String(value);
  return span;
}

function keyOf(key, parentIsArray, showIndices) {
  if (key == null || (parentIsArray && !showIndices)) return null;
  const span = document.createElement("span");
  span.className = "porch-json-key";
  span.textContent = parentIsArray ? `${key}: ` : `${JSON.stringify(String(key))}: `;
  return span;
}

function node(value, key, parentIsArray, depth, opts) {
  const name = keyOf(key, parentIsArray, opts.showIndices);
  if (!isBranch(value)) {
    const row = document.createElement("div");
    row.className = "porch-json-row";
    if (name) row.append(name);
    row.append(leaf(value));
    return row;
  }
  const array = Array.isArray(value);
  const entries = array ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, close] = array ? ["[", "]"] : ["{", "}"];
  const box = document.createElement("details");
  box.className = "porch-json-branch";
  const summary = box.appendChild(document.createElement("summary"));
  if (name) summary.append(name);
  summary.append(open);
  const count = summary.appendChild(document.createElement("span"));
  count.className = "porch-json-count";
  count.textContent = `${entries.length} ${array ? (entries.length === 1 ? "item" : "items") : entries.length === 1 ? "key" : "keys"}${close}`;
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    const children = box.appendChild(document.createElement("div"));
    children.className = "porch-json-children";
    for (const [k, v] of entries.slice(0, MAX_CHILDREN)) children.append(node(v, k, array, depth + 1, opts));
    if (entries.length > MAX_CHILDREN) {
      const more = children.appendChild(document.createElement("div"));
      more.className = "porch-json-more";
      more.textContent = `… ${entries.length - MAX_CHILDREN} more`;
    }
    const end = box.appendChild(document.createElement("div"));
    end.className = "porch-json-close";
    end.textContent = close;
  };
  // Children are drawn when first opened, so a large value costs nothing until looked at.
  box.addEventListener("toggle", () => { if (box.open) build(); });
  if (opts.open || depth < OPEN_DEPTH) {
    build();
    box.open = true;
  }
  return box;
}

export function json(el, props, emit) {
  const head = heading(el, "json");
  const view = el.appendChild(document.createElement("div"));
  view.className = "porch-json";
  view.tabIndex = 0;
  view.setAttribute("role", "region");
  view.setAttribute("aria-labelledby", head.label.id);
  let value = props.value ?? null;
  let shown = null;
  let current = props;

  function render(next) {
    head.update(next, "JSON");
    const size = (v) => (v == null ? "" : typeof v === "number" ? `${v}px` : String(v));
    view.style.height = size(next.height);
    view.style.maxHeight = size(next.max_height);
    view.style.minHeight = size(next.min_height);
  }
  function draw() {
    const text = JSON.stringify(value) ?? "null";
    if (text === shown) return false;
    shown = text;
    const opts = { open: Boolean(current.open), showIndices: Boolean(current.show_indices) };
    view.replaceChildren(value == null ? "" : node(value, null, false, 0, opts));
    return true;
  }
  render(props);
  draw();

  return {
    update(next) {
      const reopen = Boolean(next.open) !== Boolean(current.open)
        || Boolean(next.show_indices) !== Boolean(current.show_indices);
      current = next;
      render(next);
      value = next.value ?? null;
      if (reopen) shown = null;
      if (draw()) emit("change");
    },
    value() { return value; },
    clear() { this.update({ ...current, value: null }); },
  };
}

// ---- label --------------------------------------------------------------------------------

const percent = (c) => `${Math.round(Math.min(Math.max(Number(c) || 0, 0), 1) * 100)}%`;

export function label(el, props, emit) {
  const head = heading(el, "label");
  const box = el.appendChild(document.createElement("div"));
  box.className = "porch-classes";
  box.setAttribute("role", "group");
  box.setAttribute("aria-labelledby", head.label.id);
  const top = box.appendChild(document.createElement("div"));
  top.className = "porch-class-top";
  const list = box.appendChild(document.createElement("ol"));
  list.className = "porch-confidences";
  let current = props;
  let shown = null;

  function draw(next) {
    const value = next.value && typeof next.value === "object" ? next.value : null;
    const key = JSON.stringify([value, next.show_heading, next.color]);
    if (key === shown) return false;
    shown = key;
    top.textContent = value?.label == null ? "" : String(value.label);
    top.hidden = next.show_heading === false || top.textContent === "";
    list.replaceChildren();
    const confidences = Array.isArray(value?.confidences) ? value.confidences : [];
    confidences.forEach((c, k) => {
      const item = list.appendChild(document.createElement("li"));
      const row = item.appendChild(document.createElement("button"));
      row.type = "button";
      row.className = "porch-confidence";
      const name = row.appendChild(document.createElement("span"));
      name.className = "porch-confidence-name";
      name.textContent = c?.label == null ? "" : String(c.label);
      const pct = row.appendChild(document.createElement("span"));
      pct.className = "porch-confidence-value";
      pct.textContent = percent(c?.confidence);
      const bar = row.appendChild(document.createElement("span"));
      bar.className = "porch-confidence-bar";
      bar.style.setProperty("--porch-bar", percent(c?.confidence));
      if (next.color) bar.style.setProperty("--porch-bar-color", String(next.color));
      row.addEventListener("click", () => emit("select", { index: k, value: c?.label ?? null, selected: true }));
    });
    list.hidden = confidences.length === 0;
    return true;
  }
  head.update(props, "Label");
  draw(props);

  return {
    update(next) {
      current = next;
      head.update(next, "Label");
      if (draw(next)) emit("change");
    },
    value() { return current.value ?? null; },
    clear() { this.update({ ...current, value: null }); },
  };
}
