// Uploading files, shared by the file, image, audio, video and gallery modules (PROTOCOL.md §6).
//
// POST ./gradio_api/upload?upload_id=… (multipart field "files") while
// ./gradio_api/upload_progress?upload_id=… feeds a progress bar. The reply lists one opaque
// cache reference per file ("<token>/<name>", no host path); each becomes a FileData `path`.
// The app's max_file_size is checked before anything is sent, and a 413 reply's `detail`
// (or plain text) is shown as the server wrote it. Files of TUS_THRESHOLD bytes or more go
// by tus instead (tus.js: chunks, resumed after a network error) when the server has it.

import { field, uid } from "./base.js";
import { safeUrl as checkedUrl } from "../markdown.js";
import { TUS_THRESHOLD, TusRefused, tusUpload } from "./tus.js";

const here = (path) => new URL(path, document.baseURI);
export const FILE_DATA = "gradio.FileData";
const UNITS = ["bytes", "KB", "MB", "GB", "TB"];

/** 1024 -> "1 KB", 1536 -> "1.5 KB", 5 * 2**20 -> "5 MB". */
export function humanSize(bytes) {
  let n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return "";
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit += 1;
  }
  const shown = unit === 0 ? String(n) : String(Math.round(n * 10) / 10);
  return `${shown} ${unit === 0 && n === 1 ? "byte" : UNITS[unit]}`;
}

/** The app's upload limit in bytes, or null (the config's max_file_size). */
export function maxFileSize(props) {
  const limit = props?.max_file_size ?? window.porch?.app?.config?.max_file_size;
  return typeof limit === "number" && limit >= 0 ? limit : null;
}

/** An upload the app refused, or that could not be sent; `message` is for people. */
export class UploadError extends Error {}

/** A FileData value's display name. */
export const fileName = (data) => String(data?.orig_name ?? String(data?.path ?? "file").split("/").pop());

/** `accept` for an <input type=file> from Gradio's file_types ("image", ".csv", …). */
export function acceptFor(fileTypes) {
  if (!Array.isArray(fileTypes) || !fileTypes.length) return "";
  const families = { image: "image/*", audio: "audio/*", video: "video/*", text: "text/*" };
  if (fileTypes.some((t) => String(t).toLowerCase() === "file")) return "";
  return fileTypes.map((t) => families[String(t).toLowerCase()] ?? String(t)).join(",");
}

// Progress frames come on a stream of their own; read with fetch (not EventSource, which
// would reconnect after "done" and then hit 404 once the upload is forgotten).
async function followProgress(id, total, onProgress, signal) {
  let sent = 0;
  try {
    const response = await fetch(here(`./gradio_api/upload_progress?upload_id=${encodeURIComponent(id)}`), {
      credentials: "same-origin", signal, headers: { accept: "text/event-stream" },
    });
    if (!response.ok || !response.body) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const frames = buffer.split("\n\n");
      buffer = frames.pop();
      for (const frame of frames) {
        const line = frame.split("\n").find((l) => l.startsWith("data:"));
        if (!line) continue;
        const msg = JSON.parse(line.slice(5));
        if (msg.msg === "update") {
          sent += Number(msg.chunk_size) || 0;
          onProgress(total ? Math.min(sent / total, 1) : null);
        } else if (msg.msg === "done") {
          onProgress(1);
          return;
        }
      }
    }
  } catch {
    // Aborted, or the stream broke: progress is a nicety, the upload's reply decides.
  }
}

const fileData = (path, file) => ({
  path: String(path), url: null, orig_name: file.name, size: file.size,
  mime_type: file.type || null, meta: { _type: FILE_DATA },
});

