"""Dialogue: Gradio's signature; lines in, a formatted string (or the list) to the function."""

from __future__ import annotations

import inspect

import pytest

import porch as gr
from porch.components.base import Conversion
from porch.errors import Error
from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests

LINES = [{"speaker": "Ann", "text": "Hi"}, {"speaker": "Bo", "text": "Hello"}]


def test_signature_is_gradios() -> None:
    gradio = pytest.importorskip("gradio")
    theirs = inspect.signature(gradio.Dialogue).parameters
    ours = inspect.signature(gr.Dialogue).parameters
    assert list(ours) == list(theirs)
    for name, parameter in theirs.items():
        assert ours[name].default == parameter.default, name
        assert ours[name].kind == parameter.kind, name


def test_text_type_formats_lines() -> None:
    c = Conversion()
    assert gr.Dialogue().preprocess(LINES, c) == "[Ann] Hi\n[Bo] Hello"
    assert gr.Dialogue(separator=" | ").preprocess(LINES, c) == "[Ann] Hi | [Bo] Hello"
    custom = gr.Dialogue(formatter=lambda s, t: f"{s}: {t}")
    assert custom.preprocess(LINES, c) == "Ann: Hi\nBo: Hello"
    assert gr.Dialogue().preprocess([{"speaker": "Ann", "text": ""}], c) == ""
    assert gr.Dialogue().preprocess("as is", c) == "as is"


def test_list_type_and_postprocess_keep_lines() -> None:
    c = Conversion()
    assert gr.Dialogue(type="list").preprocess(LINES, c) == LINES
    assert gr.Dialogue().postprocess(LINES, c) == LINES
    assert gr.Dialogue().postprocess("[Ann] Hi", c) == "[Ann] Hi"
    assert gr.Dialogue().postprocess(None, c) is None
    with pytest.raises(Error, match="speaker"):
        gr.Dialogue().postprocess([{"who": "x"}], c)


def test_schema_is_gradios() -> None:
    gradio = pytest.importorskip("gradio")
    assert gr.Dialogue().schema == gradio.Dialogue().api_info()


def test_the_tag_hint_shows_only_with_tags() -> None:
    assert gr.Dialogue().config()["props"]["info"] is None
    reset_for_tests()
    with pytest.warns(UnhonouredOptionWarning, match="tags"):
        tagged = gr.Dialogue(tags=["x"])
    assert tagged.config()["props"]["info"] == (
        "Type colon (:) in the dialogue line to see the available tags")
