// The chatbot (twin of porch/components/chat.py); its message box is multimodal.js.
//
// Messages come from the app and, through it, from other people: text is drawn only by the
// DOM-building markdown renderer (or as textContent), and file URLs are used only when they
// are http(s) or relative to this page.

import { field, smallButton as button, uid } from "./base.js";
import { renderMarkdown, safeUrl } from "../markdown.js";
import { fileName } from "./upload.js";

const FILE_SCHEMES = new Set(["http:", "https:"]);
const size = (v) => (v == null || v === "" ? "" : typeof v === "number" ? `${v}px` : String(v));
const partsOf = (message) => (Array.isArray(message?.content) ? message.content
  : typeof message?.content === "string" ? [{ type: "text", text: message.content }] : []);
const textOf = (message) => partsOf(message).filter((p) => p?.type === "text").map((p) => p.text).join("\n");

/** A file part: an image, audio or video player, or a download link. */
function filePart(part) {
  const data = part.file ?? {};
  const url = typeof data.url === "string" ? safeUrl(data.url, FILE_SCHEMES) : null;
  const mime = String(data.mime_type ?? "");
  const name = fileName(data);
  if (url && mime.startsWith("image/")) {
    const img = document.createElement("img");
    img.className = "porch-chat-image";
    img.src = url;
    img.alt = part.alt_text ?? name;
    return img;
  }
  if (url && (mime.startsWith("audio/") || mime.startsWith("video/"))) {
    const media = document.createElement(mime.startsWith("audio/") ? "audio" : "video");
    media.className = "porch-chat-media";
    media.controls = true;
    media.src = url;
    return media;
  }
  const link = document.createElement("a");
  link.className = "porch-file-link";
  link.textContent = name;
  if (url) {
    link.href = url;
    link.download = name;
  }
  return link;
}

