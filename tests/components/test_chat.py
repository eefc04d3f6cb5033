"""Chatbot and MultimodalTextbox conversions, against a real file gate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porch import protocol
from porch.components.chat import Chatbot
from porch.components.messages import ChatMessage
from porch.components.multimodal import MultimodalTextbox
from porch.errors import FileNotAllowed, InvalidRequest
from tests.components.conftest import FILE_URL, Gate


def text_part(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def test_text_messages_round_trip(gate: Gate) -> None:
    bot = Chatbot(render=False)
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "**Yo**"}]
    wire = bot.postprocess(history, gate.conversion)
    assert wire == [
        {"role": "user", "metadata": None, "content": [text_part("Hi")], "options": None},
        {"role": "assistant", "metadata": None, "content": [text_part("**Yo**")],
         "options": None},
    ]
    assert bot.preprocess(wire, gate.conversion) == history


def test_pairs_chat_messages_and_parts_are_accepted(gate: Gate) -> None:
    bot = Chatbot(render=False)
    wire = bot.postprocess(
        [["hello", "hi there"], ChatMessage("thinking", metadata={"title": "Plan"}),
         {"role": "user", "content": [{"type": "text", "text": "a"}, "b"]}],
        gate.conversion)
    assert [m["role"] for m in wire] == ["user", "assistant", "assistant", "user"]
    assert wire[2]["metadata"] == {"title": "Plan"}
    assert wire[3]["content"] == [text_part("a"), text_part("b")]


def test_returned_file_is_adopted_through_the_gate(gate: Gate) -> None:
    picture = gate.work / "cat.png"
    picture.write_bytes(b"\x89PNG fake")
    bot = Chatbot(render=False)
    wire = bot.postprocess([{"role": "assistant", "content": {"path": str(picture)}},
                            {"role": "assistant", "content": (str(picture), "a cat")}],
                           gate.conversion)
    first = wire[0]["content"][0]
    assert first["type"] == "file" and protocol.is_file_data(first["file"])
    assert gate.is_issued(first["file"]["path"])
    assert first["file"]["url"].startswith(FILE_URL)
    assert wire[1]["content"][0]["alt_text"] == "a cat"


def test_returned_file_outside_the_grants_is_refused(gate: Gate) -> None:
    secret = gate.outside / "secret.txt"
    secret.write_text("no")
    with pytest.raises(FileNotAllowed):
        Chatbot(render=False).postprocess([{"role": "assistant", "content": (str(secret),)}],
                                          gate.conversion)


def test_history_from_a_client_accepts_only_issued_files(gate: Gate) -> None:
    upload = gate.upload(b"data", "notes.txt")
    bot = Chatbot(render=False)
    wire = [{"role": "user", "content": [text_part("see"), {"type": "file", "file": upload}]}]
    history = bot.preprocess(wire, gate.conversion)
    assert history[0] == {"role": "user", "content": "see"}
    assert history[1]["content"]["path"] == upload["path"]
    assert history[1]["content"]["orig_name"] == "notes.txt"
    forged = {"path": str(gate.outside / "x"), "meta": {"_type": protocol.FILE_DATA_TYPE}}
    with pytest.raises(FileNotAllowed):
        bot.preprocess([{"role": "user", "content": [{"type": "file", "file": forged}]}],
                       gate.conversion)


@pytest.mark.parametrize("payload", [
    "not a list", [{"content": []}], [{"role": "robot", "content": []}],
    [{"role": "user", "content": [{"type": "html", "html": "<b>"}]}],
    [{"role": "user", "content": 3}],
])
def test_malformed_history_is_a_clear_422(gate: Gate, payload: Any) -> None:
    with pytest.raises(InvalidRequest) as caught:
        Chatbot(render=False).preprocess(payload, gate.conversion)
    assert caught.value.status_code == 422


def test_tuples_type_gives_pairs(gate: Gate) -> None:
    bot = Chatbot(type="tuples", render=False)
    wire = bot.postprocess([["a", "b"], ["c", None]], gate.conversion)
    assert bot.preprocess(wire, gate.conversion) == [["a", "b"], ["c", None]]


def test_listeners_tell_the_page_which_controls_to_draw() -> None:
    import porch

    with porch.Blocks():
        bot = Chatbot()
        assert bot.props()["likeable"] is False
        bot.like(lambda: None)
        bot.retry(lambda: None)
    props = bot.props()
    assert props["likeable"] and props["_retryable"] and not props["_undoable"]


def test_unknown_option_is_refused_and_gradio_ones_accepted() -> None:
    from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests

    reset_for_tests()
    Chatbot(render=False, bubble_full_width=None, container=True)  # Gradio's defaults: silent
    with pytest.warns(UnhonouredOptionWarning, match="Chatbot: `bubble_full_width=`"):
        Chatbot(render=False, bubble_full_width=False)
    with pytest.raises(TypeError, match="bogus"):
        Chatbot(render=False, bogus=1)


def test_multimodal_value_round_trip(gate: Gate) -> None:
    box = MultimodalTextbox(render=False)
    upload = gate.upload(b"img", "a.png")
    value = box.preprocess({"text": "look", "files": [upload]}, gate.conversion)
    assert value == {"text": "look", "files": [upload["path"]]}
    wire = box.postprocess(value, gate.conversion)
    assert wire is not None and wire["text"] == "look"
    assert str(gate.stored(wire["files"][0]["path"])) == upload["path"]
    assert box.postprocess("plain", gate.conversion) == {"text": "plain", "files": []}
    assert box.preprocess("plain", gate.conversion) == {"text": "plain", "files": []}


def test_multimodal_refuses_files_it_did_not_issue(gate: Gate) -> None:
    forged = {"path": "/etc/passwd", "meta": {"_type": protocol.FILE_DATA_TYPE}}
    with pytest.raises(FileNotAllowed):
        MultimodalTextbox(render=False).preprocess({"text": "", "files": [forged]},
                                                   gate.conversion)
    with pytest.raises(InvalidRequest):
        MultimodalTextbox(render=False).preprocess({"text": "", "files": "x"},
                                                   gate.conversion)


_PATHS = st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(["/etc/passwd", "../../etc/passwd", "./secret", "~/.ssh/id_rsa",
                     "file:///etc/passwd", "/proc/self/environ"]),
)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=_PATHS, twist=st.sampled_from(["", "/..", "/../x", "x", "/"]),
       use_upload=st.booleans())
def test_no_client_path_reaches_a_function_unless_issued(gate: Gate, path: str, twist: str,
                                                           use_upload: bool) -> None:
    """Whatever path a client writes in a chat message, the function sees it only if this
    app issued it (uploads), and never a file outside the cache."""
    if use_upload:
        path = gate.upload(b"x", "up.txt")["path"] + twist
    forged = {"path": path, "meta": {"_type": protocol.FILE_DATA_TYPE}}
    wire = [{"role": "user", "content": [{"type": "file", "file": forged}]}]
    try:
        history = Chatbot(render=False).preprocess(wire, gate.conversion)
    except (FileNotAllowed, InvalidRequest):
        return
    seen = Path(history[0]["content"]["path"])
    assert gate.is_issued(str(seen))
