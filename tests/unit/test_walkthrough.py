"""Walkthrough and Step: Gradio's signatures, the config they produce, and where a Step goes."""

from __future__ import annotations

import inspect

import pytest

import porch as gr
from porch.errors import ConfigError


@pytest.mark.parametrize("name", ["Walkthrough", "Step"])
def test_signature_is_gradios(name: str) -> None:
    gradio = pytest.importorskip("gradio")
    theirs = inspect.signature(getattr(gradio, name)).parameters
    ours = inspect.signature(getattr(gr, name)).parameters
    assert list(ours) == list(theirs)
    for key, parameter in theirs.items():
        assert ours[key].default == parameter.default, key
        assert ours[key].kind == parameter.kind, key


def test_steps_sit_in_their_walkthrough() -> None:
    with gr.Blocks() as demo:
        with gr.Walkthrough(selected=1) as walk:
            with gr.Step("One", id=0) as one:
                gr.Textbox()
            with gr.Step("Two", id=1):
                pass
    assert walk.children[0] is one and len(walk.children) == 2
    assert walk.config()["type"] == "walkthrough"
    assert walk.config()["props"]["selected"] == 1
    assert one.config()["type"] == "walkthroughstep"
    assert (one.config()["props"]["label"], one.config()["props"]["id"]) == ("One", 0)
    assert demo is not None


def test_a_step_outside_a_walkthrough_is_a_config_error() -> None:
    with gr.Blocks(), pytest.raises(ConfigError, match="Walkthrough"):
        gr.Step("Alone")
