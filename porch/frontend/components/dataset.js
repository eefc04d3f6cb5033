// Dataset: clickable examples (twin of porch/components/dataset.py). One component: a row
// of buttons; several: a table with a header. Its value is the index of the sample clicked.
//
// Samples are app data: text goes in as textContent; an image cell's src is the FileData url
// the server wrote, used only when it is http(s) or relative to this page.

import { safeUrl } from "../markdown.js";
import { fileName } from "./upload.js";

const FILE_SCHEMES = new Set(["http:", "https:"]);
const MAX_TEXT = 120;

function short(text) {
  const s = String(text);
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

/** One cell's content, drawn from the payload its component produced. */
function cell(value, type) {
  const span = document.createElement("span");
  span.className = "porch-sample-cell";
  if (value == null) return span;
  if (typeof value === "object" && !Array.isArray(value) && (value.path != null || value.url != null)) {
    const url = typeof value.url === "string" ? safeUrl(value.url, FILE_SCHEMES) : null;
    if (url && (type === "image" || String(value.mime_type ?? "").startsWith("image/"))) {
      const img = span.appendChild(document.createElement("img"));
      img.className = "porch-sample-image";
      img.src = url;
      img.alt = fileName(value);
      return span;
    }
    span.textContent = fileName(value);
    return span;
  }
  if (typeof value === "object" && !Array.isArray(value) && "text" in value) {
    span.textContent = short(value.text ?? "");
    return span;
  }
  if (Array.isArray(value) && type === "chatbot") {
    span.textContent = short(value.map((m) => (m.content ?? []).map((p) => p.text ?? "").join(" ")).join(" / "));
    return span;
  }
  if (typeof value === "boolean") span.textContent = value ? "✓" : "✗";
  else span.textContent = short(typeof value === "object" ? JSON.stringify(value) : value);
  return span;
}

export function dataset(el, props, emit) {
  const heading = el.appendChild(document.createElement("div"));
  heading.className = "porch-label porch-dataset-label";
  const holder = el.appendChild(document.createElement("div"));
  holder.className = "porch-dataset";
  const pager = el.appendChild(document.createElement("nav"));
  pager.className = "porch-dataset-pages";
  pager.setAttribute("aria-label", "Example pages");
  let current = props;
  let chosen = null;
  let page = 0;

  function choose(index) {
    chosen = index;
    emit("click");
    emit("select", { index, value: (current.samples ?? [])[index] ?? null });
  }

  function render() {
    const samples = Array.isArray(current.samples) ? current.samples : [];
    const types = Array.isArray(current.components) ? current.components : [];
    const labels = Array.isArray(current.sample_labels) ? current.sample_labels : null;
    const per = Math.max(1, Number(current.samples_per_page) || 10);
    const pages = Math.max(1, Math.ceil(samples.length / per));
    page = Math.min(page, pages - 1);
    heading.textContent = current.label == null ? "" : String(current.label);
    heading.hidden = current.show_label === false || !current.label;
    const shown = samples.slice(page * per, page * per + per);
    const start = page * per;
    if (types.length === 1 || labels) {
      const list = document.createElement("div");
      list.className = "porch-dataset-chips";
      shown.forEach((sample, k) => {
        const b = list.appendChild(document.createElement("button"));
        b.type = "button";
        b.className = "porch-sample";
        b.dataset.index = String(start + k);
        if (labels) b.textContent = String(labels[start + k] ?? "");
        else b.append(cell(sample[0], types[0]));
        b.addEventListener("click", () => choose(start + k));
      });
      holder.replaceChildren(list);
    } else {
      const table = document.createElement("table");
      table.className = "porch-dataset-table";
      const headers = Array.isArray(current.headers) ? current.headers : [];
      if (headers.some((h) => h)) {
        const tr = table.appendChild(document.createElement("thead")).appendChild(document.createElement("tr"));
        for (const h of headers) tr.appendChild(document.createElement("th")).textContent = String(h ?? "");
      }
      const body = table.appendChild(document.createElement("tbody"));
      shown.forEach((sample, k) => {
        const tr = body.appendChild(document.createElement("tr"));
        tr.className = "porch-sample";
        tr.dataset.index = String(start + k);
        tr.tabIndex = 0;
        tr.setAttribute("role", "button");
        tr.setAttribute("aria-label", `Example ${start + k + 1}`);
        types.forEach((type, c) => tr.appendChild(document.createElement("td")).append(cell(sample[c], type)));
        tr.addEventListener("click", () => choose(start + k));
        tr.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            choose(start + k);
          }
        });
      });
      holder.replaceChildren(table);
    }
    pager.replaceChildren();
    pager.hidden = pages < 2;
    for (let p = 0; p < pages && pages > 1; p += 1) {
      const b = pager.appendChild(document.createElement("button"));
      b.type = "button";
      b.className = "porch-dataset-page";
      b.textContent = String(p + 1);
      if (p === page) b.setAttribute("aria-current", "page");
      b.addEventListener("click", () => {
        page = p;
        render();
      });
    }
  }
  render();

  return {
    update(next) {
      current = next;
      if (typeof next.value === "number") chosen = next.value;
      render();
    },
    value() { return chosen; },
    clear() { chosen = null; },
  };
}
