// Text components: textbox and markdown (twins of porch/components/text.py).
//
// App output is untrusted: text goes in through .value and textContent only, and markdown
// through the DOM-building renderer in ../markdown.js, never through innerHTML.

import { field, uid } from "./base.js";
import { renderMarkdown } from "../markdown.js";

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
    if (next.show_copy_button && !copy) {
      copy = document.createElement("button");
      copy.type = "button";
      copy.className = "porch-copy";
      copy.textContent = "Copy";
      copy.setAttribute("aria-label", `Copy ${next.label ?? "text"}`);
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(control.value);
          copy.textContent = "Copied";
        } catch {
          control.select();
          copy.textContent = "Select and copy";
        }
        setTimeout(() => { if (copy) copy.textContent = "Copy"; }, 1500);
      });
      el.append(copy);
    } else if (!next.show_copy_button && copy) {
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
