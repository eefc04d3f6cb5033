// Text components: textbox and code (twins of porch/components/text.py); markdown and html
// are in markup.js.
//
// App output is untrusted: text goes in through .value and textContent only. Nothing here
// assigns innerHTML.

import { field, uid } from "./base.js";

const asText = (value) => (value == null ? "" : String(value));

export function textbox(el, props, emit) {
  const id = uid("textbox");
  const kind = props.type === "password" || props.type === "email" ? props.type : "text";
  const control = document.createElement(kind === "text" ? "textarea" : "input");
  control.id = id;
  control.className = "porch-input porch-text";
  if (kind !== "text") control.type = kind;
  const label = field(el, props, id, "textbox");
  el.append(control);
  let copy = null;
  let current = props;
  control.value = asText(props.value);

  const lines = () => Math.max(1, Number(current.lines) || 1);
  const maxLines = () => Math.max(lines(), Number(current.max_lines) || Math.max(lines(), 20));

  function autosize() {
    if (kind !== "text") return;
    if (!control.isConnected) {
      requestAnimationFrame(() => control.isConnected && autosize());
      return;
    }
    const style = getComputedStyle(control);
    const lineHeight = parseFloat(style.lineHeight) || 20;
    const chrome = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)
      + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    const min = lineHeight * lines() + chrome;
    const max = lineHeight * maxLines() + chrome;
    control.style.height = "auto";
    const wanted = control.scrollHeight + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    control.style.height = `${Math.min(Math.max(wanted, min), max)}px`;
    control.style.overflowY = wanted > max + 1 ? "auto" : "hidden";
  }

  function render(next) {
    label.update(next, control);
    const editable = next.interactive !== false;
    control.readOnly = !editable;
    control.classList.toggle("porch-readonly", !editable);
    if (next.placeholder != null) control.placeholder = String(next.placeholder);
    else control.removeAttribute("placeholder");
    if (kind === "text") control.rows = lines();
    if (next.max_length != null) control.maxLength = Number(next.max_length);
    else control.removeAttribute("maxlength");
    control.dir = next.rtl ? "rtl" : "auto";
    // Only these names, only as attributes (never event handlers): InputHTMLAttributes.
    const attributes = next.html_attributes ?? {};
    for (const name of ["autocapitalize", "autocorrect", "spellcheck", "autocomplete",
                        "tabindex", "enterkeyhint", "lang"]) {
      if (attributes[name] == null) control.removeAttribute(name);
      else control.setAttribute(name, String(attributes[name]));
    }
    control.style.textAlign = next.text_align === "right" || next.text_align === "left" ? next.text_align : "";
    const wantsCopy = Boolean(next.show_copy_button) || (next.buttons ?? []).includes("copy");
    if (wantsCopy && !copy) {
      copy = document.createElement("button");
      copy.type = "button";
      copy.className = "porch-copy";
      copy.textContent = "Copy";
      copy.setAttribute("aria-label", `Copy ${next.label ?? "text"}`);
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(control.value);
          copy.textContent = "Copied";
          emit("copy", { value: control.value });
        } catch {
          control.select();
          copy.textContent = "Select and copy";
        }
        setTimeout(() => { if (copy) copy.textContent = "Copy"; }, 1500);
      });
      el.append(copy);
    } else if (!wantsCopy && copy) {
      copy.remove();
      copy = null;
    }
  }

  control.addEventListener("input", () => {
    autosize();
    emit("input");
    emit("change");
  });
  control.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.isComposing || control.readOnly) return;
    // One line: Enter submits. Several lines: Enter is a newline and Shift+Enter submits.
    const submits = lines() === 1 ? !e.shiftKey : e.shiftKey;
    if (submits) {
      e.preventDefault();
      emit("submit");
    }
  });
  control.addEventListener("focus", () => emit("focus"));
  control.addEventListener("blur", () => emit("blur"));
  control.addEventListener("select", () => {
    const { selectionStart: start, selectionEnd: end } = control;
    emit("select", { index: [start, end], value: control.value.slice(start, end), selected: true });
  });

  render(props);
  if (props.autofocus) requestAnimationFrame(() => control.focus());
  autosize();

  return {
    update(next) {
      current = next;
      render(next);
      const text = asText(next.value);
      if (text !== control.value) {
        control.value = text;
        autosize();
        emit("change");
      }
    },
    value() { return control.value; },
    clear() { this.update({ ...current, value: "" }); },
  };
}

