// Audio: audio (twin of porch/components/audio.py's Audio), played by the browser's own
// <audio controls> from the FileData `url` the server gave; the microphone records through
// capture.js, and a streaming output plays its chunks in order.

import { singleMedia } from "./upload.js";
import { capturePanel, chunkPlayer } from "./capture.js";

export function audio(el, props, emit) {
  return singleMedia(el, props, emit, {
    kind: "audio",
    noun: "an audio file",
    accept: "audio/*",
    capture: (media) => capturePanel("audio", media),
    player: () => chunkPlayer("audio", emit),
    makePreview(src, data, p) {
      const player = document.createElement("audio");
      player.className = "porch-audio";
      player.controls = true;
      player.preload = "metadata";
      player.loop = Boolean(p.loop);
      player.autoplay = Boolean(p.autoplay);
      player.setAttribute("aria-label", p.label == null || p.label === "" ? "audio" : String(p.label));
      player.src = src;
      player.addEventListener("play", () => emit("play"));
      player.addEventListener("pause", () => { if (!player.ended) emit("pause"); });
      player.addEventListener("ended", () => emit("stop"));
      return player;
    },
  });
}
