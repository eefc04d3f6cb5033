"""gradio_client against porch's audio: chunks of a streaming Audio output arrive in the
order they were yielded, and Audio(format=...) files in mp3, ogg and flac decode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

import porch as gr

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client, handle_file  # noqa: E402

pytestmark = pytest.mark.compat

RATE = 16000


def tone(freq: float, seconds: float) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def media_app() -> gr.Blocks:
    with gr.Blocks() as demo:
        count = gr.Number(value=3)
        speaker = gr.Audio(streaming=True, autoplay=True)

        def speak(n: float) -> Any:
            # Chunk k lasts (k + 1) tenths of a second, so its length tells its place.
            for k in range(int(n)):
                yield RATE, tone(440, (k + 1) / 10)

        count.submit(speak, count, speaker, api_name="speak")
        mic = gr.Audio(sources=["microphone"], streaming=True)
        heard = gr.Textbox()
        mic.stream(lambda a: f"{a[0]} Hz, {len(a[1])} samples", mic, heard, api_name="listen")
        for fmt in ("mp3", "ogg", "flac"):
            out = gr.Audio(format=fmt)
            count.change(lambda n: (RATE, tone(220, n / 10)), count, out, api_name=fmt)
    return demo


def test_streaming_audio_chunks_arrive_in_order(serve: Any) -> None:
    client = Client(serve(media_app()), verbose=False)
    job = client.submit(4, api_name="/speak")
    final = job.result(timeout=30)
    chunks = job.outputs()
    # One output per yield, then the final value (the last chunk again).
    assert len(chunks) >= 4
    lengths = [soundfile.info(path).frames for path in chunks[:4]]
    assert lengths == [RATE * (k + 1) // 10 for k in range(4)]
    assert len({Path(p).resolve() for p in chunks[:4]}) == 4  # four distinct files
    assert soundfile.info(final).frames == lengths[-1]


@pytest.mark.parametrize(("fmt", "container"), [("mp3", "MP3"), ("ogg", "OGG"),
                                                 ("flac", "FLAC")])
def test_encoded_audio_decodes(serve: Any, fmt: str, container: str) -> None:
    client = Client(serve(media_app()), verbose=False)
    path = client.predict(5, api_name=f"/{fmt}")
    assert Path(path).suffix == f".{fmt}"
    info = soundfile.info(path)
    assert info.format == container and info.samplerate == RATE and info.channels == 1
    samples, _ = soundfile.read(path)
    # Lossy codecs pad a little; the tone is there, at about its level.
    assert abs(len(samples) - RATE // 2) < RATE // 10
    assert 0.3 < np.abs(samples).max() < 0.7


def test_a_stream_event_called_by_gradio_client_runs_once(serve: Any, tmp_path: Path) -> None:
    wav = tmp_path / "chunk.wav"
    soundfile.write(wav, tone(440, 0.25), RATE, subtype="PCM_16")
    client = Client(serve(media_app()), verbose=False)
    assert client.predict(handle_file(str(wav)), api_name="/listen") == "16000 Hz, 4000 samples"
