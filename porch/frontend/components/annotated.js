// Images with something on top: annotatedimage and imageslider (twins of
// porch/components/annotated.py). Every image loads from the FileData `url` the server gave.

import { field, uid } from "./base.js";
import { useImagingStyles } from "./image_editor.js";
import { Previews, dropzone, runUpload, sameFiles, sourceOf } from "./upload.js";

/** The corner buttons Gradio's `buttons=` names ("download", "fullscreen") for `target`. */
function cornerButtons(props, target, download) {
  const bar = document.createElement("div");
  bar.className = "porch-image-buttons";
  const shown = Array.isArray(props.buttons) ? props.buttons : [];
  if (shown.includes("download") && download) {
    const link = bar.appendChild(document.createElement("a"));
    link.className = "porch-file-link";
    link.textContent = "Download";
    bar.sync = () => {
      const url = download();
      link.hidden = !url;
      if (url) {
        link.href = url;
        link.download = "";
      }
    };
  }
  if (shown.includes("fullscreen")) {
    const b = bar.appendChild(document.createElement("button"));
    b.type = "button";
    b.className = "porch-editor-button";
    b.textContent = "Fullscreen";
    b.addEventListener("click", () => target.requestFullscreen?.());
  }
  bar.hidden = !bar.childElementCount;
  return bar;
}

const css = (v) => (v == null || v === "" ? "" : typeof v === "number" ? `${v}px` : String(v));

function colorOf(props, label) {
  const map = props.color_map && typeof props.color_map === "object" ? props.color_map : {};
  return typeof map[label] === "string" ? map[label] : "#ff0000";
}

/** The alpha of `img` at natural pixel (x, y), read once per image into a canvas. */
function alphaAt(img, x, y) {
  if (!img.porchPixels) {
    const canvas = Object.assign(document.createElement("canvas"), { width: img.naturalWidth, height: img.naturalHeight });
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(img, 0, 0);
    img.porchPixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
  }
  const { data, width, height } = img.porchPixels;
  if (x < 0 || y < 0 || x >= width || y >= height) return 0;
  return data[(y * width + x) * 4 + 3];
}

export function annotatedimage(el, props, emit) {
  useImagingStyles();
  let current = props;
  let value = props.value ?? null;
  const stage = document.createElement("div");
  stage.className = "porch-annotated";
  stage.id = uid("annotated");
  stage.setAttribute("role", "img");
  const label = field(el, props, stage.id, "annotated image");
  const legend = document.createElement("div");
  legend.className = "porch-annotated-legend";
  el.append(stage, legend, cornerButtons(props, stage, null));
  let masks = [];

  const focus = (index) => {
    masks.forEach((m, k) => m.classList.toggle("porch-annotated-dim", index != null && k !== index));
    [...legend.children].forEach((b, k) => b.classList.toggle("porch-annotated-active", k === index));
  };
  const pick = (index) => {
    const item = value?.annotations?.[index];
    if (item) emit("select", { index, value: item.label, selected: true });
  };

  function render() {
    label.update(current, stage);
    stage.setAttribute("aria-label", current.label ? String(current.label) : "annotated image");
    const base = sourceOf(value?.image);
    if (!base) {
      stage.replaceChildren();
      legend.replaceChildren();
      masks = [];
      stage.hidden = legend.hidden = true;
      return;
    }
    stage.hidden = false;
    const img = document.createElement("img");
    img.className = "porch-annotated-base";
    img.alt = "";
    img.src = base;
    img.style.maxHeight = css(current.height);
    img.style.width = css(current.width);
    const annotations = Array.isArray(value.annotations) ? value.annotations : [];
    masks = annotations.map((a, k) => {
      const m = document.createElement("img");
      m.className = "porch-annotated-mask";
      m.alt = "";
      m.dataset.index = String(k);
      const src = sourceOf(a.image);
      if (src) m.src = src;
      return m;
    });
    stage.replaceChildren(img, ...masks);
    legend.hidden = current.show_legend === false || !annotations.length;
    legend.replaceChildren(...annotations.map((a, k) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "porch-annotated-label";
      b.textContent = String(a.label);
      b.style.setProperty("--porch-annotation", colorOf(current, a.label));
      b.addEventListener("mouseenter", () => focus(k));
      b.addEventListener("mouseleave", () => focus(null));
      b.addEventListener("focus", () => focus(k));
      b.addEventListener("blur", () => focus(null));
      b.addEventListener("click", () => pick(k));
      return b;
    }));
  }
  // A click on the image selects the topmost annotation under the pointer.
  stage.addEventListener("click", (e) => {
    const box = stage.firstChild?.getBoundingClientRect();
    if (!box) return;
    for (let k = masks.length - 1; k >= 0; k -= 1) {
      const m = masks[k];
      if (!m.complete || !m.naturalWidth) continue;
      const x = Math.floor(((e.clientX - box.left) / box.width) * m.naturalWidth);
      const y = Math.floor(((e.clientY - box.top) / box.height) * m.naturalHeight);
      if (alphaAt(m, x, y) > 0) return pick(k);
    }
  });
  render();

  return {
    update(next) {
      current = next;
      const changed = JSON.stringify(next.value ?? null) !== JSON.stringify(value);
      value = next.value ?? null;
      render();
      if (changed) emit("change");
    },
    value() { return value; },
  };
}

