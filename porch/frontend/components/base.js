// The frame every block sits in, and the label every field carries.
//
// A frame applies the props all blocks share (visible, elem_id, elem_classes, scale,
// min_width) and shows an event's status on its block (queued, running, progress).
// Component modules render into `frame.body` and never touch the frame itself.

let counter = 0;

/** A page-unique id for a control, so a <label for=…> can point at it. */
export function uid(prefix) {
  counter += 1;
  return `porch-${prefix}-${counter}`;
}

const safeClass = (name) => String(name).replace(/[^A-Za-z0-9_-]/g, "-");

/** The wrapper of one block. `layout` frames hold children directly in their root. */
export function frame(type, props, { layout = false } = {}) {
  const root = document.createElement("div");
  root.className = `porch-block porch-block-${safeClass(type)}`;
  root.dataset.type = type;
  const body = layout ? root : root.appendChild(document.createElement("div"));
  if (!layout) body.className = "porch-body";
  let custom = [];
  let statusEl = null;

  function apply(next) {
    root.hidden = next.visible === false || next.visible === "hidden";
    if (next.elem_id) root.id = String(next.elem_id);
    else root.removeAttribute("id");
    root.classList.remove(...custom);
    const classes = Array.isArray(next.elem_classes) ? next.elem_classes
      : next.elem_classes ? [next.elem_classes] : [];
    custom = classes.map(String).filter((c) => /^[^\s]+$/.test(c));
    root.classList.add(...custom);
    // container: false draws the component without its panel.
    root.classList.toggle("porch-plain", next.container === false);
    const scale = next.scale ?? 1;
    root.style.setProperty("--porch-scale", String(Number(scale) || 0));
    // Always set both: custom properties inherit, so a column's width must not leak inward.
    const minWidth = next.min_width ?? (type === "column" ? 320 : 160);
    root.style.setProperty("--porch-min-width", `${Number(minWidth) || 0}px`);
  }

  /**
   * Show an event's state on this block, or clear it with null.
   * s = { phase: "pending"|"queued"|"running"|"streaming", text, fraction, detail, show,
   *       stop } where `stop`, if given, is what a Stop button next to the status calls.
   */
  function status(s) {
    if (!s) {
      root.removeAttribute("aria-busy");
      root.classList.remove("porch-pending", "porch-pending-minimal", "porch-streaming");
      if (statusEl) statusEl.remove();
      statusEl = null;
      return;
    }
    root.setAttribute("aria-busy", "true");
    const show = s.show ?? "full";
    root.classList.toggle("porch-pending", show === "full");
    root.classList.toggle("porch-pending-minimal", show === "minimal");
    root.classList.toggle("porch-streaming", s.phase === "streaming");
    if (show === "hidden" || layout) return;
    if (!statusEl) {
      statusEl = document.createElement("div");
      statusEl.className = "porch-status";
      const text = statusEl.appendChild(document.createElement("span"));
      text.className = "porch-status-text";
      const bar = statusEl.appendChild(document.createElement("div"));
      bar.className = "porch-progress";
      bar.setAttribute("role", "progressbar");
      bar.appendChild(document.createElement("div")).className = "porch-progress-fill";
      const stop = statusEl.appendChild(document.createElement("button"));
      stop.type = "button";
      stop.className = "porch-stop-button";
      stop.textContent = "Stop";
      stop.setAttribute("aria-label", "Stop this event");
      stop.addEventListener("click", () => {
        stop.disabled = true;
        statusEl.onStop?.();
      });
      root.appendChild(statusEl);
    }
    const stopButton = statusEl.querySelector(".porch-stop-button");
    statusEl.onStop = s.stop ?? null;
    stopButton.hidden = !s.stop;
    statusEl.dataset.phase = s.phase;
    statusEl.querySelector(".porch-status-text").textContent = s.text ?? "";
    const bar = statusEl.querySelector(".porch-progress");
    if (s.fraction == null && s.detail == null) {
      bar.hidden = true;
    } else {
      bar.hidden = false;
      bar.setAttribute("aria-label", s.detail || "progress");
      const fill = bar.firstChild;
      if (s.fraction == null) {
        bar.removeAttribute("aria-valuenow");
        bar.classList.add("porch-indeterminate");
        fill.style.width = "";
      } else {
        const pct = Math.round(Math.min(Math.max(s.fraction, 0), 1) * 100);
        bar.classList.remove("porch-indeterminate");
        bar.setAttribute("aria-valuemin", "0");
        bar.setAttribute("aria-valuemax", "100");
        bar.setAttribute("aria-valuenow", String(pct));
        fill.style.width = `${pct}%`;
      }
    }
  }

  let invalidEl = null;
  /** Show why this input was refused (an event's validator), or clear it with null. */
  function invalid(message) {
    const control = body.querySelector("input, textarea, select");
    if (!message) {
      invalidEl?.remove();
      invalidEl = null;
      root.classList.remove("porch-invalid");
      control?.removeAttribute("aria-invalid");
      return;
    }
    if (!invalidEl) {
      invalidEl = root.appendChild(document.createElement("p"));
      invalidEl.className = "porch-invalid-message";
      invalidEl.setAttribute("role", "alert");
    }
    invalidEl.textContent = String(message);
    root.classList.add("porch-invalid");
    control?.setAttribute("aria-invalid", "true");
  }

  apply(props);
  return { root, body, apply, status, invalid };
}

/**
 * The label and info text of a field. With show_label false (or no label) the control gets
 * an aria-label instead, so assistive tech and `get_by_label` still find it.
 */
export function field(body, props, controlId, fallbackName) {
  const label = document.createElement("label");
  label.className = "porch-label";
  label.htmlFor = controlId;
  const info = document.createElement("div");
  info.className = "porch-info";
  info.id = `${controlId}-info`;
  body.append(label, info);

  function update(next, control) {
    const text = next.label == null ? "" : String(next.label);
    label.textContent = text;
    const shown = next.show_label !== false && text !== "";
    label.hidden = !shown;
    if (shown) control.removeAttribute("aria-label");
    else control.setAttribute("aria-label", text || fallbackName);
    info.textContent = next.info == null ? "" : String(next.info);
    info.hidden = !next.info;
    if (next.info) control.setAttribute("aria-describedby", info.id);
    else control.removeAttribute("aria-describedby");
  }
  return { label, info, update };
}

/** A small text button (chat actions, file chips), labelled for assistive tech. */
export function smallButton(className, text, label) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = text;
  if (label) {
    b.setAttribute("aria-label", label);
    b.title = label;
  }
  return b;
}

/** A component's label line; `update` shows `next.label`, or `fallback` when it has none. */
export function heading(el, kind) {
  const id = uid(kind);
  const label = el.appendChild(document.createElement("div"));
  label.className = "porch-label";
  label.id = `${id}-label`;
  return {
    id,
    label,
    update(next, fallback) {
      const text = next.label == null ? "" : String(next.label);
      label.textContent = text || fallback;
      label.hidden = next.show_label === false || !text;
    },
  };
}