/** Upload `files` (File objects); resolves to one FileData per file. */
export async function uploadFiles(files, { limit = null, onProgress = () => {} } = {}) {
  const list = [...files];
  if (limit != null) {
    const big = list.find((f) => f.size > limit);
    if (big) {
      throw new UploadError(`${big.name} is ${humanSize(big.size)}, over this app's upload limit of ${humanSize(limit)}.`);
    }
  }
  const total = list.reduce((n, f) => n + f.size, 0);
  const results = new Array(list.length).fill(null);
  let done = 0; // bytes of the files already uploaded
  const share = (bytes) => onProgress(total ? Math.min((done + bytes) / total, 1) : null);
  onProgress(0);
  for (const [k, file] of list.entries()) {
    if (file.size < TUS_THRESHOLD) continue;
    let reference;
    try {
      reference = await tusUpload(file, { onProgress: share });
    } catch (e) {
      if (e instanceof TusRefused) throw new UploadError(e.message);
      throw e;
    }
    if (reference === null) break; // no tus here: every file goes by the plain POST
    results[k] = fileData(reference, file);
    done += file.size;
  }
  const rest = list.filter((_, k) => results[k] === null);
  if (rest.length) {
    const restTotal = rest.reduce((n, f) => n + f.size, 0);
    const posted = await postFiles(rest, (p) => share(p == null ? 0 : p * restTotal));
    for (const [k] of list.entries()) if (results[k] === null) results[k] = posted.shift();
  }
  return results;
}

/** One multipart POST of `list`, its progress from the upload_progress stream. */
async function postFiles(list, onProgress) {
  const id = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
  const body = new FormData();
  for (const f of list) body.append("files", f, f.name);
  const total = list.reduce((n, f) => n + f.size, 0);
  const stop = new AbortController();
  const progress = followProgress(id, total, onProgress, stop.signal);
  let response;
  try {
    response = await fetch(here(`./gradio_api/upload?upload_id=${encodeURIComponent(id)}`), {
      method: "POST", body, credentials: "same-origin",
    });
  } catch (e) {
    stop.abort();
    throw new UploadError(`The upload failed: could not reach the server (${e.message}).`);
  }
  // The server ends the progress stream itself; do not wait long for a late reader.
  const timer = setTimeout(() => stop.abort(), 2000);
  const text = await response.text();
  await progress;
  clearTimeout(timer);
  let reply = null;
  try {
    reply = JSON.parse(text);
  } catch {
    // A plain-text refusal: shown below as written.
  }
  const detail = reply && typeof reply === "object" && typeof reply.detail === "string" ? reply.detail : text.trim();
  if (response.status === 413) {
    throw new UploadError(detail || "The file is larger than this app accepts.");
  }
  if (!response.ok) {
    throw new UploadError(`The upload failed (${response.status}): ${detail || response.statusText}`);
  }
  if (!Array.isArray(reply) || reply.length !== list.length) {
    throw new UploadError("The server's reply to the upload was not a list of files.");
  }
  return reply.map((path, k) => fileData(path, list[k]));
}

/**
 * A drop zone and file picker for an upload control.
 *
 * `input` is the real <input type=file>: the component labels it (so get_by_label finds it).
 * A button opens the picker; files may also be dropped anywhere on `root`. `onFiles(list)`
 * receives the chosen files. `status(…)` shows progress or an error under the zone.
 */
