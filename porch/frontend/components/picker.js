// Picker components: colorpicker and datetime (twins of porch/components/picker.py), on the
// browser's native pickers.

import { field, uid } from "./base.js";

/** A CSS colour as #rrggbb (what <input type=color> holds), or null if it is not one. */
export function toHex(value) {
  const text = String(value ?? "").trim();
  let m = /^#([0-9a-f]{3})$/i.exec(text);
  if (m) return `#${[...m[1]].map((c) => c + c).join("")}`.toLowerCase();
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(text);
  if (m) return `#${m[1]}`.toLowerCase();
  m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(text);
  if (m) return `#${m.slice(1, 4).map((n) => Math.min(255, Number(n)).toString(16).padStart(2, "0")).join("")}`;
  return null;
}

export function colorpicker(el, props, emit) {
  const id = uid("colorpicker");
  const row = document.createElement("div");
  row.className = "porch-color";
  const control = row.appendChild(document.createElement("input"));
  control.type = "color";
  control.id = id;
  control.className = "porch-color-swatch";
  const code = row.appendChild(document.createElement("output"));
  code.className = "porch-color-code";
  code.htmlFor = id;
  const label = field(el, props, id, "colour");
  el.append(row);
  let current = props;
  let value = props.value ?? null;

  function show() {
    const hex = toHex(value);
    control.value = hex ?? "#000000";
    code.textContent = value == null ? "" : hex ?? String(value);
  }
  function render(next) {
    label.update(next, control);
    control.disabled = next.interactive === false;
  }
  control.addEventListener("input", () => {
    value = control.value;
    code.textContent = value;
    emit("input");
    emit("change");
  });
  control.addEventListener("change", () => {
    emit("release");
    emit("submit");
  });
  control.addEventListener("focus", () => emit("focus"));
  control.addEventListener("blur", () => emit("blur"));
  render(props);
  show();

  return {
    update(next) {
      current = next;
      render(next);
      const incoming = next.value ?? null;
      if (incoming !== value) {
        value = incoming;
        show();
        emit("change");
      }
    },
    value() { return value; },
    clear() { this.update({ ...current, value: null }); },
  };
}

// The wire form is "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DD"); native inputs use a "T".
const toNative = (text, withTime) => {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?$/.exec(String(text ?? "").trim());
  if (!m) return "";
  return withTime ? `${m[1]}T${m[2] ?? "00:00:00"}` : m[1];
};
const fromNative = (text, withTime) => {
  if (!text) return "";
  if (!withTime) return text;
  const [day, time = "00:00"] = text.split("T");
  return `${day} ${time.length === 5 ? `${time}:00` : time}`;
};

export function datetime(el, props, emit) {
  const id = uid("datetime");
  const row = document.createElement("div");
  row.className = "porch-datetime";
  // A text field (it also takes "now" and "now - 2h"), and the native picker beside it.
  const control = row.appendChild(document.createElement("input"));
  control.type = "text";
  control.id = id;
  control.className = "porch-input";
  control.autocomplete = "off";
  const picker = row.appendChild(document.createElement("input"));
  picker.className = "porch-input porch-datetime-picker";
  picker.setAttribute("aria-label", "calendar");
  const label = field(el, props, id, "date");
  el.append(row);
  let current = props;
  let value = props.value ?? null;
  const withTime = () => current.include_time !== false;

  function show() {
    control.value = value == null ? "" : String(value);
    picker.value = toNative(value, withTime());
  }
  function render(next) {
    label.update(next, control);
    const type = next.include_time === false ? "date" : "datetime-local";
    if (picker.type !== type) picker.type = type;
    if (type === "datetime-local") picker.step = "1";
    control.placeholder = next.include_time === false ? "YYYY-MM-DD" : "YYYY-MM-DD HH:MM:SS";
    control.readOnly = next.interactive === false;
    picker.disabled = next.interactive === false;
  }
  function commit(text) {
    const next = text === "" ? null : text;
    if (next === value) return;
    value = next;
    show();
    emit("change");
  }
  control.addEventListener("change", () => commit(control.value.trim()));
  control.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.isComposing && !control.readOnly) {
      e.preventDefault();
      commit(control.value.trim());
      emit("submit");
    }
  });
  picker.addEventListener("change", () => commit(fromNative(picker.value, withTime())));
  render(props);
  show();

  return {
    update(next) {
      current = next;
      render(next);
      const incoming = next.value ?? null;
      if (incoming !== value) {
        value = incoming;
        show();
        emit("change");
      } else {
        show();
      }
    },
    value() { return value; },
    clear() { this.update({ ...current, value: null }); },
  };
}
