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

export function slider(el, props, emit) {
  const id = uid("slider");
  const head = el.appendChild(document.createElement("div"));
  head.className = "porch-slider-head";
  const range = document.createElement("input");
  range.type = "range";
  range.id = id;
  range.className = "porch-range";
  const label = field(head, props, id, "slider");
  // The box shows the exact value and takes typed numbers; the track is the labelled control.
  const box = head.appendChild(document.createElement("input"));
  box.type = "number";
  box.className = "porch-input porch-slider-box";
  el.append(range);
  let current = props;

  const clamp = (n) => Math.min(Math.max(n, Number(current.minimum ?? 0)), Number(current.maximum ?? 100));
  const read = () => {
    const n = Number(range.value);
    const p = current.precision;
    return p == null ? n : Number(n.toFixed(Math.max(0, Number(p))));
  };
  function paint() {
    const min = Number(current.minimum ?? 0);
    const max = Number(current.maximum ?? 100);
    const pct = max > min ? ((Number(range.value) - min) / (max - min)) * 100 : 0;
    range.style.setProperty("--porch-fill", `${pct}%`);
  }
  function render(next) {
    label.update(next, range);
    box.setAttribute("aria-label", `${next.label ?? "slider"} value`);
    for (const control of [range, box]) {
      control.min = String(next.minimum ?? 0);
      control.max = String(next.maximum ?? 100);
      control.step = next.step == null ? "any" : String(next.step);
      control.disabled = next.interactive === false;
    }
  }
  function set(value) {
    const n = value == null || value === "" || Number.isNaN(Number(value)) ? Number(current.minimum ?? 0) : Number(value);
    range.value = String(n);
    box.value = String(read());
    paint();
  }

  range.addEventListener("input", () => {
    box.value = String(read());
    paint();
    emit("input");
    emit("change");
  });
  range.addEventListener("change", () => emit("release"));
  box.addEventListener("change", () => {
    if (box.value === "") {
      box.value = String(read());
      return;
    }
    set(clamp(Number(box.value)));
    emit("input");
    emit("change");
    emit("release");
  });
  render(props);
  set(props.value);

  return {
    update(next) {
      current = next;
      render(next);
      const before = read();
      set(next.value);
      if (read() !== before) emit("change");
    },
    value() { return read(); },
    clear() { this.update({ ...current, value: current.minimum ?? 0 }); },
  };
}