export function code(el, props, emit) {
  const id = uid("code");
  const label = el.appendChild(document.createElement("label"));
  label.className = "porch-label";
  label.id = `${id}-label`;
  const frame = el.appendChild(document.createElement("div"));
  frame.className = "porch-code";
  const gutter = frame.appendChild(document.createElement("pre"));
  gutter.className = "porch-code-lines";
  gutter.setAttribute("aria-hidden", "true");
  let view = null;
  let current = props;
  let text = asText(props.value);
  let copy = null;

  const lines = () => Math.max(1, Number(current.lines) || 5);
  const numbers = () => {
    gutter.hidden = current.show_line_numbers === false;
    const count = Math.max(text.split("\n").length, current.interactive !== false ? lines() : 1);
    gutter.textContent = Array.from({ length: count }, (_, i) => String(i + 1)).join("\n");
  };

  function build(editable) {
    if (view && (view.tagName === "TEXTAREA") === editable) return;
    view?.remove();
    if (editable) {
      view = document.createElement("textarea");
      view.spellcheck = false;
      view.value = text;
      view.addEventListener("input", () => {
        text = view.value;
        numbers();
        emit("input");
        emit("change");
      });
      view.addEventListener("keydown", (e) => {
        // Tab indents in a code editor; Escape then Tab still leaves the field.
        if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey && !e.metaKey && !view.dataset.escaped) {
          e.preventDefault();
          view.setRangeText("    ", view.selectionStart, view.selectionEnd, "end");
          text = view.value;
          numbers();
          emit("input");
          emit("change");
        }
        view.dataset.escaped = e.key === "Escape" ? "1" : "";
      });
      view.addEventListener("focus", () => emit("focus"));
      view.addEventListener("blur", () => emit("blur"));
      view.id = id;
      label.htmlFor = id;
    } else {
      view = document.createElement("pre");
      view.tabIndex = 0;
      view.setAttribute("role", "region");
      view.setAttribute("aria-labelledby", label.id);
      view.appendChild(document.createElement("code")).textContent = text;
      label.removeAttribute("for");
    }
    view.className = "porch-code-text";
    frame.appendChild(view);
  }

  function render(next) {
    const name = next.label == null ? "" : String(next.label);
    label.textContent = name || "Code";
    label.hidden = next.show_label === false || !name;
    build(next.interactive !== false);
    if (view.tagName === "TEXTAREA") {
      if (!name || next.show_label === false) view.setAttribute("aria-label", name || "code");
      else view.removeAttribute("aria-label");
      view.rows = lines();
      view.readOnly = false;
    }
    frame.dataset.language = next.language ?? "";
    frame.classList.toggle("porch-code-wrap", Boolean(next.wrap_lines));
    const maxLines = Number(next.max_lines) || 0;
    frame.style.maxHeight = maxLines ? `calc(${maxLines} * 1.5em + 20px)` : "";
    const wantsCopy = (next.buttons ?? ["copy"]).includes("copy");
    if (wantsCopy && !copy) {
      copy = el.appendChild(document.createElement("button"));
      copy.type = "button";
      copy.className = "porch-copy";
      copy.textContent = "Copy";
      copy.setAttribute("aria-label", `Copy ${name || "code"}`);
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(text);
          copy.textContent = "Copied";
        } catch {
          copy.textContent = "Copy failed";
        }
        setTimeout(() => { if (copy) copy.textContent = "Copy"; }, 1500);
      });
    } else if (!wantsCopy && copy) {
      copy.remove();
      copy = null;
    }
    numbers();
  }
  render(props);

  return {
    update(next) {
      current = next;
      const incoming = asText(next.value);
      const changed = incoming !== text;
      text = incoming;
      if (changed && view) {
        if (view.tagName === "TEXTAREA") view.value = text;
        else view.firstChild.textContent = text;
      }
      render(next);
      if (changed) emit("change");
    },
    value() { return text; },
    clear() { this.update({ ...current, value: "" }); },
  };
}
