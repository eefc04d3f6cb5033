// Image editor: imageeditor (twin of porch/components/image_editor.py, and of its presets
// ImageMask, Sketchpad and Paint). A background canvas and one canvas per layer are stacked;
// the brush paints on the active layer, the eraser clears it, crop and resize reshape them
// all. Before an event reads the value, the background, each layer and their composite are
// exported as PNG and uploaded (so max_file_size applies), and the value is Gradio's
// EditorData: {background, layers, composite, id} of FileData.

import { field, uid } from "./base.js";
import { History, copyCanvas } from "./editor_history.js";
import { dropzone, maxFileSize, safeUrl, uploadFiles, UploadError } from "./upload.js";

export function useImagingStyles() {
  if (document.getElementById("porch-imaging-css")) return;
  const link = document.head.appendChild(document.createElement("link"));
  link.id = "porch-imaging-css";
  link.rel = "stylesheet";
  link.href = new URL("./assets/imaging.css", document.baseURI).href;
}

const css = (v) => (v == null || v === "" ? "" : typeof v === "number" ? `${v}px` : String(v));
const blank = (w, h) => Object.assign(document.createElement("canvas"), { width: w, height: h });

/** A colour option ("#000", "rgb(...)" or [colour, opacity]) as {color, alpha}. */
function paint(option) {
  if (Array.isArray(option)) return { color: String(option[0]), alpha: Math.min(Math.max(Number(option[1]) || 1, 0), 1) };
  return { color: String(option ?? "#000000"), alpha: 1 };
}

/** A CSS colour as #rrggbb, for <input type=color> (which takes nothing else). */
function hexOf(color) {
  const probe = blank(1, 1).getContext("2d");
  probe.fillStyle = color;
  probe.fillRect(0, 0, 1, 1);
  const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
  return `#${[r, g, b].map((n) => n.toString(16).padStart(2, "0")).join("")}`;
}

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("The image could not be loaded."));
    img.src = src;
  });
}

const toBlob = (canvas) => new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
const pathsOf = (v) => (v ? [v.background, ...(v.layers ?? []), v.composite].map((d) => d?.path ?? null).join("|") : "");

