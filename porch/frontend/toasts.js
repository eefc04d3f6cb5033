// Toasts: short messages in a corner (gr.Info, gr.Warning, gr.Success, errors).
// Messages come from the app and are shown as text only.

import { translate } from "./i18n.js";

const TITLES = { info: "Info", success: "Success", warning: "Warning", error: "Error" };
const MAX_SHOWN = 6;

function region() {
  let box = document.querySelector(".porch-toasts");
  if (!box) {
    box = document.body.appendChild(document.createElement("section"));
    box.className = "porch-toasts";
    box.setAttribute("aria-label", "Notifications");
  }
  return box;
}

/**
 * Show a toast. `duration` is in seconds; null keeps it until closed.
 * Errors are role="alert" (announced at once), the rest role="status".
 */
export function toast({ level = "info", title = null, message = "", duration = 10 } = {}) {
  // gr.Info(i18n("saved")): a token in a message shows as its translation.
  [title, message] = [translate(title), translate(message)];
  const kind = level in TITLES ? level : "info";
  const box = region();
  const item = document.createElement("div");
  item.className = `porch-toast porch-toast-${kind}`;
  item.setAttribute("role", kind === "error" ? "alert" : "status");
  const head = item.appendChild(document.createElement("div"));
  head.className = "porch-toast-title";
  head.textContent = title == null || title === "" ? TITLES[kind] : String(title);
  const text = item.appendChild(document.createElement("div"));
  text.className = "porch-toast-message";
  text.textContent = message == null ? "" : String(message);
  const close = item.appendChild(document.createElement("button"));
  close.type = "button";
  close.className = "porch-toast-close";
  close.setAttribute("aria-label", "Dismiss");
  close.textContent = "×";
  let timer = null;
  const dismiss = () => {
    clearTimeout(timer);
    item.remove();
  };
  close.addEventListener("click", dismiss);
  if (typeof duration === "number" && Number.isFinite(duration) && duration > 0) {
    timer = setTimeout(dismiss, duration * 1000);
    item.style.setProperty("--porch-toast-duration", `${duration}s`);
    item.classList.add("porch-toast-timed");
  }
  box.appendChild(item);
  while (box.children.length > MAX_SHOWN) box.firstChild.remove();
  return dismiss;
}
