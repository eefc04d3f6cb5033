// Choice components: checkbox, checkboxgroup, radio and dropdown (twins of
// porch/components/choice.py). Groups of boxes sit in a fieldset whose legend is the label.
// Choice labels and values are app data: they reach the page as text and .value only.

import { field, uid } from "./base.js";

/** Config choices ([label, value] pairs, or bare values from an update) -> [label, value]. */
export function pairs(choices) {
  return (Array.isArray(choices) ? choices : []).map((c) =>
    Array.isArray(c) && c.length === 2 ? [String(c[0]), c[1]] : [String(c), c]);
}

const same = (a, b) => a === b || (a != null && b != null && JSON.stringify(a) === JSON.stringify(b));
const indexOf = (list, value) => list.findIndex(([, v]) => same(v, value));
const asList = (value) => (value == null ? [] : Array.isArray(value) ? value : [value]);

/** A fieldset with a legend and info line; returns its parts and an updater. */
function group(el, kind) {
  const set = el.appendChild(document.createElement("fieldset"));
  set.className = `porch-fieldset porch-${kind}`;
  const legend = set.appendChild(document.createElement("legend"));
  legend.className = "porch-label";
  const info = set.appendChild(document.createElement("div"));
  info.className = "porch-info";
  info.id = uid(`${kind}-info`);
  const options = set.appendChild(document.createElement("div"));
  options.className = "porch-options";
  function update(next) {
    const text = next.label == null ? "" : String(next.label);
    legend.textContent = text || kind;
    // A hidden legend still names the group for assistive tech and get_by_role.
    legend.classList.toggle("porch-visually-hidden", next.show_label === false || !text);
    info.textContent = next.info == null ? "" : String(next.info);
    info.hidden = !next.info;
    if (next.info) set.setAttribute("aria-describedby", info.id);
    else set.removeAttribute("aria-describedby");
    set.disabled = next.interactive === false;
    set.dir = next.rtl ? "rtl" : "";
  }
  return { set, options, update };
}

function option(parent, type, name, label) {
  const wrap = parent.appendChild(document.createElement("label"));
  wrap.className = "porch-option";
  const input = wrap.appendChild(document.createElement("input"));
  input.type = type;
  if (name) input.name = name;
  const text = wrap.appendChild(document.createElement("span"));
  text.textContent = label;
  return input;
}

export function checkbox(el, props, emit) {
  const id = uid("checkbox");
  const info = el.appendChild(document.createElement("div"));
  info.className = "porch-info";
  info.id = `${id}-info`;
  const wrap = el.appendChild(document.createElement("label"));
  wrap.className = "porch-option porch-check";
  const input = wrap.appendChild(document.createElement("input"));
  input.type = "checkbox";
  input.id = id;
  const text = wrap.appendChild(document.createElement("span"));
  let current = props;
  input.checked = Boolean(props.value);

  function render(next) {
    const name = next.label == null ? "" : String(next.label);
    text.textContent = next.show_label === false ? "" : name;
    if (next.show_label === false || !name) input.setAttribute("aria-label", name || "checkbox");
    else input.removeAttribute("aria-label");
    info.textContent = next.info == null ? "" : String(next.info);
    info.hidden = !next.info;
    input.disabled = next.interactive === false;
  }
  render(props);
  input.addEventListener("change", () => {
    emit("input");
    emit("change");
    emit("select", { index: null, value: current.label ?? null, selected: input.checked });
  });

  return {
    update(next) {
      current = next;
      render(next);
      if (Boolean(next.value) !== input.checked) {
        input.checked = Boolean(next.value);
        emit("change");
      }
    },
    value() { return input.checked; },
    clear() { this.update({ ...current, value: false }); },
  };
}

