"""Image, Audio and Video as Gradio 6.31 has them: the same keywords and defaults, the
capture sources and their options, the presets, and audio in wav, mp3, ogg and flac."""

from __future__ import annotations

import importlib.util
import inspect
import io
import warnings
from typing import Any

import numpy as np
import pytest
import soundfile

import porch as gr
from porch.components import sound
from porch.errors import ConfigError
from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests
from tests.components.conftest import Gate

gradio = pytest.importorskip("gradio", reason="install the test extras")

NAMES = ["Image", "Audio", "Video", "Microphone", "Mic", "PlayableVideo", "WebcamOptions",
         "WaveformOptions"]


@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_gradio(name: str) -> None:
    ours = inspect.signature(getattr(gr, name)).parameters.values()
    theirs = inspect.signature(getattr(gradio, name)).parameters.values()
    assert [(p.name, p.kind, p.default) for p in ours] == [
        (p.name, p.kind, p.default) for p in theirs]


@pytest.mark.parametrize(("component", "events"), [
    (gr.Image, ["clear", "change", "stream", "select", "upload", "input"]),
    (gr.Audio, ["stream", "change", "clear", "play", "pause", "stop", "start_recording",
                "pause_recording", "stop_recording", "upload", "input"]),
    (gr.Video, ["change", "clear", "start_recording", "stop_recording", "stop", "play",
                "pause", "end", "upload", "input"]),
])
def test_listeners_are_gradios(component: Any, events: list[str]) -> None:
    for event in events:
        assert getattr(component, event).event == event


def test_sources_default_as_gradio_and_streaming_narrows_them() -> None:
    assert gr.Image().sources == ["upload", "webcam", "clipboard"]
    assert gr.Image(streaming=True).sources == ["webcam"]
    assert gr.Image(sources="webcam").sources == ["webcam"]
    assert gr.Audio().sources == ["upload", "microphone"]
    assert gr.Audio(streaming=True).sources == ["microphone"]
    assert gr.Video().sources == ["upload", "webcam"]
    assert gr.Microphone().sources == gr.Mic().sources == ["microphone"]
    assert gr.PlayableVideo().sources == ["upload"]
    with pytest.raises(ConfigError, match="'upload', 'webcam', 'clipboard'"):
        gr.Image(sources=["microphone"])
    with pytest.raises(ConfigError, match="sources=\\['webcam'\\]"):
        gr.Image(sources=["upload", "webcam"], streaming=True)
    with pytest.raises(ConfigError, match="'microphone' in sources"):
        gr.Audio(sources=["upload"], streaming=True)


def test_options_reach_the_page() -> None:
    image = gr.Image(webcam_options=gr.WebcamOptions(mirror=False,
                                                     constraints={"video": {"width": 320}}))
    props = image.config()["props"]
    assert props["webcam_options"] == {"mirror": False, "constraints": {"video": {"width": 320}}}
    assert props["buttons"] == ["download", "share", "fullscreen"]
    assert props["show_download_button"] is True and props["streaming"] is False
    audio = gr.Audio(waveform_options={"sample_rate": 16000}, buttons=[], recording=True)
    props = audio.config()["props"]
    assert props["waveform_options"]["sample_rate"] == 16000
    assert props["show_download_button"] is False and props["recording"] is True
    video = gr.Video(sources=["webcam"])
    assert video.include_audio is False and gr.Video().include_audio is True
    assert gr.WaveformOptions() == gr.WaveformOptions(sample_rate=44100)


def test_what_porch_cannot_do_warns_naming_it() -> None:
    reset_for_tests()
    with pytest.warns(UnhonouredOptionWarning, match="Video: `watermark=`"):
        gr.Video(watermark="logo.png")
    with pytest.warns(UnhonouredOptionWarning, match="PlayableVideo: `format=`"):
        gr.PlayableVideo(format="webm")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gr.PlayableVideo()  # its own default format is no warning
        image = gr.Image(alt_text="a cat", placeholder="drop here")
    assert image.config()["props"]["placeholder"] == "drop here"
    reset_for_tests()


