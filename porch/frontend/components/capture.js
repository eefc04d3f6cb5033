// Capturing from the browser's devices, for image, audio and video (twins of Python's
// `sources=["webcam" | "microphone"]`): a camera panel that takes snapshots or records,
// a microphone recorder that yields WAV, and the loop that sends chunks to a .stream()
// event every `stream_every` seconds. Streaming outputs play here too: each chunk the
// server sends is queued and played after the one before.

/** 16-bit PCM mono WAV of Float32 sample blocks. */
export function wavBlob(blocks, rate) {
  const n = blocks.reduce((total, b) => total + b.length, 0);
  const view = new DataView(new ArrayBuffer(44 + n * 2));
  const text = (at, s) => [...s].forEach((c, k) => view.setUint8(at + k, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + n * 2, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, n * 2, true);
  let at = 44;
  for (const block of blocks) {
    for (const x of block) {
      view.setInt16(at, Math.max(-1, Math.min(1, x)) * 0x7fff, true);
      at += 2;
    }
  }
  return new Blob([view.buffer], { type: "audio/wav" });
}

const problem = (e, what) => (e?.name === "NotAllowedError"
  ? `The browser was not allowed to use the ${what}.`
  : `The ${what} could not be opened (${e?.message ?? e}).`);

/** The microphone, as PCM blocks: start(), take() the blocks so far, stop(). */
export class Microphone {
  constructor(sampleRate = null) {
    this.sampleRate = sampleRate;
    this.blocks = [];
  }

  async start() {
    try {
      this.media = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      throw new Error(problem(e, "microphone"));
    }
    try {
      this.context = new AudioContext(this.sampleRate ? { sampleRate: this.sampleRate } : {});
    } catch {
      this.context = new AudioContext(); // that rate is not offered here: the device's own
    }
    await this.context.audioWorklet.addModule(new URL("./pcm_worklet.js", import.meta.url));
    const source = this.context.createMediaStreamSource(this.media);
    this.tap = new AudioWorkletNode(this.context, "porch-pcm-tap");
    this.tap.port.onmessage = (e) => this.blocks.push(e.data);
    source.connect(this.tap);
  }

  get rate() { return this.context?.sampleRate ?? 44100; }

  /** The samples since the last take, as a WAV file (null when there are none). */
  take(name = "audio.wav") {
    const blocks = this.blocks;
    this.blocks = [];
    if (!blocks.length) return null;
    return new File([wavBlob(blocks, this.rate)], name, { type: "audio/wav" });
  }

  async stop() {
    this.media?.getTracks().forEach((t) => t.stop());
    await this.context?.close().catch(() => {});
  }
}

/** The camera, shown live in a <video>; `constraints` are WebcamOptions.constraints. */
export class Camera {
  constructor({ mirror = true, constraints = null, audio = false } = {}) {
    this.mirror = mirror;
    this.constraints = constraints;
    this.audio = audio;
    this.video = document.createElement("video");
    this.video.className = "porch-webcam";
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.autoplay = true;
    if (mirror) this.video.style.transform = "scaleX(-1)";
  }

  async open() {
    try {
      this.media = await navigator.mediaDevices.getUserMedia({ video: this.constraints ?? true, audio: this.audio });
    } catch (e) {
      throw new Error(problem(e, "camera"));
    }
    this.video.srcObject = this.media;
    await this.video.play().catch(() => {});
    if (!this.video.videoWidth) await new Promise((ok) => this.video.addEventListener("loadeddata", ok, { once: true }));
  }

  /** The current frame as a PNG file (mirrored like the preview, as Gradio does). */
  async snapshot(name = "webcam.png") {
    const canvas = document.createElement("canvas");
    canvas.width = this.video.videoWidth;
    canvas.height = this.video.videoHeight;
    const g = canvas.getContext("2d");
    if (this.mirror) {
      g.translate(canvas.width, 0);
      g.scale(-1, 1);
    }
    g.drawImage(this.video, 0, 0);
    const blob = await new Promise((ok) => canvas.toBlob(ok, "image/png"));
    return new File([blob], name, { type: "image/png" });
  }

  /** Record until the returned stop() is called; it resolves to a WebM file. */
  record() {
    const recorder = new MediaRecorder(this.media);
    const parts = [];
    recorder.ondataavailable = (e) => { if (e.data.size) parts.push(e.data); };
    recorder.start();
    return () => new Promise((ok) => {
      recorder.onstop = () => ok(new File(parts, "webcam.webm", { type: recorder.mimeType || "video/webm" }));
      recorder.stop();
    });
  }

  close() {
    this.media?.getTracks().forEach((t) => t.stop());
    this.video.srcObject = null;
  }
}

function button(text, cls) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `porch-capture-button ${cls}`;
  b.textContent = text;
  return b;
}

/**
 * The capture panel of one media component. `kind` is image, audio or video; `media` is the
 * singleMedia context ({ props(), record(file, events), stream(file), emit }).
 * Streaming (props.streaming with a .stream() listener) sends a chunk every stream_every s.
 */
