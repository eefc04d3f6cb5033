"""Choice components: Checkbox, CheckboxGroup, Radio, Dropdown — conversion, config, API."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import porch as gr
from porch.components.base import Conversion
from porch.errors import ConfigError, Error

NO_FILES = Conversion()
CHOICES = ["a", ("Bee", "b"), 3]


def test_checkbox_is_strictly_boolean() -> None:
    box = gr.Checkbox(label="agree")
    assert box.preprocess(True, NO_FILES) is True
    assert box.preprocess(None, NO_FILES) is False
    assert box.postprocess(1, NO_FILES) is True and box.postprocess(None, NO_FILES) is False
    with pytest.raises(Error, match="agree: expected true or false"):
        box.preprocess("yes", NO_FILES)
    assert box.config()["props"]["value"] is False
    assert box.api_parameter()["python_type"]["type"] == "bool"


def test_choices_are_label_value_pairs_in_the_config() -> None:
    radio = gr.Radio(CHOICES, value="b", label="pick")
    props = radio.config()["props"]
    assert props["choices"] == [["a", "a"], ["Bee", "b"], ["3", 3]]
    assert props["value"] == "b" and props["type"] == "value"


@pytest.mark.parametrize("bad", [[["a", "b", "c"]], [("only-label",)], "abc", 3])
def test_malformed_choices_are_a_config_error(bad: Any) -> None:
    with pytest.raises(ConfigError, match="choice"):
        gr.Radio(bad)


def test_radio_checks_values_against_its_choices() -> None:
    radio = gr.Radio(CHOICES, label="pick")
    assert radio.preprocess("b", NO_FILES) == "b"
    assert radio.preprocess(3, NO_FILES) == 3
    assert radio.preprocess(None, NO_FILES) is None
    with pytest.raises(Error, match=r"pick: 'Bee' is not one of the choices \['a', 'b', 3\]"):
        radio.preprocess("Bee", NO_FILES)  # a label is not a value
    assert gr.Radio(CHOICES, type="index").preprocess("b", NO_FILES) == 1
    # Outputs may show any value (an update may change the choices in the same step).
    assert radio.postprocess("zz", NO_FILES) == "zz"


def test_checkboxgroup_lists() -> None:
    group = gr.CheckboxGroup(CHOICES, label="many")
    assert group.config()["props"]["value"] == []
    assert group.preprocess(["a", 3], NO_FILES) == ["a", 3]
    assert group.preprocess(None, NO_FILES) == []
    assert gr.CheckboxGroup(CHOICES, type="index").preprocess(["b", 3], NO_FILES) == [1, 2]
    assert group.postprocess("a", NO_FILES) == ["a"]
    assert group.postprocess(("a", "b"), NO_FILES) == ["a", "b"]
    assert group.postprocess(None, NO_FILES) == []
    with pytest.raises(Error, match="not one of the choices"):
        group.preprocess(["a", "zz"], NO_FILES)
    with pytest.raises(Error, match="expected a list"):
        group.preprocess("a", NO_FILES)


def test_dropdown_defaults_to_its_first_choice() -> None:
    assert gr.Dropdown(CHOICES).config()["props"]["value"] == "a"
    assert gr.Dropdown(CHOICES, value=None).config()["props"]["value"] is None
    assert gr.Dropdown().config()["props"]["value"] is None
    assert gr.Dropdown(CHOICES, multiselect=True).config()["props"]["value"] == []


def test_dropdown_single_value() -> None:
    drop = gr.Dropdown(CHOICES, label="menu")
    assert drop.preprocess("b", NO_FILES) == "b"
    assert gr.Dropdown(CHOICES, type="index").preprocess(3, NO_FILES) == 2
    with pytest.raises(Error, match=r"menu: 'zz' is not one of the choices"):
        drop.preprocess("zz", NO_FILES)
    with pytest.raises(Error, match="choose one value"):
        drop.preprocess(["a"], NO_FILES)


def test_dropdown_custom_values() -> None:
    drop = gr.Dropdown(CHOICES, allow_custom_value=True)
    assert drop.preprocess("typed in", NO_FILES) == "typed in"
    assert drop.preprocess("b", NO_FILES) == "b"
    indexed = gr.Dropdown(CHOICES, allow_custom_value=True, type="index")
    assert indexed.preprocess("typed in", NO_FILES) is None
    assert indexed.preprocess("b", NO_FILES) == 1
    assert drop.api_parameter()["python_type"]["type"] == "str"


def test_dropdown_multiselect() -> None:
    drop = gr.Dropdown(CHOICES, multiselect=True, max_choices=2, label="tags")
    assert drop.preprocess(["a", "b"], NO_FILES) == ["a", "b"]
    assert drop.preprocess("a", NO_FILES) == ["a"]
    with pytest.raises(Error, match="tags: choose at most 2, got 3"):
        drop.preprocess(["a", "b", 3], NO_FILES)
    with pytest.raises(Error, match="not one of the choices"):
        drop.preprocess(["q"], NO_FILES)
    assert drop.postprocess("a", NO_FILES) == ["a"]
    assert gr.Dropdown(CHOICES, multiselect=True, type="index").preprocess(
        ["b", "a"], NO_FILES) == [1, 0]


def test_choice_api_info_matches_gradio() -> None:
    # The schemas and type names Gradio 6 gives for the same components.
    radio = gr.Radio(["a", "b"])
    assert radio.api_parameter()["type"] == {"enum": ["a", "b"], "title": "Radio",
                                            "type": "string"}
    assert radio.api_parameter()["python_type"]["type"] == "Literal['a', 'b']"
    group = gr.CheckboxGroup(["a", "b"])
    assert group.api_parameter()["python_type"]["type"] == "list[Literal['a', 'b']]"
    assert group.api_parameter()["type"]["items"] == {"enum": ["a", "b"], "type": "string"}
    assert gr.Dropdown(["a", "b"]).api_parameter()["type"] == {"type": "string",
                                                               "enum": ["a", "b"]}
    assert gr.Dropdown(["a", "b"], multiselect=True).api_parameter()["python_type"][
        "type"] == "list[Literal['a', 'b']]"
    assert gr.Radio(["a", ("Two", 2)]).api_parameter()["python_type"]["type"] == \
        "Literal['a', '2']"
    assert gr.Checkbox().config()["api_info"] == {"type": "boolean"}


def test_choice_type_must_be_value_or_index() -> None:
    with pytest.raises(ConfigError, match="'value' or 'index'"):
        gr.Radio(["a"], type="label")


def test_choice_events_are_listeners() -> None:
    with gr.Blocks() as demo:
        drop = gr.Dropdown(["a"])
        out = gr.Textbox()
        for event in ("change", "input", "select", "focus", "blur", "key_up"):
            getattr(drop, event)(lambda v: v, drop, out)
        gr.Radio(["a"]).select(None)
        gr.CheckboxGroup(["a"]).input(None)
        gr.Checkbox().select(None)
    assert [t for d in demo.dependencies for t in d.targets][:6] == [
        (drop.id, e) for e in ("change", "input", "select", "focus", "blur", "key_up")]


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3),
    max_leaves=8,
)


@given(VALUES)
def test_choice_inputs_are_a_choice_or_an_error(payload: Any) -> None:
    """Whatever a client sends, the function gets one of the choices or the event fails
    with a clear Error: a value the page could not have offered never gets through."""
    values = ["a", "b", 3]
    for component in (gr.Radio(values), gr.Dropdown(values), gr.CheckboxGroup(values),
                      gr.Dropdown(values, multiselect=True)):
        try:
            got = component.preprocess(payload, NO_FILES)
        except Error:
            continue
        items = got if isinstance(got, list) else [got]
        assert all(item is None or item in values for item in items)