export function chatbot(el, props, emit) {
  const id = uid("chatbot");
  const log = document.createElement("div");
  log.id = id;
  log.className = "porch-chat";
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.tabIndex = 0;
  const label = field(el, props, id, "chatbot");
  const empty = document.createElement("div");
  empty.className = "porch-chat-placeholder porch-prose";
  el.append(log);
  let current = props;
  let value = Array.isArray(props.value) ? props.value : [];
  let drawn = []; // [{ key, node }] per message

  function avatar(role) {
    const list = Array.isArray(current.avatar_images) ? current.avatar_images : [];
    const data = list[role === "user" ? 0 : 1];
    const url = data && typeof data.url === "string" ? safeUrl(data.url, FILE_SCHEMES) : null;
    if (!url) return null;
    const img = document.createElement("img");
    img.className = "porch-chat-avatar";
    img.src = url;
    img.alt = role === "user" ? "user" : "assistant";
    return img;
  }

  function bubble(message, index) {
    const row = document.createElement("div");
    const role = message?.role === "user" ? "user" : message?.role === "system" ? "system" : "assistant";
    row.className = `porch-msg porch-msg-${role}`;
    row.dataset.index = String(index);
    const face = avatar(role);
    if (face) row.append(face);
    const box = row.appendChild(document.createElement("div"));
    box.className = "porch-msg-bubble";
    let body = box;
    const meta = message?.metadata;
    if (meta && meta.title != null) {
      // A "thought": a collapsible box titled by the app.
      const details = box.appendChild(document.createElement("details"));
      details.className = "porch-msg-thought";
      details.open = meta.status === "pending";
      const summary = details.appendChild(document.createElement("summary"));
      summary.textContent = String(meta.title) + (meta.duration != null ? ` (${Number(meta.duration).toFixed(1)}s)` : "");
      body = details;
    }
    for (const part of partsOf(message)) {
      if (part?.type === "file") {
        const holder = body.appendChild(document.createElement("div"));
        holder.className = "porch-msg-file";
        holder.append(filePart(part));
      } else if (part?.type === "text") {
        const text = body.appendChild(document.createElement("div"));
        text.className = "porch-msg-text porch-prose";
        if (current.render_markdown === false) text.textContent = String(part.text ?? "");
        else text.append(renderMarkdown(String(part.text ?? "")));
      }
    }
    if (Array.isArray(message?.options) && message.options.length) {
      const opts = box.appendChild(document.createElement("div"));
      opts.className = "porch-msg-options";
      for (const option of message.options) {
        const shown = String(option?.label ?? option?.value ?? "");
        const b = opts.appendChild(button("porch-msg-option", shown));
        b.addEventListener("click", () => emit("option_select", { index, value: option?.value ?? shown }));
      }
    }
    const tools = document.createElement("div");
    tools.className = "porch-msg-tools";
    if (current.show_copy_button && role !== "system") {
      const copy = tools.appendChild(button("porch-msg-tool", "Copy", "Copy message"));
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(textOf(message));
          copy.textContent = "Copied";
        } catch {
          copy.textContent = "Copy failed";
        }
        setTimeout(() => { copy.textContent = "Copy"; }, 1500);
        emit("copy", { index, value: textOf(message) });
      });
    }
    if (current.likeable && role === "assistant") {
      const [likeText, dislikeText] = [...(current.feedback_options ?? []), "Like", "Dislike"].filter(Boolean);
      const like = tools.appendChild(button("porch-msg-tool porch-msg-like", "👍", likeText));
      const dislike = tools.appendChild(button("porch-msg-tool porch-msg-dislike", "👎", dislikeText));
      const vote = (liked) => {
        like.setAttribute("aria-pressed", String(liked === true));
        dislike.setAttribute("aria-pressed", String(liked === false));
        emit("like", { index, value: textOf(message), liked });
      };
      like.addEventListener("click", () => vote(true));
      dislike.addEventListener("click", () => vote(false));
    }
    if (tools.childElementCount) box.append(tools);
    return row;
  }

  function lastTools() {
    // Retry, undo and clear act on the conversation, so they sit under the last message.
    log.querySelector(".porch-chat-turn")?.remove();
    if (!value.length) return;
    const actions = [
      [current._retryable, "Retry", "Retry the last message", () => emit("retry", { index: value.length - 1 })],
      [current._undoable, "Undo", "Undo the last message", () => emit("undo", { index: value.length - 1 })],
      [current._clearable, "Clear", "Clear the conversation", () => {
        value = [];
        render();
        emit("clear");
        emit("change");
      }],
    ].filter(([on]) => on);
    if (!actions.length) return;
    const turn = log.appendChild(document.createElement("div"));
    turn.className = "porch-chat-turn";
    for (const [, text, label, act] of actions) turn.appendChild(button("porch-msg-tool", text, label)).addEventListener("click", act);
  }

  function render() {
    label.update(current, log);
    log.style.height = size(current.height);
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    // Redraw only the messages that changed: a streamed reply touches the last one.
    const next = value.map((message) => JSON.stringify(message));
    drawn.slice(next.length).forEach((d) => d.node.remove());
    drawn = drawn.slice(0, next.length);
    next.forEach((key, k) => {
      if (drawn[k]?.key === key) return;
      const node = bubble(value[k], k);
      if (drawn[k]) drawn[k].node.replaceWith(node);
      else log.insertBefore(node, log.querySelector(".porch-chat-turn"));
      drawn[k] = { key, node };
    });
    if (!value.length && current.placeholder) {
      empty.replaceChildren(renderMarkdown(String(current.placeholder)));
      log.append(empty);
    } else {
      empty.remove();
    }
    lastTools();
    if (nearBottom) log.scrollTop = log.scrollHeight;
  }
  render();

  return {
    update(next) {
      const redraw = ["show_copy_button", "likeable", "render_markdown", "avatar_images"]
        .some((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
      current = next;
      const list = Array.isArray(next.value) ? next.value : [];
      const changed = JSON.stringify(list) !== JSON.stringify(value);
      value = list;
      if (redraw) {
        drawn.forEach((d) => d.node.remove());
        drawn = [];
      }
      render();
      if (changed) emit("change");
    },
    value() { return value; },
    clear() { this.update({ ...current, value: [] }); },
  };
}