export function imageslider(el, props, emit) {
  useImagingStyles();
  const previews = new Previews();
  let current = props;
  let value = Array.isArray(props.value) ? props.value : null;
  let position = Number(props.slider_position ?? 50);
  const stage = document.createElement("div");
  stage.className = "porch-slider-stage";
  const range = document.createElement("input");
  range.type = "range";
  range.min = "0";
  range.max = "100";
  range.step = "0.1";
  range.id = uid("slider");
  range.className = "porch-slider-range";
  const label = field(el, props, range.id, "image slider");
  const before = stage.appendChild(document.createElement("img"));
  before.className = "porch-slider-image";
  before.alt = "first image";
  const after = stage.appendChild(document.createElement("img"));
  after.className = "porch-slider-image porch-slider-after";
  after.alt = "second image";
  const handle = stage.appendChild(document.createElement("div"));
  handle.className = "porch-slider-handle";
  const zones = [0, 1].map((side) => {
    const zone = dropzone({ accept: "image/*", prompt: `Drop the ${side ? "second" : "first"} image here or click to upload` }, (files) => runUpload(zone, files, current, (values) => {
      previews.add(values, files);
      const next = value ? [...value] : [null, null];
      next[side] = values[0];
      value = next;
      render();
      emit("upload");
      emit("change");
    }));
    return zone;
  });
  const uploads = document.createElement("div");
  uploads.className = "porch-slider-uploads";
  uploads.append(...zones.map((z) => z.root));
  const corner = cornerButtons(props, stage, () => sourceOf(value?.[1] ?? value?.[0], previews));
  el.append(stage, range, uploads, corner);

  const place = (pct) => {
    position = Math.min(Math.max(pct, 0), 100);
    range.value = String(position);
    after.style.clipPath = `inset(0 0 0 ${position}%)`;
    handle.style.left = `${position}%`;
    stage.dataset.position = String(Math.round(position * 10) / 10);
  };
  range.addEventListener("input", () => place(Number(range.value)));
  let dragging = false;
  const follow = (e) => {
    const box = stage.getBoundingClientRect();
    place(((e.clientX - box.left) / box.width) * 100);
  };
  stage.addEventListener("pointerdown", (e) => {
    dragging = true;
    stage.setPointerCapture?.(e.pointerId);
    follow(e);
  });
  stage.addEventListener("pointermove", (e) => { if (dragging) follow(e); });
  stage.addEventListener("pointerup", () => { dragging = false; });

  function render() {
    label.update(current, range);
    const [a, b] = value ?? [null, null];
    previews.prune([a?.path, b?.path].filter(Boolean));
    const srcA = sourceOf(a, previews);
    const srcB = sourceOf(b, previews);
    for (const [img, src] of [[before, srcA], [after, srcB]]) {
      if (src) img.src = src;
      else img.removeAttribute("src");
      img.hidden = !src;
      img.style.maxHeight = css(current.max_height ?? 500);
      if (current.height != null) img.style.height = css(current.height);
      if (current.width != null) img.style.width = css(current.width);
    }
    stage.hidden = !srcA && !srcB;
    range.hidden = stage.hidden;
    const editable = current.interactive !== false;
    zones.forEach((z, side) => z.enable(editable && !(side ? srcB : srcA)));
    uploads.hidden = !editable;
    corner.sync?.();
  }
  place(position);
  render();

  return {
    update(next) {
      current = next;
      const incoming = Array.isArray(next.value) ? next.value : null;
      const changed = !sameFiles((incoming ?? []).filter(Boolean), (value ?? []).filter(Boolean));
      value = incoming;
      if (next.slider_position != null && Number(next.slider_position) !== Number(props.slider_position)) place(Number(next.slider_position));
      render();
      if (changed) emit("change");
    },
    value() { return value; },
    pending() { return Promise.all(zones.map((z) => z.pending)); },
    clear() { this.update({ ...current, value: null }); },
  };
}