export function checkboxgroup(el, props, emit) {
  const { set, options, update } = group(el, "checkboxgroup");
  let current = props;
  let choices = [];
  let boxes = [];
  let all = null;
  let checked = asList(props.value);

  function sync() {
    boxes.forEach((box, k) => { box.checked = checked.some((v) => same(v, choices[k][1])); });
    if (all) {
      all.checked = choices.length > 0 && checked.length === choices.length;
      all.indeterminate = checked.length > 0 && checked.length < choices.length;
    }
  }

  function user() {
    checked = choices.filter((_, k) => boxes[k].checked).map(([, v]) => v);
    sync();
    emit("input");
    emit("change");
  }

  function build(next) {
    choices = pairs(next.choices);
    options.replaceChildren();
    all = null;
    if (next.show_select_all) {
      all = option(options, "checkbox", null, "Select all");
      all.parentElement.classList.add("porch-select-all");
      all.addEventListener("change", () => {
        boxes.forEach((box) => { box.checked = all.checked; });
        user();
      });
    }
    boxes = choices.map(([label, value], k) => {
      const box = option(options, "checkbox", null, label);
      box.addEventListener("change", () => {
        user();
        emit("select", { index: k, value, selected: box.checked });
      });
      return box;
    });
  }

  update(props);
  build(props);
  sync();

  return {
    update(next) {
      const rebuild = JSON.stringify(next.choices) !== JSON.stringify(current.choices)
        || Boolean(next.show_select_all) !== Boolean(current.show_select_all);
      current = next;
      update(next);
      if (rebuild) build(next);
      const incoming = asList(next.value);
      const changed = JSON.stringify(incoming) !== JSON.stringify(checked);
      checked = incoming;
      sync();
      if (changed) emit("change");
    },
    value() { return [...checked]; },
    clear() { this.update({ ...current, value: [] }); },
  };
}

export function radio(el, props, emit) {
  const { options, update } = group(el, "radio");
  const name = uid("radio");
  let current = props;
  let choices = [];
  let buttons = [];
  let selected = props.value ?? null;

  const sync = () => buttons.forEach((b, k) => { b.checked = selected != null && same(choices[k][1], selected); });

  function build(next) {
    choices = pairs(next.choices);
    options.replaceChildren();
    buttons = choices.map(([label, value], k) => {
      const input = option(options, "radio", name, label);
      input.addEventListener("change", () => {
        if (!input.checked) return;
        selected = value;
        emit("input");
        emit("change");
        emit("select", { index: k, value, selected: true });
      });
      return input;
    });
  }
  update(props);
  build(props);
  sync();

  return {
    update(next) {
      const rebuild = JSON.stringify(next.choices) !== JSON.stringify(current.choices);
      current = next;
      update(next);
      if (rebuild) build(next);
      const incoming = next.value ?? null;
      const changed = !same(incoming, selected);
      selected = incoming;
      sync();
      if (changed) emit("change");
    },
    value() { return selected; },
    clear() { this.update({ ...current, value: null }); },
  };
}

export function dropdown(el, props, emit) {
  return props.multiselect ? multiDropdown(el, props, emit) : singleDropdown(el, props, emit);
}

// One value: a native <select>, or a text field with suggestions when custom values are allowed.
function singleDropdown(el, props, emit) {
  const id = uid("dropdown");
  const custom = Boolean(props.allow_custom_value);
  const control = document.createElement(custom ? "input" : "select");
  control.id = id;
  control.className = "porch-input porch-dropdown";
  const label = field(el, props, id, "dropdown");
  el.append(control);
  let list = null;
  if (custom) {
    list = el.appendChild(document.createElement("datalist"));
    list.id = `${id}-list`;
    control.setAttribute("list", list.id);
    control.autocomplete = "off";
  }
  let current = props;
  let choices = [];
  let selected = props.value ?? null;

  function build(next) {
    choices = pairs(next.choices);
    const target = custom ? list : control;
    target.replaceChildren();
    if (!custom) {
      const empty = control.appendChild(document.createElement("option"));
      empty.value = "";
      empty.textContent = "";
      empty.hidden = true;
    }
    choices.forEach(([text], k) => {
      const opt = target.appendChild(document.createElement("option"));
      opt.value = custom ? text : String(k);
      opt.textContent = text;
    });
  }
  function show() {
    const k = indexOf(choices, selected);
    if (custom) control.value = k >= 0 ? choices[k][0] : selected == null ? "" : String(selected);
    else control.value = k >= 0 ? String(k) : "";
  }
  function render(next) {
    label.update(next, control);
    control.disabled = next.interactive === false;
  }

  function pick() {
    let k;
    if (custom) {
      k = choices.findIndex(([text]) => text === control.value);
      selected = k >= 0 ? choices[k][1] : control.value === "" ? null : control.value;
    } else {
      k = Number(control.value);
      selected = control.value === "" ? null : choices[k][1];
    }
    emit("input");
    emit("change");
    emit("select", { index: k >= 0 ? k : null, value: selected, selected: true });
  }
  control.addEventListener("change", pick);
  control.addEventListener("focus", () => emit("focus"));
  control.addEventListener("blur", () => emit("blur"));
  control.addEventListener("keyup", (e) => emit("key_up", { key: e.key, input_value: control.value }));

  build(props);
  render(props);
  show();

  return {
    update(next) {
      if (JSON.stringify(next.choices) !== JSON.stringify(current.choices)) build(next);
      current = next;
      render(next);
      const incoming = next.value ?? null;
      const changed = !same(incoming, selected);
      selected = incoming;
      show();
      if (changed) emit("change");
    },
    value() { return selected; },
    clear() { this.update({ ...current, value: null }); },
  };
}

