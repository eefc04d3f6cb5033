"""Numeric components: Number (bounds, precision, bad values) and Slider."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import porch as gr
from porch.components.base import Conversion
from porch.errors import ConfigError, Error

NO_FILES = Conversion()


@pytest.mark.parametrize("bad", ["abc", [1], {"a": 1}, True, float("nan"), float("inf")])
def test_number_refuses_what_is_not_a_finite_number(bad: Any) -> None:
    with pytest.raises(Error, match="count"):
        gr.Number(label="count").preprocess(bad, NO_FILES)


def test_number_bounds_and_config() -> None:
    number = gr.Number(5, label="n", minimum=0, maximum=10, step=0.5, precision=1)
    assert number.preprocess("2.25", NO_FILES) == 2.2
    with pytest.raises(Error, match="n: -1.0 is below the minimum 0"):
        number.preprocess(-1, NO_FILES)
    with pytest.raises(Error, match="n: 11.0 is above the maximum 10"):
        number.preprocess(11, NO_FILES)
    props = number.config()["props"]
    assert (props["minimum"], props["maximum"], props["step"], props["precision"]) == \
        (0, 10, 0.5, 1)
    assert props["value"] == 5.0
    with pytest.raises(Error, match="not a number"):
        number.postprocess("many", NO_FILES)


def test_slider_values_and_defaults() -> None:
    slider = gr.Slider(0, 10, label="speed")
    assert slider.step == 0.1  # a hundredth of the range, as a power of ten
    assert gr.Slider(0, 100).step == 1 and gr.Slider(0, 1).step == 0.01
    assert slider.config()["props"]["value"] == 0  # no value: the minimum
    assert slider.preprocess(3.5, NO_FILES) == 3.5
    assert slider.preprocess(4, NO_FILES) == 4 and isinstance(slider.preprocess(4, NO_FILES), int)
    assert slider.preprocess(None, NO_FILES) == 0
    with pytest.raises(Error, match="speed: 30.0 is above the maximum 10"):
        slider.preprocess(30, NO_FILES)
    with pytest.raises(Error, match="speed: 'fast' is not a number"):
        slider.preprocess("fast", NO_FILES)
    assert gr.Slider(0, 10, precision=0).preprocess(3.6, NO_FILES) == 4
    assert slider.postprocess(None, NO_FILES) == 0


def test_slider_config_and_api() -> None:
    slider = gr.Slider(1, 5, value=2, step=1, label="k")
    props = slider.config()["props"]
    assert (props["minimum"], props["maximum"], props["step"], props["value"]) == (1, 5, 1, 2)
    described = slider.api_parameter()
    assert described["type"] == {"type": "number",
                                 "description": "numeric value between 1 and 5"}
    assert described["python_type"]["type"] == "float" and described["example_input"] == 1


def test_slider_setup_errors() -> None:
    with pytest.raises(ConfigError, match="minimum"):
        gr.Slider(10, 0)
    with pytest.raises(ConfigError, match="step"):
        gr.Slider(0, 1, step=0)


def test_randomized_slider_starts_on_a_step_in_range() -> None:
    slider = gr.Slider(0, 10, step=2, randomize=True)
    seen = {slider.initial_payload() for _ in range(60)}
    assert seen <= {0, 2, 4, 6, 8, 10} and len(seen) > 1


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6),
                 st.lists(st.integers(), max_size=2)))
def test_slider_input_is_in_range_or_an_error(payload: Any) -> None:
    slider = gr.Slider(-5, 5)
    try:
        value = slider.preprocess(payload, NO_FILES)
    except Error:
        return
    assert -5 <= value <= 5
