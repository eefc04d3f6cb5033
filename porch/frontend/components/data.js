// Data components: json (twin of porch/components/data.py). Values are shown as text.

import { uid } from "./base.js";

function pretty(value) {
  if (value === undefined || value === null) return "";
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

export function json(el, props, emit) {
  const id = uid("json");
  const label = el.appendChild(document.createElement("div"));
  label.className = "porch-label";
  label.id = `${id}-label`;
  const view = el.appendChild(document.createElement("pre"));
  view.className = "porch-json";
  view.id = id;
  view.tabIndex = 0;
  view.setAttribute("role", "region");
  view.setAttribute("aria-labelledby", label.id);
  let value = props.value ?? null;
  let current = props;

  function render(next) {
    const text = next.label == null ? "" : String(next.label);
    label.textContent = text || "JSON";
    label.hidden = next.show_label === false || !text;
    view.style.maxHeight = next.height ? `${Number(next.height) || 0}px` : "";
  }
  render(props);
  view.textContent = pretty(value);

  return {
    update(next) {
      current = next;
      render(next);
      const text = pretty(next.value);
      if (text !== view.textContent) {
        value = next.value ?? null;
        view.textContent = text;
        emit("change");
      }
    },
    value() { return value; },
    clear() { this.update({ ...current, value: null }); },
  };
}
