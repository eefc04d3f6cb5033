"""An event's `validator=`: checked when the event joins, 422 per input in Gradio's shape,
gradio_client's ValidationError, the function never run; and porch.validators."""

from __future__ import annotations

import struct
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

import porch as gr
from porch.errors import Error
from tests.conftest import launched

RAN: list[Any] = []


def check_age(name: str, age: float) -> list[dict[str, Any]]:
    return [gr.validate(bool(name.strip()), "Give a name"),
            gr.validate(0 <= age <= 150, "An age is between 0 and 150")]


def greet(name: str, age: float) -> str:
    RAN.append(name)
    return f"{name} is {int(age)}"


def broken_validator(name: str, age: float) -> Any:
    raise ValueError("the validator itself broke")


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with gr.Blocks() as demo:
        name, age, out = gr.Textbox(label="name"), gr.Number(label="age"), gr.Textbox()
        gr.Button("go").click(greet, [name, age], out, api_name="greet", validator=check_age)
        gr.Button("bad").click(greet, [name, age], out, api_name="bad",
                               validator=broken_validator)
    with launched(demo) as address:
        yield address


def join(url: str, api: str, data: list[Any]) -> httpx.Response:
    deps = httpx.get(url + "/config").json()["dependencies"]
    fn_index = next(d["id"] for d in deps if d["api_name"] == api)
    return httpx.post(url + "/gradio_api/queue/join", json={
        "data": data, "fn_index": fn_index, "session_hash": uuid.uuid4().hex})


def test_invalid_inputs_answer_422_per_input_and_the_function_does_not_run(url: str) -> None:
    RAN.clear()
    answer = join(url, "greet", ["", 200])
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"__type__": "validate", "is_valid": False, "message": "Give a name",
         "parameter_name": "name"},
        {"__type__": "validate", "is_valid": False, "message": "An age is between 0 and 150",
         "parameter_name": "age"}]
    assert RAN == []
    assert join(url, "greet", ["Ada", 36]).status_code == 200


def test_gradio_client_raises_its_validation_error(url: str) -> None:
    client = Client(url + "/", verbose=False)
    with pytest.raises(ValidationError, match="age: An age is between 0 and 150"):
        client.predict("Ada", 999, api_name="/greet")
    assert client.predict("Ada", 36, api_name="/greet") == "Ada is 36"
    # The plain-HTTP /call API is checked too.
    answer = httpx.post(url + "/gradio_api/call/greet", json={"data": ["", 1]})
    assert answer.status_code == 422


def test_a_validator_that_raises_refuses_the_event_clearly(url: str) -> None:
    answer = join(url, "bad", ["Ada", 3])
    assert answer.status_code == 400
    assert "the validator itself broke" in answer.text


@given(rate=st.integers(1, 48_000), samples=st.integers(0, 100_000),
       low=st.none() | st.floats(0, 5), high=st.none() | st.floats(0, 5))
def test_audio_length_verdicts(rate: int, samples: int, low: float | None,
                               high: float | None) -> None:
    verdict = gr.validators.is_audio_correct_length((rate, [0] * samples), low, high)
    seconds = samples / rate
    too_short = low is not None and seconds < low
    too_long = high is not None and seconds > high
    assert verdict["is_valid"] is (not too_short and not too_long)


def mp4(path: Path, timescale: int, duration: int) -> Path:
    mvhd = struct.pack(">B3xIIII", 0, 0, 0, timescale, duration) + b"\0" * 80
    moov = struct.pack(">I4s", 8 + 8 + len(mvhd), b"moov") + \
        struct.pack(">I4s", 8 + len(mvhd), b"mvhd") + mvhd
    path.write_bytes(struct.pack(">I4s", 16, b"ftyp") + b"isom\0\0\0\0" + moov)
    return path


def test_video_length_is_read_from_the_mp4_header(tmp_path: Path) -> None:
    video = mp4(tmp_path / "clip.mp4", 1000, 12_500)
    assert gr.validators.is_video_correct_length(str(video), 10, 20)["is_valid"] is True
    verdict = gr.validators.is_video_correct_length(str(video), None, 5)
    assert verdict == {"__type__": "validate", "is_valid": False,
                       "message": "Video is too long. It must be at most 5 seconds"}
    sound = tmp_path / "not-a-video.wav"
    with wave.open(str(sound), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 100)
    with pytest.raises(Error, match="only MP4 and MOV"):
        gr.validators.is_video_correct_length(str(sound), 1, 2)


def not_blank(message: str, *rest: Any) -> dict[str, Any]:
    return gr.validate(bool(str(message).strip()), "Say something")


@pytest.fixture(scope="module")
def wrapped_url() -> Iterator[str]:
    interface = gr.Interface(greet, [gr.Textbox(label="name"), gr.Number(label="age")],
                             "text", validator=check_age, api_name="greet")
    chat = gr.ChatInterface(lambda message, history: f"you said {message}",
                            validator=not_blank)
    with launched(gr.TabbedInterface([interface, chat], ["form", "chat"])) as address:
        yield address


def test_interface_and_chat_interface_validators_refuse_before_the_function(
        wrapped_url: str) -> None:
    RAN.clear()
    client = Client(wrapped_url + "/", verbose=False)
    with pytest.raises(ValidationError, match="Give a name"):
        client.predict("", 3, api_name="/greet")
    assert RAN == []
    assert client.predict("Ada", 36, api_name="/greet") == "Ada is 36"
    with pytest.raises(ValidationError, match="Say something"):
        client.predict("   ", api_name="/chat")
    assert client.predict("hi", api_name="/chat") == "you said hi"