def test_stream_listener_makes_a_stream_event() -> None:
    with gr.Blocks() as demo:
        mic = gr.Audio(streaming=True)
        out = gr.Textbox()
        dep = mic.stream(lambda a: "x", mic, out, stream_every=0.1, time_limit=5)
        plain = mic.change(lambda a: "x", mic, out)
    assert dep.config()["connection"] == "stream" and dep.config()["stream_every"] == 0.1
    assert dep.time_limit == 5 and plain.config()["connection"] == "sse"
    assert demo.config()["dependencies"][0]["connection"] == "stream"


def tone(seconds: float = 0.25, rate: int = 8000) -> tuple[int, np.ndarray]:
    t = np.arange(int(rate * seconds)) / rate
    return rate, (0.5 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)


@pytest.mark.parametrize("fmt", ["wav", "mp3", "ogg", "flac"])
def test_arrays_are_stored_in_the_format_and_decode(gate: Gate, fmt: str) -> None:
    data = gr.Audio(format=fmt).postprocess(tone(), gate.conversion)
    assert data["orig_name"] == f"audio.{fmt}"
    stored = gate.stored(data["path"])
    samples, rate = soundfile.read(stored)
    assert rate == 8000 and abs(len(samples) - 2000) < 1200
    # And back in, as Gradio gives it: (rate, int16 samples).
    payload = gate.upload(stored.read_bytes(), f"in.{fmt}")
    rate, back = gr.Audio().preprocess(payload, gate.conversion)
    assert rate == 8000 and back.dtype == np.int16 and back.ndim == 1


def test_filepath_input_is_converted_to_the_format(gate: Gate) -> None:
    payload = gate.upload(sound.encode_audio(*tone(), "wav"), "take.wav")
    path = gr.Audio(type="filepath", format="flac").preprocess(payload, gate.conversion)
    assert path.endswith("take.flac") and soundfile.info(path).format == "FLAC"
    same = gr.Audio(type="filepath", format="wav").preprocess(payload, gate.conversion)
    assert same == payload["path"]


def test_returned_paths_and_bytes(gate: Gate) -> None:
    wav = gate.allowed / "out.wav"
    wav.write_bytes(sound.encode_audio(*tone(), "wav"))
    data = gr.Audio(format="ogg").postprocess(str(wav), gate.conversion)
    assert data["orig_name"] == "out.ogg" and gate.is_issued(data["path"])
    assert soundfile.info(gate.stored(data["path"])).format == "OGG"
    kept = gr.Audio().postprocess(str(wav), gate.conversion)
    assert kept["orig_name"] == "out.wav"
    # Bytes (what streaming generators yield) are named by what they hold.
    for fmt in ("mp3", "ogg", "flac", "wav"):
        data = gr.Audio(streaming=True).postprocess(sound.encode_audio(*tone(), fmt),
                                                    gate.conversion)
        assert data["orig_name"] == f"audio.{fmt}"


def test_sniff_and_a_missing_codec(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sound.sniff(b"\xff\xfb\x90\x00") == "mp3" and sound.sniff(b"ID3\x04") == "mp3"
    assert sound.sniff(b"junk") is None
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "soundfile" else real(name, *a))
    with pytest.raises(ConfigError, match=r"pip install 'porch\[audio\]'"):
        gr.Audio(format="mp3")
    gr.Audio(format="wav")  # WAV needs nothing


def test_stereo_encodes_with_its_channels() -> None:
    rate, mono = tone()
    data = sound.encode_audio(rate, np.stack([mono, -mono], axis=1), "flac")
    samples, _ = soundfile.read(io.BytesIO(data))
    assert samples.shape[1] == 2


def test_a_live_interface_streams_its_streaming_inputs() -> None:
    demo = gr.Interface(lambda frame: str(frame.shape), gr.Image(streaming=True), "text",
                        live=True, stream_every=0.2, time_limit=5)
    dep = demo.submit_dependency
    assert [event for _, event in dep.targets] == ["stream"]
    assert dep.connection == "stream" and dep.stream_every == 0.2 and dep.time_limit == 5
    plain = gr.Interface(lambda t: t, "text", "text", live=True).submit_dependency
    assert plain.connection == "sse" and plain.time_limit is None