export function dropzone({ multiple = false, accept = "", prompt = "Drop a file here or click to upload" } = {}, onFiles) {
  const root = document.createElement("div");
  root.className = "porch-drop";
  const input = root.appendChild(document.createElement("input"));
  input.type = "file";
  input.id = uid("upload");
  input.className = "porch-file-input";
  input.tabIndex = -1;
  input.multiple = multiple;
  if (accept) input.accept = accept;
  const pick = root.appendChild(document.createElement("button"));
  pick.type = "button";
  pick.className = "porch-drop-button";
  pick.textContent = prompt;
  pick.addEventListener("click", () => input.click());
  const bar = root.appendChild(document.createElement("div"));
  bar.className = "porch-progress porch-upload-progress";
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", "100");
  bar.appendChild(document.createElement("div")).className = "porch-progress-fill";
  bar.hidden = true;
  const error = root.appendChild(document.createElement("p"));
  error.className = "porch-upload-error";
  error.setAttribute("role", "alert");
  error.hidden = true;

  const take = (files) => {
    const list = [...(files ?? [])];
    if (!list.length || input.disabled) return;
    onFiles(multiple ? list : list.slice(0, 1));
  };
  input.addEventListener("change", () => {
    take(input.files);
    input.value = ""; // choosing the same file again must fire "change" again
  });
  root.addEventListener("dragover", (e) => {
    if (input.disabled) return;
    e.preventDefault();
    root.classList.add("porch-drop-over");
  });
  root.addEventListener("dragleave", () => root.classList.remove("porch-drop-over"));
  root.addEventListener("drop", (e) => {
    e.preventDefault();
    root.classList.remove("porch-drop-over");
    take(e.dataTransfer?.files);
  });

  return {
    root,
    input,
    button: pick,
    pending: null,
    /** s = null | { progress: 0..1 | null, name } | { error: text } */
    status(s) {
      bar.hidden = !(s && "progress" in s);
      error.hidden = !(s && s.error);
      error.textContent = s?.error ?? "";
      root.classList.toggle("porch-uploading", Boolean(s && "progress" in s));
      if (s && "progress" in s) {
        bar.setAttribute("aria-label", `Uploading ${s.name ?? "file"}`);
        const fill = bar.firstChild;
        if (s.progress == null) {
          bar.classList.add("porch-indeterminate");
          bar.removeAttribute("aria-valuenow");
        } else {
          const pct = Math.round(Math.min(Math.max(s.progress, 0), 1) * 100);
          bar.classList.remove("porch-indeterminate");
          bar.setAttribute("aria-valuenow", String(pct));
          fill.style.width = `${pct}%`;
        }
      }
    },
    enable(on) {
      input.disabled = !on;
      pick.disabled = !on;
      root.hidden = !on;
    },
  };
}

/**
 * Run an upload with its progress and errors shown in `zone`, then `apply(values)` the
 * FileData list. A failure stays on screen until the next attempt. While it runs,
 * `zone.pending` is a promise that settles once the values are applied, so an event fired
 * mid-upload can wait for the file (api.pending()) instead of sending none.
 */
export function runUpload(zone, files, props, apply) {
  const name = files.length === 1 ? files[0].name : `${files.length} files`;
  zone.status({ progress: 0, name });
  const run = (async () => {
    try {
      const values = await uploadFiles(files, {
        limit: maxFileSize(props),
        onProgress: (p) => zone.status({ progress: p, name }),
      });
      zone.status(null);
      apply(values);
    } catch (e) {
      zone.status({ error: e instanceof UploadError ? e.message : `The upload failed: ${e.message ?? e}` });
    } finally {
      if (zone.pending === run) zone.pending = null;
    }
  })();
  zone.pending = run;
  return run;
}

const MEDIA_SCHEMES = new Set(["http:", "https:", "blob:"]);

/**
 * `url` if it is a web or local-preview URL, else null. The server writes every FileData url
 * itself, but a value is still app data: a `javascript:` href must never reach the page.
 */
export const safeUrl = (url) => (typeof url === "string" && url ? checkedUrl(url, MEDIA_SCHEMES) : null);

/** A URL to show a value from: the server's `url` as given, else a local preview. */
export function sourceOf(data, previews) {
  if (!data) return null;
  return safeUrl(data.url) ?? previews?.get(data.path) ?? null;
}

/** Object URLs of local files, keyed by the server path they were uploaded to. */
export class Previews {
  constructor() { this.urls = new Map(); }
  add(values, files) {
    values.forEach((v, k) => this.urls.set(v.path, URL.createObjectURL(files[k])));
  }
  get(path) { return this.urls.get(path); }
  /** Forget every preview not in `keep` (paths). */
  prune(keep) {
    for (const [path, url] of this.urls) {
      if (!keep.includes(path)) {
        URL.revokeObjectURL(url);
        this.urls.delete(path);
      }
    }
  }
}

/** Two FileData values (or lists) name the same files. */
export function sameFiles(a, b) {
  const paths = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]).map((d) => `${d?.path}|${d?.url}`);
  const x = paths(a);
  const y = paths(b);
  return x.length === y.length && x.every((p, k) => p === y[k]);
}

/**
 * The skeleton of a one-file media component (image, audio, video): label, preview, drop
 * zone, download link and clear button. `makePreview(src, data, props)` builds the preview
 * element; it is rebuilt only when the source changes, so playing media is not interrupted.
 * `capture(media)` (capture.js's capturePanel) adds the webcam or microphone when
 * `sources` names one; `player()` (capture.js's chunkPlayer) plays a streaming output's
 * values one after another instead of replacing the preview.
 */
