"""Picker components: ColorPicker and DateTime."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

import porch as gr
from porch.components.base import Conversion
from porch.errors import ConfigError, Error

NO_FILES = Conversion()


@pytest.mark.parametrize("colour", ["#ff8800", "#F80", "#ff880080", "rgb(1, 2, 3)",
                                    "rgba(1,2,3,0.5)", " #abcdef "])
def test_colorpicker_accepts_css_colours(colour: str) -> None:
    picker = gr.ColorPicker()
    assert picker.preprocess(colour, NO_FILES) == colour.strip()
    assert picker.postprocess(colour, NO_FILES) == colour.strip()


@pytest.mark.parametrize("bad", ["red", "#ggg", "javascript:alert(1)", 12, ["#fff"],
                                 "url(x)"])
def test_colorpicker_refuses_other_values(bad: Any) -> None:
    with pytest.raises(Error, match="tint: .* is not a colour"):
        gr.ColorPicker(label="tint").preprocess(bad, NO_FILES)


def test_colorpicker_output_from_rgb_tuple_and_api() -> None:
    picker = gr.ColorPicker("#000000")
    assert picker.postprocess((255, 136, 0), NO_FILES) == "#ff8800"
    assert picker.postprocess(None, NO_FILES) is None
    assert picker.config()["props"]["value"] == "#000000"
    assert picker.api_parameter()["python_type"]["type"] == "str"
    assert picker.example == "#000000"


UTC_STAMP = dt.datetime(2020, 10, 1, 5, 20, 15, tzinfo=dt.timezone.utc).timestamp()


def test_datetime_types_in_a_timezone() -> None:
    text = "2020-10-01 05:20:15"
    assert gr.DateTime(timezone="UTC").preprocess(text, NO_FILES) == UTC_STAMP
    moment = gr.DateTime(type="datetime", timezone="UTC").preprocess(text, NO_FILES)
    assert moment == dt.datetime(2020, 10, 1, 5, 20, 15, tzinfo=dt.timezone.utc)
    assert gr.DateTime(type="string").preprocess(text, NO_FILES) == text
    # The page's native picker sends a "T"; minutes without seconds are fine too.
    assert gr.DateTime(timezone="UTC").preprocess("2020-10-01T05:20", NO_FILES) == \
        UTC_STAMP - 15


def test_datetime_local_time_without_a_timezone() -> None:
    expected = dt.datetime(2020, 10, 1, 5, 20, 15).timestamp()
    assert gr.DateTime().preprocess("2020-10-01 05:20:15", NO_FILES) == expected


def test_datetime_relative_values() -> None:
    stamp = gr.DateTime().preprocess("now - 2h", NO_FILES)
    assert abs(stamp - (time.time() - 7200)) < 5
    assert abs(gr.DateTime().preprocess("now", NO_FILES) - time.time()) < 5
    assert gr.DateTime().postprocess("now - 1d", NO_FILES) == "now - 1d"


def test_datetime_outputs() -> None:
    clock = gr.DateTime(timezone="UTC")
    assert clock.postprocess(UTC_STAMP, NO_FILES) == "2020-10-01 05:20:15"
    assert clock.postprocess(dt.datetime(2020, 10, 1, 5, 20, 15), NO_FILES) == \
        "2020-10-01 05:20:15"
    paris = dt.datetime(2020, 10, 1, 7, 20, 15, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert clock.postprocess(paris, NO_FILES) == "2020-10-01 05:20:15"
    day = gr.DateTime(include_time=False, timezone="UTC")
    assert day.postprocess(UTC_STAMP, NO_FILES) == "2020-10-01"
    assert day.postprocess(dt.date(2021, 2, 3), NO_FILES) == "2021-02-03"
    assert day.preprocess("2020-10-01", NO_FILES) == \
        dt.datetime(2020, 10, 1, tzinfo=dt.timezone.utc).timestamp()
    assert clock.postprocess("2020-10-01T05:20:15", NO_FILES) == "2020-10-01 05:20:15"


@pytest.mark.parametrize("bad", ["yesterday", "2020-13-01", "now - 2 parsecs", [2020], 1e300])
def test_datetime_bad_values_are_clear_errors(bad: Any) -> None:
    with pytest.raises(Error, match="when:"):
        gr.DateTime(label="when").preprocess(bad, NO_FILES)


def test_datetime_config_and_api() -> None:
    clock = gr.DateTime("2020-10-01 05:20:15", include_time=False, label="day")
    props = clock.config()["props"]
    assert props["value"] == "2020-10-01" and props["include_time"] is False
    assert props["type"] == "timestamp" and props["timezone"] is None
    assert clock.api_parameter()["type"] == {"type": "string",
                                             "description": "Formatted as YYYY-MM-DD"}
    assert gr.DateTime().api_parameter()["type"]["description"] == \
        "Formatted as YYYY-MM-DD HH:MM:SS"
    with pytest.raises(ConfigError, match="timezone"):
        gr.DateTime(timezone="Mars/Olympus")
    with pytest.raises(ConfigError, match="type"):
        gr.DateTime(type="epoch")
