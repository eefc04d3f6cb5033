// Images: image (twin of porch/components/media.py's Image). The preview's src is the
// FileData `url` the server gave (or a local preview of a file just uploaded); the webcam
// takes pictures (or streams frames) through capture.js.

import { singleMedia } from "./upload.js";
import { capturePanel } from "./capture.js";

const size = (v) => (v == null || v === "" ? "" : typeof v === "number" ? `${v}px` : String(v));

export function image(el, props, emit) {
  return singleMedia(el, props, emit, {
    kind: "image",
    noun: "an image",
    accept: "image/*",
    capture: (media) => capturePanel("image", media),
    makePreview(src, data, p) {
      const img = document.createElement("img");
      img.className = "porch-image";
      img.alt = p.label == null || p.label === "" ? "image" : String(p.label);
      img.src = src;
      img.style.maxHeight = size(p.height);
      img.style.width = size(p.width);
      // As in Gradio, selecting an image reports the pixel clicked, as [x, y].
      img.addEventListener("click", (e) => {
        const box = img.getBoundingClientRect();
        const scale = Math.min(box.width / (img.naturalWidth || 1), box.height / (img.naturalHeight || 1)) || 1;
        const x = Math.floor((e.clientX - box.left - (box.width - img.naturalWidth * scale) / 2) / scale);
        const y = Math.floor((e.clientY - box.top - (box.height - img.naturalHeight * scale) / 2) / scale);
        emit("select", { index: [x, y], value: null, selected: true });
      });
      return img;
    },
  });
}
