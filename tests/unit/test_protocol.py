"""The generator diff format (PROTOCOL.md §3.5) and the stream frame shapes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from porch import protocol

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner,
                                                                 max_size=4),
    max_leaves=12,
)


def test_growing_string_is_an_append() -> None:
    assert protocol.diff("0 ", "0 1 ") == [["append", [], "1 "]]


def test_unchanged_value_gives_no_edits() -> None:
    assert protocol.diff(["a", {"b": 1}], ["a", {"b": 1}]) == []


def test_type_change_replaces_whole_value() -> None:
    assert protocol.diff("1", 1) == [["replace", [], 1]]


def test_list_growth_and_shrink() -> None:
    assert protocol.diff([1], [1, 2]) == [["add", [1], 2]]
    assert protocol.diff([1, 2, 3], [1]) == [["delete", [2], None], ["delete", [1], None]]


@given(json_values, json_values)
def test_apply_diff_reproduces_the_new_value(old: Any, new: Any) -> None:
    assert protocol.apply_diff(old, protocol.diff(old, new)) == new


def test_queue_frames_are_one_line_compact_json() -> None:
    frame = protocol.sse_data({"msg": "log", "log": "two\nlines"})
    assert frame.startswith(b"data: ") and frame.endswith(b"\n\n")
    body = frame[len(b"data: "):-2]
    assert b"\n" not in body and b", " not in body
    assert json.loads(body)["log"] == "two\nlines"


def test_file_data_marker() -> None:
    value = protocol.file_data("/c/x.txt", "http://h/gradio_api/file=/c/x.txt", orig_name="x.txt")
    assert protocol.is_file_data(value)
    assert not protocol.is_file_data({"path": "/etc/passwd"})
    assert not protocol.is_file_data("x")
