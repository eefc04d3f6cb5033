// Numeric components: number (twin of porch/components/number.py).

import { field, uid } from "./base.js";

const asText = (value) => (value == null || value === "" || Number.isNaN(Number(value)) ? "" : String(value));

export function number(el, props, emit) {
  const id = uid("number");
  const control = document.createElement("input");
  control.id = id;
  control.type = "number";
  control.className = "porch-input porch-number";
  const label = field(el, props, id, "number");
  el.append(control);
  let current = props;
  control.value = asText(props.value);

  function render(next) {
    label.update(next, control);
    const editable = next.interactive !== false;
    control.readOnly = !editable;
    control.classList.toggle("porch-readonly", !editable);
    for (const key of ["minimum", "maximum"]) {
      const attr = key === "minimum" ? "min" : "max";
      if (next[key] != null) control.setAttribute(attr, String(next[key]));
      else control.removeAttribute(attr);
    }
    // Step drives the arrow keys only; nothing is submitted as a form, so it never rejects.
    control.step = next.step == null ? "any" : String(next.step);
    if (next.placeholder != null) control.placeholder = String(next.placeholder);
  }

  control.addEventListener("input", () => {
    emit("input");
    emit("change");
  });
  control.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.isComposing && !control.readOnly) {
      e.preventDefault();
      emit("submit");
    }
  });
  control.addEventListener("focus", () => emit("focus"));
  control.addEventListener("blur", () => emit("blur"));
  render(props);

  return {
    update(next) {
      current = next;
      render(next);
      const text = asText(next.value);
      if (text !== control.value) {
        control.value = text;
        emit("change");
      }
    },
    value() {
      if (control.value === "") return null;
      const n = Number(control.value);
      return Number.isFinite(n) ? n : null;
    },
    clear() { this.update({ ...current, value: null }); },
  };
}
