"""DuplicateButton: Gradio's signature, drawn as a huggingface-styled link button."""

from __future__ import annotations

import inspect

import pytest

import porch as gr
from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests


def test_signature_is_gradios() -> None:
    gradio = pytest.importorskip("gradio")
    theirs = inspect.signature(gradio.DuplicateButton).parameters
    ours = inspect.signature(gr.DuplicateButton).parameters
    assert list(ours) == list(theirs)
    for name, parameter in theirs.items():
        assert ours[name].default == parameter.default, name
        assert ours[name].kind == parameter.kind, name


def test_props_are_a_small_huggingface_link_button() -> None:
    config = gr.DuplicateButton(link="https://example.org/src").config()
    assert config["type"] == "button"
    props = config["props"]
    assert (props["value"], props["variant"], props["size"], props["scale"], props["link"]) == (
        "Duplicate Space", "huggingface", "sm", 0, "https://example.org/src")


def test_every_warns_once() -> None:
    reset_for_tests()
    with pytest.warns(UnhonouredOptionWarning, match="every"):
        gr.DuplicateButton(every=2.0)
