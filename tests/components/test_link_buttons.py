"""DuplicateButton: Gradio's signature, drawn as a huggingface-styled link button."""

from __future__ import annotations

import inspect

import pytest

import porch as gr
from porch.errors import ConfigError


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


def test_every_without_a_function_value_is_a_clear_error() -> None:
    # every= is honoured for a value given as a function (tests/browser/test_callable_values);
    # on a fixed label it would do nothing, so it says so rather than being ignored.
    with gr.Blocks(), pytest.raises(ConfigError, match="every= and inputs= apply"):
        gr.DuplicateButton(every=2.0)
