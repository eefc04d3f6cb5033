"""ParamViewer: Gradio's signature; parameters pass through as {name: {type, description,
default}}."""

from __future__ import annotations

import inspect

import pytest

import porch as gr
from porch.components.base import Conversion
from porch.errors import Error

PARAMS = {"x": {"type": "int", "description": "How *many*.", "default": "1"},
          "name": {"type": "str", "description": "Who."}}


def test_signature_is_gradios() -> None:
    gradio = pytest.importorskip("gradio")
    theirs = inspect.signature(gradio.ParamViewer).parameters
    ours = inspect.signature(gr.ParamViewer).parameters
    assert list(ours) == list(theirs)
    for name, parameter in theirs.items():
        assert ours[name].default == parameter.default, name
        assert ours[name].kind == parameter.kind, name


def test_values_pass_through_with_every_field() -> None:
    viewer = gr.ParamViewer(PARAMS, header="Args", anchor_links="fn", max_height=200)
    out = viewer.postprocess(PARAMS, Conversion())
    assert out is not None
    assert out["name"] == {"type": "str", "description": "Who.", "default": None}
    assert viewer.preprocess(out, Conversion()) == out
    props = viewer.config()["props"]
    assert (props["header"], props["anchor_links"], props["max_height"]) == ("Args", "fn", 200)
    assert gr.ParamViewer().config()["props"]["value"] == {}


def test_a_wrong_value_is_an_app_error() -> None:
    with pytest.raises(Error, match="parameter name"):
        gr.ParamViewer().postprocess(["x"], Conversion())
