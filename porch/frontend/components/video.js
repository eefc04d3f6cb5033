// Video: video (twin of porch/components/media.py's Video), played by the browser's own
// <video controls> from the FileData `url` the server gave; the webcam records through
// capture.js, and a streaming output plays its chunks in order.

import { singleMedia } from "./upload.js";
import { capturePanel, chunkPlayer } from "./capture.js";

const size = (v) => (v == null || v === "" ? "" : typeof v === "number" ? `${v}px` : String(v));

export function video(el, props, emit) {
  return singleMedia(el, props, emit, {
    kind: "video",
    noun: "a video",
    accept: "video/*",
    capture: (media) => capturePanel("video", media),
    player: () => chunkPlayer("video", emit),
    makePreview(src, data, p) {
      const player = document.createElement("video");
      player.className = "porch-video";
      player.controls = true;
      player.preload = "metadata";
      player.playsInline = true;
      player.loop = Boolean(p.loop);
      // Browsers only autoplay muted video.
      player.autoplay = Boolean(p.autoplay);
      player.muted = Boolean(p.autoplay);
      player.setAttribute("aria-label", p.label == null || p.label === "" ? "video" : String(p.label));
      player.style.maxHeight = size(p.height);
      player.style.width = size(p.width);
      player.src = src;
      player.addEventListener("play", () => emit("play"));
      player.addEventListener("pause", () => { if (!player.ended) emit("pause"); });
      player.addEventListener("ended", () => {
        emit("end");
        emit("stop");
      });
      return player;
    },
  });
}
