"""Data components: JSON, Label and HighlightedText."""

from __future__ import annotations

from typing import Any

import pytest

import porch as gr
from porch.components.base import Conversion
from porch.errors import Error

NO_FILES = Conversion()


def test_json_values_and_props() -> None:
    data = gr.JSON({"a": (1, 2)}, open=True, show_indices=True, label="d")
    props = data.config()["props"]
    assert props["value"] == {"a": [1, 2]}
    assert props["open"] is True and props["show_indices"] is True
    assert props["max_height"] == 500
    assert data.postprocess('{"x": 1}', NO_FILES) == {"x": 1}
    with pytest.raises(Error, match="d: the returned string is not valid JSON"):
        data.postprocess("{x", NO_FILES)
    assert data.preprocess({"k": [None]}, NO_FILES) == {"k": [None]}
    assert data.api_parameter()["python_type"]["type"] == "str | float | bool | list | dict"


def test_label_from_confidences() -> None:
    label = gr.Label(num_top_classes=2)
    assert label.postprocess({"cat": 0.7, "dog": 0.2, "fish": 0.1}, NO_FILES) == {
        "label": "cat",
        "confidences": [{"label": "cat", "confidence": 0.7},
                        {"label": "dog", "confidence": 0.2}],
    }
    assert gr.Label().postprocess({"a": 0.1, "b": 0.9}, NO_FILES)["label"] == "b"
    assert gr.Label().postprocess({1: 1}, NO_FILES)["confidences"] == [
        {"label": "1", "confidence": 1.0}]


@pytest.mark.parametrize(("value", "expected"), [
    ("cat", {"label": "cat", "confidences": None}),
    (3, {"label": "3", "confidences": None}),
    (0.5, {"label": "0.5", "confidences": None}),
    (None, None),
    ({"label": "x", "confidences": [{"label": "x", "confidence": 1}]},
     {"label": "x", "confidences": [{"label": "x", "confidence": 1.0}]}),
])
def test_label_other_values(value: Any, expected: Any) -> None:
    assert gr.Label().postprocess(value, NO_FILES) == expected


@pytest.mark.parametrize(("bad", "message"), [
    ([1, 2], "not list"),
    ({"cat": "very"}, "confidence of 'cat' must be a number"),
    ({"cat": float("nan")}, "NaN"),
])
def test_label_bad_values(bad: Any, message: str) -> None:
    with pytest.raises(Error, match=message):
        gr.Label().postprocess(bad, NO_FILES)


def test_label_input_and_api() -> None:
    label = gr.Label()
    payload = {"label": "cat", "confidences": [{"label": "cat", "confidence": 0.9},
                                               {"label": "dog", "confidence": 0.1}]}
    assert label.preprocess(payload, NO_FILES) == {"cat": 0.9, "dog": 0.1}
    assert label.preprocess({"label": "cat"}, NO_FILES) == "cat"
    assert label.preprocess(None, NO_FILES) is None
    with pytest.raises(Error, match="expected"):
        label.preprocess("cat", NO_FILES)
    assert label.api_parameter()["python_type"]["type"].startswith("dict(label: str | int")
    assert label.config()["api_info"]["title"] == "LabelData"


def test_highlighted_text_from_pairs() -> None:
    text = gr.HighlightedText()
    assert text.postprocess([("The", None), ("fox", "noun"), ("ran", 0.5)], NO_FILES) == [
        {"token": "The", "class_or_confidence": None},
        {"token": "fox", "class_or_confidence": "noun"},
        {"token": "ran", "class_or_confidence": 0.5},
    ]
    assert text.postprocess("plain", NO_FILES) == [{"token": "plain",
                                                    "class_or_confidence": None}]
    assert text.postprocess(None, NO_FILES) is None


def test_highlighted_text_from_entities() -> None:
    value = {"text": "The quick fox", "entities": [
        {"entity": "noun", "start": 10, "end": 13},
        {"entity_group": "adj", "start": 4, "end": 9},
        {"entity": "overlap", "start": 5, "end": 7},
    ]}
    assert gr.HighlightedText().postprocess(value, NO_FILES) == [
        {"token": "The ", "class_or_confidence": None},
        {"token": "quick", "class_or_confidence": "adj"},
        {"token": " ", "class_or_confidence": None},
        {"token": "fox", "class_or_confidence": "noun"},
    ]
    with pytest.raises(Error, match="each entity needs"):
        gr.HighlightedText().postprocess({"text": "x", "entities": [{"entity": "a"}]},
                                         NO_FILES)


def test_highlighted_text_combines_adjacent_tokens() -> None:
    text = gr.HighlightedText(combine_adjacent=True, adjacent_separator=" ")
    assert text.postprocess([("a", "x"), ("b", "x"), ("c", None), ("d", None)], NO_FILES) == [
        {"token": "a b", "class_or_confidence": "x"},
        {"token": "c", "class_or_confidence": None},
        {"token": "d", "class_or_confidence": None},
    ]


def test_highlighted_text_bad_values_input_and_config() -> None:
    text = gr.HighlightedText(color_map={"noun": "red"}, show_legend=True)
    with pytest.raises(Error, match=r"\(text, label\) pair"):
        text.postprocess([("a", "b", "c")], NO_FILES)
    with pytest.raises(Error, match="a label must be"):
        text.postprocess([("a", ["x"])], NO_FILES)
    with pytest.raises(Error, match="not int"):
        text.postprocess(5, NO_FILES)
    payload = [{"token": "fox", "class_or_confidence": "noun"}]
    assert text.preprocess(payload, NO_FILES) == payload
    props = text.config()["props"]
    assert props["color_map"] == {"noun": "red"} and props["show_legend"] is True
    assert text.api_parameter()["python_type"]["type"] == \
        "list[dict(token: str, class_or_confidence: str | float | None)]"
    assert gr.Highlight is gr.HighlightedText
