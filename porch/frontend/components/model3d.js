// Model3D: model3d (twin of porch/components/model3d.py). The file named by the FileData
// `url` the server gave (or a local preview of one just uploaded) is fetched, read by
// model3d_formats.js and drawn by model3d_viewer.js. Upload, download and remove come from
// upload.js's singleMedia, like Image's. The canvas's data-state says "loading", "ready"
// or "error" (with the reason shown beside it), for people and for tests.

import { singleMedia, fileName, safeUrl } from "./upload.js";
import { MODEL_SUFFIXES, parseModel } from "./model3d_formats.js";
import { createViewer } from "./model3d_viewer.js";

const size = (v) => (v == null || v === "" ? "" : typeof v === "number" ? `${v}px` : String(v));

export function model3d(el, props, emit) {
  let viewer = null;
  let generation = 0;
  const retire = () => {
    viewer?.destroy();
    viewer = null;
  };

  function makePreview(src, data, p) {
    retire();
    const mine = ++generation;
    const box = document.createElement("div");
    box.className = "porch-model3d";
    const canvas = box.appendChild(document.createElement("canvas"));
    canvas.className = "porch-model3d-canvas";
    canvas.tabIndex = 0;
    canvas.setAttribute("role", "img");
    const name = fileName(data);
    canvas.setAttribute("aria-label", `${p.label == null || p.label === "" ? "3D model" : String(p.label)}: ${name}. Drag to turn, wheel to zoom.`);
    canvas.style.width = "100%";
    canvas.style.height = size(p.height) || "320px";
    canvas.style.display = "block";
    canvas.style.touchAction = "none";
    canvas.dataset.state = "loading";
    const note = box.appendChild(document.createElement("p"));
    note.className = "porch-model3d-note";
    note.setAttribute("role", "status");
    note.textContent = `Loading ${name}…`;
    // A .gltf may keep its buffers in files beside it: fetched from the same folder, as
    // long as that is a web URL (a local preview has no folder).
    const fetchNear = async (uri) => {
      const near = safeUrl(new URL(uri, src).href);
      if (!near || near.startsWith("blob:")) throw new Error(`The model's buffer ${uri} is in another file, which was not given.`);
      const reply = await fetch(near, { credentials: "same-origin" });
      if (!reply.ok) throw new Error(`The model's buffer ${uri} could not be fetched (${reply.status}).`);
      return reply.arrayBuffer();
    };
    (async () => {
      try {
        // The page's policy lets scripts fetch only from the app (connect-src 'self'), so a
        // file just uploaded is read back from its cache entry, not from its blob: preview.
        const from = src.startsWith("blob:")
          ? new URL(`./gradio_api/file=${String(data.path).split("/").map(encodeURIComponent).join("/")}`, document.baseURI)
          : src;
        const reply = await fetch(from, { credentials: "same-origin" });
        if (!reply.ok) throw new Error(`The model could not be fetched (${reply.status}).`);
        const model = await parseModel(name, await reply.arrayBuffer(), fetchNear);
        if (mine !== generation) return;
        viewer = createViewer(canvas, model, p);
        note.textContent = "";
        note.hidden = true;
        canvas.dataset.state = "ready";
        canvas.dataset.kind = model.kind;
        canvas.dataset.vertices = String(model.positions.length / 3);
      } catch (e) {
        if (mine !== generation) return;
        canvas.dataset.state = "error";
        note.hidden = false;
        note.textContent = `Cannot show ${name}: ${e.message ?? e}`;
      }
    })();
    return box;
  }

  const api = singleMedia(el, props, emit, {
    kind: "model3d",
    noun: "a 3D model",
    accept: MODEL_SUFFIXES.join(","),
    makePreview,
  });
  const destroy = api.destroy;
  return {
    ...api,
    destroy() {
      generation += 1;
      retire();
      destroy?.();
    },
  };
}
