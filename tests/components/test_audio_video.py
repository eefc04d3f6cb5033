"""Audio (WAV through the stdlib `wave` module) and Video, through a real gate."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

import porch as gr
from porch.errors import ConfigError, FileNotAllowed
from tests.components.conftest import FILE_URL, Gate


def wav_bytes(frames: bytes, *, rate: int = 8000, channels: int = 1, width: int = 2) -> bytes:
    with io.BytesIO() as out:
        with wave.open(out, "wb") as wav:
            wav.setnchannels(channels)
            wav.setsampwidth(width)
            wav.setframerate(rate)
            wav.writeframes(frames)
        return out.getvalue()


def read_wav(path: str) -> tuple[int, int, int, np.ndarray]:
    with wave.open(path, "rb") as wav:
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return wav.getframerate(), wav.getnchannels(), wav.getsampwidth(), frames


def test_numpy_audio_round_trips_through_a_wav_file(gate: Gate) -> None:
    stereo = np.array([[0, 1], [-32768, 32767], [100, -100]], dtype=np.int16)
    audio = gr.Audio()
    data = audio.postprocess((22050, stereo), gate.conversion)
    assert data["orig_name"] == "audio.wav" and data["mime_type"] == "audio/wav"
    assert gate.is_issued(data["path"]) and data["url"].startswith(FILE_URL)
    rate, samples = audio.preprocess(data, gate.conversion)
    assert rate == 22050 and samples.dtype == np.int16
    assert np.array_equal(samples, stereo)


def test_float_samples_are_scaled_from_minus_one_to_one_and_clipped(gate: Gate) -> None:
    mono = np.array([0.0, 0.5, -1.0, 1.0, 3.0, -3.0])
    data = gr.Audio().postprocess((8000, mono), gate.conversion)
    rate, channels, width, frames = read_wav(str(gate.stored(data["path"])))
    assert (rate, channels, width) == (8000, 1, 2)
    assert frames.tolist() == [0, 16384, -32767, 32767, 32767, -32767]


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (np.array([0, 128, 255], dtype=np.uint8), [-32768, 0, 32512]),
        (np.array([-1, 1], dtype=np.int8), [-256, 256]),
        (np.array([1 << 16, -(1 << 31)], dtype=np.int32), [1, -32768]),
        ([1, -2, 40000], [1, -2, 32767]),
    ],
)
def test_integer_samples_are_rescaled_to_16_bits(gate: Gate, samples: object,
                                                 expected: list[int]) -> None:
    data = gr.Audio().postprocess((8000, samples), gate.conversion)
    assert read_wav(str(gate.stored(data["path"])))[3].tolist() == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((8000, np.zeros((2, 2, 2))), r"shape \(n,\) or \(n, channels\)"),
        ((8000, np.zeros((2, 100))), "array.T"),
        ((0, np.zeros(3)), "positive int"),
        ((8000, np.array([True])), "not booleans"),
    ],
)
def test_bad_sampled_audio_is_refused(gate: Gate, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gr.Audio().postprocess(value, gate.conversion)


@pytest.mark.parametrize(("width", "dtype"), [(1, np.uint8), (3, np.int32), (4, np.int32)])
def test_other_pcm_widths_decode(gate: Gate, width: int, dtype: type) -> None:
    frame = bytes(range(1, width + 1))
    payload = gate.upload(wav_bytes(frame * 4, channels=2, width=width), "in.wav")
    rate, samples = gr.Audio().preprocess(payload, gate.conversion)
    assert rate == 8000 and samples.dtype == dtype and samples.shape == (2, 2)
    if width == 3:
        # 24-bit samples keep their scale: the three bytes land in the top of an int32.
        assert samples[0, 0] == int.from_bytes(b"\x00" + frame, "little", signed=True)


def test_filepath_audio_gets_the_issued_path(gate: Gate) -> None:
    payload = gate.upload(b"ID3 not really an mp3", "song.mp3")
    assert gr.Audio(type="filepath").preprocess(payload, gate.conversion) == payload["path"]


def test_numpy_audio_from_a_broken_file_says_so(gate: Gate) -> None:
    payload = gate.upload(b"ID3 not really an mp3", "song.mp3")
    with pytest.raises(gr.Error, match=r"song.mp3 could not be decoded as MP3"):
        gr.Audio().preprocess(payload, gate.conversion)
    payload = gate.upload(b"not a wav at all", "noise.wav")
    with pytest.raises(gr.Error, match=r"type='filepath'"):
        gr.Audio().preprocess(payload, gate.conversion)


def test_audio_refuses_paths_it_did_not_issue(gate: Gate) -> None:
    planted = gate.allowed / "x.wav"
    planted.write_bytes(wav_bytes(b"\x00\x00"))
    with pytest.raises(FileNotAllowed, match="not uploaded"):
        gr.Audio().preprocess({"path": str(planted), "meta": {"_type": "gradio.FileData"}},
                              gate.conversion)


def test_audio_returns_files_through_the_gate(gate: Gate) -> None:
    made = gate.root / "tmp" / "made.wav"  # the temp directory is granted for outputs
    made.write_bytes(wav_bytes(b"\x01\x00"))
    data = gr.Audio().postprocess(str(made), gate.conversion)
    assert gate.is_issued(data["path"]) and data["orig_name"] == "made.wav"
    elsewhere = gate.outside / "made.wav"
    elsewhere.write_bytes(wav_bytes(b"\x01\x00"))
    with pytest.raises(FileNotAllowed, match="allowed_paths"):
        gr.Audio().postprocess(str(elsewhere), gate.conversion)


def test_audio_options_and_config() -> None:
    with pytest.raises(ConfigError, match="'wav', 'mp3', 'ogg', 'flac'"):
        gr.Audio(format="aiff")
    with pytest.raises(ConfigError, match="'numpy', 'filepath'"):
        gr.Audio(type="pil")
    audio = gr.Audio(label="voice", autoplay=True, loop=True, format="wav")
    entry = audio.config()
    assert entry["type"] == "audio" and entry["api_info"]["title"] == "FileData"
    assert entry["props"]["autoplay"] is True and entry["props"]["format"] == "wav"
    assert entry["example_inputs"]["orig_name"] == "audio_sample.wav"
    assert isinstance(gr.Interface(lambda a: a, "audio", "audio").input_components[0], gr.Audio)


def test_video_passes_paths_through_the_gate(gate: Gate) -> None:
    payload = gate.upload(b"\x00\x00\x00\x18ftypmp42", "clip.mp4")
    video = gr.Video()
    assert video.preprocess(payload, gate.conversion) == payload["path"]
    assert video.preprocess(None, gate.conversion) is None
    clip = gate.allowed / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    data = video.postprocess(str(clip), gate.conversion)
    assert gate.is_issued(data["path"]) and data["mime_type"] == "video/mp4"
    # Gradio's (video, subtitles) pair: the video is kept.
    assert video.postprocess((str(clip), None), gate.conversion)["orig_name"] == "clip.mp4"
    with pytest.raises(FileNotAllowed, match="not uploaded"):
        video.preprocess({"path": str(clip), "meta": {"_type": "gradio.FileData"}},
                         gate.conversion)


def test_video_config_and_shortcut() -> None:
    entry = gr.Video(height=240, autoplay=True).config()
    assert entry["type"] == "video" and entry["props"]["height"] == 240
    assert entry["api_info"]["title"] == "FileData"
    demo = gr.Interface(lambda v: v, "video", "video")
    assert isinstance(demo.output_components[0], gr.Video)