export function imageeditor(el, props, emit) {
  useImagingStyles();
  let current = props;
  let [W, H] = Array.isArray(props.canvas_size) ? props.canvas_size.map((n) => Math.max(1, Math.round(Number(n) || 800))) : [800, 800];
  let background = blank(W, H);
  let layers = [];
  let active = 0;
  let touched = false; // anything drawn or loaded: an untouched editor's value is null
  let value = props.value ?? null;
  let dirty = false;
  let syncing = null;
  let tool = "brush";
  let sizeChosen = false;
  const history = new History();

  const brush = props.brush === false ? null : props.brush ?? {};
  const eraser = props.brush === false || props.eraser === false ? null : props.eraser ?? {};
  // `colors` is a list of options, or one option: a colour or a [colour, opacity] pair.
  const single = (c) => !Array.isArray(c) || (c.length === 2 && typeof c[1] === "number");
  const palette = brush?.colors == null ? ["#000000"] : single(brush.colors) ? [brush.colors] : brush.colors;
  let ink = paint(brush?.default_color ?? palette[0]);

  const sources = Array.isArray(props.sources) ? props.sources : [];
  const zone = dropzone({ accept: "image/*", prompt: props.placeholder || "Drop an image here or click to upload" }, (files) => takeFile(files[0], "upload"));
  const stage = document.createElement("div");
  stage.className = "porch-editor-stage";
  stage.id = uid("editor");
  stage.tabIndex = 0;
  stage.setAttribute("role", "img");
  const label = field(el, props, stage.id, "image editor");
  const surface = stage.appendChild(document.createElement("div"));
  surface.className = "porch-editor-surface";
  const cropBox = stage.appendChild(document.createElement("div"));
  cropBox.className = "porch-editor-crop";
  cropBox.hidden = true;

  // ---- toolbar -------------------------------------------------------------------------
  const bar = document.createElement("div");
  bar.className = "porch-editor-tools";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Editor tools");
  const button = (text, onClick, parent = bar) => {
    const b = parent.appendChild(document.createElement("button"));
    b.type = "button";
    b.className = "porch-editor-button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  };
  const tools = {};
  const choose = (name) => {
    tool = name;
    autoSize();
    for (const [key, b] of Object.entries(tools)) b.setAttribute("aria-pressed", String(key === name));
    stage.dataset.tool = name ?? "";
  };
  if (brush) tools.brush = button("Brush", () => choose("brush"));
  if (eraser) tools.eraser = button("Eraser", () => choose("eraser"));
  const transforms = Array.isArray(props.transforms) ? props.transforms : [];
  if (transforms.includes("crop")) tools.crop = button("Crop", () => choose("crop"));

  const swatches = bar.appendChild(document.createElement("div"));
  swatches.className = "porch-editor-palette";
  swatches.hidden = !brush;
  const swatchButtons = palette.map((option) => {
    const { color } = paint(option);
    const b = button("", () => { ink = paint(option); showInk(); choose("brush"); }, swatches);
    b.className = "porch-editor-swatch";
    b.style.background = color;
    b.setAttribute("aria-label", `Colour ${color}`);
    return [b, color];
  });
  let picker = null;
  if (brush && brush.color_mode !== "fixed") {
    picker = swatches.appendChild(document.createElement("input"));
    picker.type = "color";
    picker.setAttribute("aria-label", "Brush colour");
    picker.addEventListener("input", () => { ink = { color: picker.value, alpha: 1 }; showInk(); choose("brush"); });
  }
  function showInk() {
    for (const [b, color] of swatchButtons) b.setAttribute("aria-pressed", String(color === ink.color));
    if (picker) picker.value = hexOf(ink.color);
  }
  const size = bar.appendChild(document.createElement("input"));
  size.type = "range";
  size.min = "1";
  size.max = "100";
  size.setAttribute("aria-label", "Brush size");
  size.hidden = !brush;
  size.addEventListener("input", () => { sizeChosen = true; });
  const autoSize = () => {
    if (sizeChosen) return;
    const preset = Number((tool === "eraser" ? eraser : brush)?.default_size);
    size.value = String(Number.isFinite(preset) && preset > 0 ? preset : Math.max(2, Math.round(Math.min(W, H) / 50)));
  };

  const layerOptions = props.layers && typeof props.layers === "object" ? props.layers : { layers: ["Layer 1"], allow_additional_layers: true, disabled: false };
  const layerPick = bar.appendChild(document.createElement("select"));
  layerPick.setAttribute("aria-label", "Layer");
  layerPick.addEventListener("change", () => { active = Number(layerPick.value); });
  const addLayer = button("Add layer", () => { makeLayer(`Layer ${layers.length + 1}`); active = layers.length - 1; showLayers(); });
  layerPick.hidden = Boolean(layerOptions.disabled);
  addLayer.hidden = Boolean(layerOptions.disabled) || layerOptions.allow_additional_layers === false;

  let resizeForm = null;
  if (transforms.includes("resize")) {
    resizeForm = document.createElement("div");
    resizeForm.className = "porch-editor-resize";
    const num = (name) => {
      const input = resizeForm.appendChild(document.createElement("input"));
      input.type = "number";
      input.min = "1";
      input.setAttribute("aria-label", name);
      return input;
    };
    const wIn = num("Width");
    const hIn = num("Height");
    button("Resize", () => {
      const w = Math.round(Number(wIn.value));
      const h = Math.round(Number(hIn.value));
      if (w > 0 && h > 0 && w <= 8192 && h <= 8192) {
        remember();
        reshape(w, h, (old, ctx) => ctx.drawImage(old, 0, 0, w, h));
        changed("apply");
      }
    }, resizeForm);
    resizeForm.sync = () => { wIn.value = String(W); hIn.value = String(H); };
    bar.appendChild(resizeForm);
  }
  const paste = sources.includes("clipboard") ? button("Paste", async () => {
    try {
      for (const item of await navigator.clipboard.read()) {
        const type = item.types.find((t) => t.startsWith("image/"));
        if (type) return takeFile(await item.getType(type), "upload");
      }
    } catch {
      zone.status({ error: "The clipboard could not be read; press Ctrl+V on the canvas instead." });
    }
  }) : null;
  const undo = button("Undo", () => restore(history.undo(snapshot())));
  const redo = button("Redo", () => restore(history.redo(snapshot())));
  const clearLayers = button("Clear", () => {
    remember();
    for (const layer of layers) layer.canvas.getContext("2d").clearRect(0, 0, W, H);
    changed();
  });
  const remove = button("Remove", () => { history.forget(); reset(W, H); value = null; dirty = false; render(); emit("clear"); emit("change"); });
  const shown = Array.isArray(props.buttons) ? props.buttons : ["download", "fullscreen"];
  const download = shown.includes("download") ? button("Download", async () => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await toBlob(composite()));
    link.download = "image.png";
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }) : null;
  if (shown.includes("fullscreen")) button("Fullscreen", () => stage.requestFullscreen?.());
  el.append(bar, stage, zone.root);

  // ---- canvases ------------------------------------------------------------------------
  function makeLayer(name) {
    const canvas = blank(W, H);
    canvas.className = "porch-editor-layer";
    canvas.dataset.layer = name;
    layers.push({ name, canvas });
    return canvas;
  }
  function stack() {
    background.className = "porch-editor-background";
    surface.replaceChildren(background, ...layers.map((l) => l.canvas));
    stage.style.aspectRatio = `${W} / ${H}`;
    // A numeric height caps the width too, so the canvas keeps its proportions.
    const byHeight = typeof current.height === "number" ? (current.height * W) / H : Infinity;
    stage.style.maxWidth = current.width != null ? css(current.width) : `${Math.min(W, byHeight)}px`;
    if (current.height != null) stage.style.maxHeight = css(current.height);
    stage.dataset.size = `${W}x${H}`;
    resizeForm?.sync();
    autoSize();
  }
  function showLayers() {
    layerPick.replaceChildren(...layers.map((l, k) => Object.assign(document.createElement("option"), { value: String(k), textContent: l.name })));
    layerPick.value = String(active);
    stack();
  }
  function reset(w, h) {
    W = w;
    H = h;
    background = blank(W, H);
    layers = [];
    for (const name of layerOptions.layers?.length ? layerOptions.layers : ["Layer 1"]) makeLayer(String(name));
    active = 0;
    touched = false;
    showLayers();
  }
  /** Give every canvas a new size; `draw(old, ctx)` copies each old canvas into its new one. */
  function reshape(w, h, draw) {
    const redo = (old) => {
      const next = blank(w, h);
      draw(old, next.getContext("2d"));
      next.className = old.className;
      if (old.dataset.layer) next.dataset.layer = old.dataset.layer;
      return next;
    };
    background = redo(background);
    for (const layer of layers) layer.canvas = redo(layer.canvas);
    W = w;
    H = h;
    stack();
  }
  function composite() {
    const out = blank(W, H);
    const ctx = out.getContext("2d");
    ctx.drawImage(background, 0, 0);
    for (const layer of layers) ctx.drawImage(layer.canvas, 0, 0);
    return out;
  }
  function snapshot() {
    return { W, H, active, touched, background: copyCanvas(background),
      layers: layers.map((l) => ({ name: l.name, canvas: copyCanvas(l.canvas) })) };
  }
  const remember = () => history.record(snapshot());
  function restore(state) {
    if (!state) return;
    ({ W, H, active, background } = state);
    layers = state.layers;
    showLayers();
    changed();
    touched = state.touched;
    render();
  }
  /** Draw `img` as the background: the canvas takes its size, unless fixed_canvas. */
  function setBackground(img) {
    if (current.fixed_canvas) {
      reset(W, H);
      const scale = Math.min(W / img.naturalWidth, H / img.naturalHeight);
      const w = img.naturalWidth * scale;
      const h = img.naturalHeight * scale;
      background.getContext("2d").drawImage(img, (W - w) / 2, (H - h) / 2, w, h);
    } else {
      reset(img.naturalWidth, img.naturalHeight);
      background.getContext("2d").drawImage(img, 0, 0);
    }
    touched = true;
  }
  async function takeFile(file, event) {
    if (!file || !String(file.type).startsWith("image/")) return;
    const url = URL.createObjectURL(file);
    try {
      const img = await loadImage(url);
      remember();
      setBackground(img);
      zone.status(null);
      render();
      changed(event);
    } catch (e) {
      zone.status({ error: e.message });
    } finally {
      URL.revokeObjectURL(url);
    }
  }
  function changed(event) {
    touched = true;
    dirty = true;
    render();
    if (event) emit(event);
    emit("input");
    emit("change");
  }

  // ---- drawing -------------------------------------------------------------------------
  let stroke = null;
  const at = (e) => {
    const box = surface.getBoundingClientRect();
    return [(e.clientX - box.left) * (W / box.width), (e.clientY - box.top) * (H / box.height)];
  };
  stage.addEventListener("pointerdown", (e) => {
    if (current.interactive === false || !tool || e.button !== 0) return;
    e.preventDefault();
    stage.setPointerCapture?.(e.pointerId);
    const [x, y] = at(e);
    if (tool === "crop") {
      stroke = { crop: [x, y, x, y] };
      return;
    }
    remember();
    const layer = layers[active] ?? layers[0];
    const ctx = layer.canvas.getContext("2d");
    const radius = Number(size.value) || 2;
    ctx.save();
    ctx.globalCompositeOperation = tool === "eraser" ? "destination-out" : "source-over";
    ctx.globalAlpha = tool === "eraser" ? 1 : ink.alpha;
    ctx.strokeStyle = ctx.fillStyle = ink.color;
    ctx.lineWidth = radius * 2;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, Math.PI * 2);
    ctx.fill();
    ctx.beginPath();
    ctx.moveTo(x, y);
    stroke = { ctx };
  });
  stage.addEventListener("pointermove", (e) => {
    if (!stroke) return;
    const [x, y] = at(e);
    if (stroke.crop) {
      stroke.crop[2] = x;
      stroke.crop[3] = y;
      const [x0, y0] = stroke.crop;
      Object.assign(cropBox.style, {
        left: `${(Math.min(x0, x) / W) * 100}%`, top: `${(Math.min(y0, y) / H) * 100}%`,
        width: `${(Math.abs(x - x0) / W) * 100}%`, height: `${(Math.abs(y - y0) / H) * 100}%`,
      });
      cropBox.hidden = false;
      return;
    }
    stroke.ctx.lineTo(x, y);
    stroke.ctx.stroke();
  });
  const finish = () => {
    if (!stroke) return;
    const done = stroke;
    stroke = null;
    cropBox.hidden = true;
    if (done.crop) {
      const [x0, y0, x1, y1] = done.crop.map(Math.round);
      const left = Math.max(0, Math.min(x0, x1));
      const top = Math.max(0, Math.min(y0, y1));
      const w = Math.min(W, Math.max(x0, x1)) - left;
      const h = Math.min(H, Math.max(y0, y1)) - top;
      if (w > 2 && h > 2) {
        remember();
        reshape(w, h, (old, ctx) => ctx.drawImage(old, -left, -top));
        changed("apply");
      }
      return;
    }
    done.ctx.restore();
    changed();
  };
  stage.addEventListener("pointerup", finish);
  stage.addEventListener("pointercancel", finish);
  // Pasting an image (Ctrl+V with the canvas focused) sets the background.
  stage.addEventListener("paste", (e) => {
    if (!sources.includes("clipboard") || current.interactive === false) return;
    const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith("image/"));
    if (file) {
      e.preventDefault();
      takeFile(file, "upload");
    }
  });

  // ---- value ---------------------------------------------------------------------------
  async function sync() {
    const canvases = [background, ...layers.map((l) => l.canvas), composite()];
    const names = ["background.png", ...layers.map((_, k) => `layer${k + 1}.png`), "composite.png"];
    const blobs = await Promise.all(canvases.map(toBlob));
    const files = blobs.map((b, k) => new File([b], names[k], { type: "image/png" }));
    try {
      const uploaded = await uploadFiles(files, { limit: maxFileSize(current) });
      value = { background: uploaded[0], layers: uploaded.slice(1, -1), composite: uploaded[uploaded.length - 1], id: null };
      zone.status(null);
    } catch (e) {
      dirty = true;
      zone.status({ error: e instanceof UploadError ? e.message : `The upload failed: ${e.message ?? e}` });
    }
  }
  async function show(next) {
    const url = (d) => safeUrl(d?.url);
    history.forget();
    reset(W, H);
    if (!next) return render();
    try {
      const bgUrl = url(next.background) ?? ((next.layers ?? []).length ? null : url(next.composite));
      if (bgUrl) setBackground(await loadImage(bgUrl));
      const images = await Promise.all((next.layers ?? []).map((d) => (url(d) ? loadImage(url(d)) : null)));
      images.forEach((img, k) => {
        if (!img) return;
        const canvas = layers[k]?.canvas ?? makeLayer(`Layer ${k + 1}`);
        canvas.getContext("2d").drawImage(img, 0, 0, W, H);
      });
      touched = true;
      showLayers();
    } catch (e) {
      zone.status({ error: e.message });
    }
    render();
  }

  function render() {
    label.update(current, stage);
    const editable = current.interactive !== false;
    bar.hidden = !editable;
    zone.enable(editable && sources.includes("upload") && !touched);
    if (paste) paste.hidden = !sources.includes("clipboard");
    clearLayers.hidden = !touched;
    undo.disabled = !history.undos.length;
    redo.disabled = !history.redos.length;
    remove.hidden = !touched;
    if (download) download.hidden = !touched;
    stage.classList.toggle("porch-editor-readonly", !editable);
    stage.setAttribute("aria-label", current.label ? String(current.label) : "image editor");
  }

  reset(W, H);
  choose(brush ? "brush" : null);
  showInk();
  if (value) show(value);
  render();

  return {
    update(next) {
      current = next;
      const incoming = next.value ?? null;
      const differs = pathsOf(incoming) !== pathsOf(value);
      if (differs) {
        value = incoming;
        dirty = false;
        show(incoming);
        emit("change");
      } else {
        render();
      }
    },
    value() { return touched ? value : null; },
    pending() {
      if (dirty && touched) {
        dirty = false;
        syncing = sync().finally(() => { syncing = null; });
      }
      return syncing ?? zone.pending;
    },
    clear() { this.update({ ...current, value: null }); },
  };
}