export function singleMedia(el, props, emit, { kind, accept, noun, makePreview, capture = null, player = null }) {
  const previews = new Previews();
  let current = props;
  let value = props.value ?? null;
  let shown = null;
  let chunks = null;
  const sources = () => current.sources ?? ["upload"];
  const streamingOutput = () => Boolean(player && current.streaming && current.interactive === false);
  const take = (files) => runUpload(zone, files, current, (values) => {
    previews.add(values, files);
    value = values[0];
    render();
    emit("upload");
    emit("change");
  });
  const pastes = () => sources().includes("clipboard");
  const prompt = pastes() ? `Drop ${noun} here, click to upload, or paste it` : `Drop ${noun} here or click to upload`;
  const zone = dropzone({ accept, prompt }, take);
  // sources=["clipboard"]: a file pasted anywhere in the component is taken as uploaded.
  el.addEventListener("paste", (e) => {
    if (!pastes() || current.interactive === false) return;
    const files = [...(e.clipboardData?.files ?? [])].filter((f) => f.type.startsWith(`${kind}/`));
    if (!files.length) return;
    e.preventDefault();
    take(files.slice(0, 1));
  });
  const label = field(el, props, zone.input.id, kind);
  const stage = document.createElement("div");
  stage.className = `porch-media porch-media-${kind}`;
  const tools = document.createElement("div");
  tools.className = "porch-media-tools";
  const download = tools.appendChild(document.createElement("a"));
  download.className = "porch-file-link";
  download.textContent = "Download";
  const clear = tools.appendChild(document.createElement("button"));
  clear.type = "button";
  clear.className = "porch-clear";
  clear.textContent = "Remove";
  clear.addEventListener("click", () => {
    value = null;
    render();
    emit("clear");
    emit("change");
  });
  const panel = capture && sources().some((s) => s === "webcam" || s === "microphone") ? capture({
    props: () => current,
    emit,
    /** A finished recording or snapshot: uploaded like a dropped file. */
    record(file, events) {
      return runUpload(zone, [file], current, (values) => {
        previews.add(values, [file]);
        value = values[0];
        render();
        for (const event of events) emit(event);
      });
    },
    /** One chunk of a live stream: uploaded quietly, then handed to .stream() events. */
    async stream(file) {
      const [data] = await uploadFiles([file], { limit: maxFileSize(current) });
      value = data;
      emit("stream");
    },
  }) : null;
  el.append(stage, zone.root, ...(panel ? [panel.root] : []), tools);

  function render() {
    label.update(current, zone.input);
    const editable = current.interactive !== false;
    zone.enable(editable && value == null && (sources().includes("upload") || pastes()));
    panel?.show(editable && value == null);
    previews.prune(value ? [value.path] : []);
    const src = sourceOf(value, previews);
    if (streamingOutput()) {
      chunks ??= player();
      if (stage.firstChild !== chunks.player) stage.replaceChildren(chunks.player);
      if (src) chunks.push(src);
      else chunks.reset();
    } else if (!src) {
      shown = null;
      const empty = document.createElement("p");
      empty.className = "porch-empty";
      empty.textContent = `No ${kind}`;
      stage.replaceChildren(...(editable ? [] : [empty]));
    } else if (src !== shown) {
      shown = src;
      stage.replaceChildren(makePreview(src, value, current));
    }
    stage.hidden = !stage.childElementCount;
    const url = safeUrl(value?.url);
    download.hidden = !(url && current.show_download_button !== false);
    if (url) {
      download.href = url;
      download.download = fileName(value);
    } else {
      download.removeAttribute("href");
    }
    clear.hidden = !(editable && value);
    tools.hidden = download.hidden && clear.hidden;
  }
  render();

  return {
    update(next) {
      current = next;
      const changed = !sameFiles(next.value ?? null, value);
      value = next.value ?? null;
      if (changed) shown = undefined;
      render();
      if (changed) emit("change");
    },
    value() { return value; },
    pending() { return zone.pending; },
    clear() { this.update({ ...current, value: null }); },
    streamEnded() { panel?.streamEnded(); },
    destroy() { panel?.destroy(); },
    stage,
  };
}