export function capturePanel(kind, media) {
  const root = document.createElement("div");
  root.className = `porch-capture porch-capture-${kind}`;
  const live = root.appendChild(document.createElement("div"));
  live.className = "porch-capture-live";
  const controls = root.appendChild(document.createElement("div"));
  controls.className = "porch-capture-controls";
  const note = root.appendChild(document.createElement("p"));
  note.className = "porch-upload-error";
  note.setAttribute("role", "alert");
  note.hidden = true;
  const props = () => media.props();
  // Video's `streaming` is about its output (it has no .stream() event): it records.
  const streaming = () => kind !== "video" && Boolean(props().streaming);
  const noun = kind === "audio" ? "microphone" : "webcam";
  const start = controls.appendChild(button(
    streaming() ? `Start streaming (${noun})` : kind === "image" ? "Open webcam" : `Record (${noun})`, "porch-capture-start"));
  const take = controls.appendChild(button("Take a picture", "porch-capture-snap"));
  const stop = controls.appendChild(button("Stop", "porch-capture-stop"));
  take.hidden = stop.hidden = true;
  let device = null;
  let stopRecording = null;
  let timer = null;
  let busy = false;

  const fail = (e) => {
    note.hidden = false;
    note.textContent = e.message ?? String(e);
    end(false);
  };

  async function chunk() {
    if (busy || !device) return; // the last chunk is still on its way: skip, keep it live
    busy = true;
    try {
      const file = kind === "audio" ? device.take("chunk.wav") : await device.snapshot("frame.png");
      if (file) await media.stream(file);
    } catch (e) {
      console.warn("porch: a stream chunk was not sent", e);
    } finally {
      busy = false;
    }
  }

  async function begin() {
    note.hidden = true;
    const p = props();
    device = kind === "audio" ? new Microphone(p.waveform_options?.sample_rate)
      : new Camera({ mirror: p.webcam_options?.mirror !== false, constraints: p.webcam_options?.constraints,
        audio: kind === "video" && Boolean(p.include_audio) });
    try {
      if (kind === "audio") await device.start();
      else {
        live.replaceChildren(device.video);
        await device.open();
      }
    } catch (e) {
      fail(e);
      return;
    }
    start.hidden = true;
    stop.hidden = false;
    root.classList.add("porch-capturing");
    if (streaming()) {
      const every = Math.max(Number(p.stream_every) || 0.5, 0.05) * 1000;
      timer = setInterval(chunk, every);
      media.emit("start_recording");
    } else if (kind === "image") {
      take.hidden = false;
    } else {
      if (kind === "video") stopRecording = device.record();
      media.emit("start_recording");
    }
  }

  /** Stop the device; `keep`: hand over what was recorded. */
  async function end(keep = true) {
    if (timer) clearInterval(timer);
    timer = null;
    const was = device;
    device = null;
    start.hidden = false;
    take.hidden = stop.hidden = true;
    root.classList.remove("porch-capturing");
    if (!was) return;
    if (streaming()) {
      if (kind === "audio") await was.stop();
      else was.close();
      live.replaceChildren();
      media.emit("stop_recording");
      media.emit("stream_end");
      return;
    }
    let file = null;
    if (kind === "audio") {
      file = was.take("recording.wav");
      await was.stop();
    } else if (kind === "video" && stopRecording) {
      file = await stopRecording();
      stopRecording = null;
      was.close();
    } else {
      was.close();
    }
    live.replaceChildren();
    // stop_recording fires once the recording is the value, so its listeners read it.
    const events = kind === "image" ? ["change", "input"] : ["stop_recording", "change", "input"];
    if (keep && file) media.record(file, events);
    else if (kind !== "image") media.emit("stop_recording");
  }

  start.addEventListener("click", begin);
  stop.addEventListener("click", () => end(true));
  take.addEventListener("click", async () => {
    const file = await device.snapshot();
    end(false);
    media.record(file, ["change", "input"]);
  });
  if (props().recording && kind === "audio") queueMicrotask(begin);

  return {
    root,
    /** Shown while there is no value (and always while capturing). */
    show(on) { root.hidden = !(on || device); },
    /** The server ended the stream (time_limit): stop sending. */
    streamEnded() { if (device && streaming()) end(true); },
    destroy() { end(false); },
  };
}

/**
 * A player for a streaming output: every new value is a chunk, played after the previous
 * one ends. `played` counts the chunks played through (data-porch-played, for tests).
 */
export function chunkPlayer(kind, emit) {
  const player = document.createElement(kind);
  player.className = `porch-${kind} porch-stream-player`;
  player.controls = true;
  player.playsInline = true;
  player.dataset.porchPlayed = "0";
  const queue = [];
  const seen = new Set();
  let played = 0;
  let holding = false; // a chunk is loaded: playing, or waiting for the user's play
  const next = () => {
    const src = queue.shift();
    holding = Boolean(src);
    if (!src) return false;
    player.src = src;
    player.play().catch(() => {}); // autoplay refused: the controls still play it
    return true;
  };
  player.addEventListener("ended", () => {
    played += 1;
    player.dataset.porchPlayed = String(played);
    if (!next()) emit("stop");
  });
  player.addEventListener("play", () => emit("play"));
  player.addEventListener("pause", () => { if (!player.ended) emit("pause"); });
  return {
    player,
    /** Queue the chunk at `src` (each chunk once: the final value repeats the last). */
    push(src) {
      if (!src || seen.has(src)) return;
      seen.add(src);
      queue.push(src);
      if (!holding) next();
    },
    reset() {
      queue.length = 0;
      seen.clear();
      played = 0;
      holding = false;
      player.removeAttribute("src");
      player.dataset.porchPlayed = "0";
    },
  };
}
