"""Webcam and microphone in the browser: a snapshot, a recording saved as MP3, a live
microphone level meter fed by .stream(), a webcam stream with a time limit, and a streaming
audio output played chunk after chunk.

    pip install 'porch[media,audio]'      # numpy, Pillow, and soundfile for MP3
    python examples/media_capture.py
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

import porch as gr


def describe(picture: np.ndarray | None) -> str:
    if picture is None:
        return ""
    height, width, _ = picture.shape
    return f"{width}×{height} px, mean brightness {picture.mean():.0f}/255"


def as_mp3(recording: tuple[int, np.ndarray] | None) -> tuple[int, np.ndarray] | None:
    return recording  # Audio(format="mp3") below encodes what is returned


def level(chunk: tuple[int, np.ndarray], history: list[float]) -> tuple[str, list[float]]:
    rate, samples = chunk
    peak = float(np.abs(samples).max()) / 32768 if len(samples) else 0.0
    history = [*history[-19:], peak]
    bars = "".join(" ▁▂▃▄▅▆▇█"[min(int(p * 9), 8)] for p in history)
    return f"{bars}  {len(samples) / rate:.2f} s per chunk", history


def frames(frame: np.ndarray, count: int) -> tuple[str, int]:
    return f"frame {count + 1}: {frame.shape[1]}×{frame.shape[0]}", count + 1


def chime(notes: float) -> Iterator[tuple[int, np.ndarray]]:
    rate = 22050
    for k in range(int(notes)):
        t = np.arange(int(rate * 0.4)) / rate
        freq = 440 * 2 ** (k / 12)
        yield rate, (0.3 * np.sin(2 * np.pi * freq * t) * np.exp(-3 * t)).astype(np.float32)


with gr.Blocks(title="Media capture") as demo:
    gr.Markdown("# Media capture\nAllow the camera and microphone when the browser asks.")
    with gr.Tab("Snapshot"):
        camera = gr.Image(sources=["webcam"], label="webcam")
        about = gr.Textbox(label="picture")
        camera.change(describe, camera, about)
    with gr.Tab("Record"):
        mic = gr.Microphone(label="microphone")
        mp3 = gr.Audio(format="mp3", label="as MP3")
        mic.stop_recording(as_mp3, mic, mp3)
    with gr.Tab("Live microphone"):
        live_mic = gr.Audio(sources=["microphone"], streaming=True, label="microphone")
        meter = gr.Textbox(label="level")
        history = gr.State([])
        live_mic.stream(level, [live_mic, history], [meter, history], stream_every=0.25)
    with gr.Tab("Live webcam"):
        live_cam = gr.Image(sources=["webcam"], streaming=True, label="webcam")
        seen = gr.Textbox(label="frames (stops after 10 s)")
        count = gr.State(0)
        live_cam.stream(frames, [live_cam, count], [seen, count], stream_every=0.5,
                        time_limit=10)
    with gr.Tab("Streaming output"):
        notes = gr.Slider(1, 12, value=5, step=1, label="notes")
        play = gr.Button("Play")
        speaker = gr.Audio(streaming=True, autoplay=True, label="chime")
        play.click(chime, notes, speaker)

if __name__ == "__main__":
    demo.launch()
