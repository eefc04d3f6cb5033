"""Components: value conversion both ways, config entries, API descriptions."""

from __future__ import annotations

import pytest

import porch as gr
from porch.components.base import Conversion
from porch.errors import ConfigError

NO_FILES = Conversion()


def test_textbox_converts_to_and_from_text() -> None:
    box = gr.Textbox(label="name")
    assert box.preprocess("x", NO_FILES) == "x"
    assert box.preprocess(None, NO_FILES) is None
    assert box.postprocess(42, NO_FILES) == "42"
    assert box.postprocess(None, NO_FILES) is None


def test_textbox_config_and_api_info() -> None:
    box = gr.Textbox("hi", label="name", lines=3, placeholder="type")
    entry = box.config()
    assert entry["type"] == "textbox" and entry["skip_api"] is False
    assert entry["props"]["value"] == "hi" and entry["props"]["lines"] == 3
    assert entry["props"]["placeholder"] == "type" and entry["props"]["label"] == "name"
    assert entry["api_info"] == {"type": "string"}
    described = box.api_parameter()
    assert described["python_type"] == {"type": "str", "description": ""}
    assert described["component"] == "Textbox"


@pytest.mark.parametrize(
    ("precision", "payload", "expected"),
    [(None, 3, 3), (None, 3.0, 3.0), (None, "2.5", 2.5), (0, 2.6, 3), (2, 1.23456, 1.23),
     (None, None, None)],
)
def test_number_precision(precision: int | None, payload: object, expected: object) -> None:
    value = gr.Number(precision=precision).preprocess(payload, NO_FILES)
    assert value == expected and type(value) is type(expected)


def test_number_refuses_out_of_range_and_garbage_with_a_clear_error() -> None:
    number = gr.Number(label="age", minimum=0, maximum=120)
    with pytest.raises(gr.Error, match="age: -1.0 is below the minimum 0"):
        number.preprocess(-1, NO_FILES)
    with pytest.raises(gr.Error, match="above the maximum"):
        number.preprocess(121, NO_FILES)
    with pytest.raises(gr.Error, match="'abc' is not a number"):
        number.preprocess("abc", NO_FILES)


def test_markdown_dedents_triple_quoted_text() -> None:
    md = gr.Markdown()
    assert md.postprocess("\n    # Title\n    body\n", NO_FILES) == "# Title\nbody"


def test_state_gives_each_session_its_own_copy() -> None:
    state = gr.State([])
    first, second = state.fresh_value(), state.fresh_value()
    first.append(1)
    assert second == [] and state.value == []
    assert state.config()["skip_api"] is True and state.config()["type"] == "state"
    assert state.config()["props"]["value"] is None  # never sent to the browser


def test_button_is_skipped_by_the_api() -> None:
    button = gr.Button("Go", variant="primary")
    entry = button.config()
    assert entry["skip_api"] is True and "api_info" not in entry
    assert entry["props"]["value"] == "Go" and entry["props"]["variant"] == "primary"


def test_event_outside_blocks_names_the_fix() -> None:
    button = gr.Button()
    with pytest.raises(ConfigError, match="inside a `with porch.Blocks\\(\\):` block"):
        button.click(lambda: None)


def test_ids_are_unique() -> None:
    ids = {gr.Textbox().id for _ in range(50)}
    assert len(ids) == 50