// Several values: the chosen ones as removable chips, and a field with suggestions to add more.
function multiDropdown(el, props, emit) {
  const id = uid("dropdown");
  const control = document.createElement("input");
  control.id = id;
  control.className = "porch-input porch-dropdown";
  control.autocomplete = "off";
  const label = field(el, props, id, "dropdown");
  const chips = el.appendChild(document.createElement("ul"));
  chips.className = "porch-chips";
  chips.setAttribute("aria-label", "chosen");
  el.append(control);
  const list = el.appendChild(document.createElement("datalist"));
  list.id = `${id}-list`;
  control.setAttribute("list", list.id);
  let current = props;
  let choices = [];
  let selected = asList(props.value);

  const labelOf = (value) => {
    const k = indexOf(choices, value);
    return k >= 0 ? choices[k][0] : String(value);
  };
  function build(next) {
    choices = pairs(next.choices);
    list.replaceChildren();
    for (const [text] of choices) list.appendChild(document.createElement("option")).value = text;
  }
  function show() {
    chips.replaceChildren();
    selected.forEach((value, k) => {
      const chip = chips.appendChild(document.createElement("li"));
      chip.className = "porch-chip";
      chip.appendChild(document.createElement("span")).textContent = labelOf(value);
      const remove = chip.appendChild(document.createElement("button"));
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", `Remove ${labelOf(value)}`);
      remove.disabled = current.interactive === false;
      remove.addEventListener("click", () => {
        selected = selected.filter((_, j) => j !== k);
        show();
        emit("input");
        emit("change");
        emit("select", { index: indexOf(choices, value), value, selected: false });
      });
    });
    chips.hidden = selected.length === 0;
    const full = current.max_choices != null && selected.length >= Number(current.max_choices);
    control.disabled = current.interactive === false || full;
    control.placeholder = full ? `At most ${current.max_choices}` : "";
  }
  function add(text) {
    const k = choices.findIndex(([label]) => label === text);
    if (k < 0 && !current.allow_custom_value) return false;
    const value = k >= 0 ? choices[k][1] : text;
    if (text === "" || selected.some((v) => same(v, value))) return k >= 0;
    selected = [...selected, value];
    control.value = "";
    show();
    emit("input");
    emit("change");
    emit("select", { index: k >= 0 ? k : null, value, selected: true });
    return true;
  }
  // Picking a suggestion fills the field with exactly its text: add it at once.
  control.addEventListener("input", () => {
    if (choices.some(([text]) => text === control.value)) add(control.value);
  });
  control.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.isComposing) {
      e.preventDefault();
      if (!add(control.value.trim())) control.setAttribute("aria-invalid", "true");
    } else if (e.key === "Backspace" && control.value === "" && selected.length) {
      selected = selected.slice(0, -1);
      show();
      emit("input");
      emit("change");
    } else {
      control.removeAttribute("aria-invalid");
    }
  });
  control.addEventListener("focus", () => emit("focus"));
  control.addEventListener("blur", () => emit("blur"));
  control.addEventListener("keyup", (e) => emit("key_up", { key: e.key, input_value: control.value }));

  build(props);
  label.update(props, control);
  show();

  return {
    update(next) {
      if (JSON.stringify(next.choices) !== JSON.stringify(current.choices)) build(next);
      current = next;
      label.update(next, control);
      const incoming = asList(next.value);
      const changed = JSON.stringify(incoming) !== JSON.stringify(selected);
      selected = incoming;
      show();
      if (changed) emit("change");
    },
    value() { return [...selected]; },
    clear() { this.update({ ...current, value: [] }); },
  };
}
