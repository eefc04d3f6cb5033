"""Dataframe: rows, dicts, numpy and pandas values both ways, and the wire format."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import porch as gr
from porch.components.base import Conversion
from porch.errors import ConfigError, Error

np = pytest.importorskip("numpy", reason="install the test extras")
pd = pytest.importorskip("pandas", reason="install the test extras")

NO_FILES = Conversion()
WIRE = {"headers": ["n", "s"], "data": [[1, "x"], [2, "y"]], "metadata": None}


def test_default_value_and_props() -> None:
    table = gr.Dataframe(label="t")
    props = table.config()["props"]
    assert props["value"] == {"headers": ["1", "2", "3"], "data": [], "metadata": None}
    assert props["row_count"] == [3, "dynamic"] and props["col_count"] == [3, "dynamic"]
    assert props["datatype"] == "str" and props["type"] == "pandas"
    fixed = gr.Dataframe(headers=["a", "b"], col_count=(2, "fixed"), row_count=1,
                         datatype=["number", "str"])
    props = fixed.config()["props"]
    assert props["headers"] == ["a", "b"] and props["col_count"] == [2, "fixed"]
    assert props["datatype"] == ["number", "str"]


@pytest.mark.parametrize(("value", "expected"), [
    ([[1, 2], [3, 4]], {"headers": ["1", "2"], "data": [[1, 2], [3, 4]], "metadata": None}),
    ({"data": [[1, 2]], "headers": ["x", "y"]},
     {"headers": ["x", "y"], "data": [[1, 2]], "metadata": None}),
    ({"a": [1, 2], "b": [3]}, {"headers": ["a", "b"], "data": [[1, 3], [2, None]],
                               "metadata": None}),
    ([1, 2], {"headers": ["1"], "data": [[1], [2]], "metadata": None}),
    ([], {"headers": ["1", "2", "3"], "data": [], "metadata": None}),
])
def test_postprocess_plain_values(value: Any, expected: dict[str, Any]) -> None:
    assert gr.Dataframe().postprocess(value, NO_FILES) == expected


def test_postprocess_uses_given_headers() -> None:
    table = gr.Dataframe(headers=["a", "b"])
    assert table.postprocess([[1, 2, 3]], NO_FILES)["headers"] == ["a", "b", "3"]


def test_postprocess_numpy_and_pandas() -> None:
    table = gr.Dataframe()
    assert table.postprocess(np.array([[1, 2], [3, 4]]), NO_FILES)["data"] == [[1, 2], [3, 4]]
    frame = pd.DataFrame({"n": [1, 2], "s": ["x", None], "f": [0.5, float("nan")],
                          "d": pd.to_datetime(["2020-01-02", None]),
                          "i": pd.array([7, None], dtype="Int64")})
    out = table.postprocess(frame, NO_FILES)
    assert out["headers"] == ["n", "s", "f", "d", "i"]
    # Only plain JSON leaves the server: no NaN (invalid JSON), no numpy or pandas scalars.
    assert out["data"] == [[1, "x", 0.5, "2020-01-02T00:00:00", 7],
                           [2, None, None, None, None]]
    assert all(type(cell) in (int, float, str, type(None)) for row in out["data"]
               for cell in row)
    styled = frame[["n"]].style
    assert table.postprocess(styled, NO_FILES)["data"] == [[1], [2]]
    assert _cell_types(table.postprocess([[np.int64(3), dt.date(2020, 1, 2)]], NO_FILES)) == \
        [int, str]


def _cell_types(table: dict[str, Any]) -> list[type]:
    return [type(cell) for cell in table["data"][0]]


def test_postprocess_refuses_other_values() -> None:
    with pytest.raises(Error, match="t shows rows"):
        gr.Dataframe(label="t").postprocess("data.csv", NO_FILES)


def test_preprocess_types() -> None:
    frame = gr.Dataframe().preprocess(WIRE, NO_FILES)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["n", "s"] and frame["n"].tolist() == [1, 2]
    assert gr.Dataframe(type="array").preprocess(WIRE, NO_FILES) == [[1, "x"], [2, "y"]]
    array = gr.Dataframe(type="numpy").preprocess(
        {"headers": ["a"], "data": [[1], [2]]}, NO_FILES)
    assert array.tolist() == [[1], [2]]
    empty = gr.Dataframe().preprocess({"headers": ["a", "b"], "data": [[]]}, NO_FILES)
    assert list(empty.columns) == ["a", "b"] and len(empty) == 0


def test_preprocess_coerces_number_and_bool_columns() -> None:
    table = gr.Dataframe(type="array", datatype=["number", "bool", "str"])
    rows = table.preprocess({"headers": ["n", "b", "s"],
                             "data": [["1", "true", "1"], ["2.5", "no", "x"], ["", "1", None]]},
                            NO_FILES)
    assert rows == [[1, True, "1"], [2.5, False, "x"], [None, True, None]]
    with pytest.raises(Error, match="'abc' is not a number"):
        table.preprocess({"headers": ["n"], "data": [["abc"]]}, NO_FILES)
    # Short rows are padded to the header width.
    assert gr.Dataframe(type="array").preprocess({"headers": ["a", "b"], "data": [[1]]},
                                                 NO_FILES) == [[1, None]]


@pytest.mark.parametrize("bad", ["x", [[1]], {"data": "rows"}, {"data": [1, 2]}, 3])
def test_preprocess_bad_payloads(bad: Any) -> None:
    with pytest.raises(Error, match="tbl"):
        gr.Dataframe(label="tbl").preprocess(bad, NO_FILES)


def test_setup_errors() -> None:
    with pytest.raises(ConfigError, match="type"):
        gr.Dataframe(type="excel")
    with pytest.raises(ConfigError, match="datatype"):
        gr.Dataframe(datatype=["number", "colour"])
    with pytest.raises(ConfigError, match="fixed"):
        gr.Dataframe(row_count=(2, "elastic"))


def test_api_info_matches_gradio() -> None:
    described = gr.Dataframe().api_parameter()
    assert described["python_type"]["type"] == (
        "dict(headers: list[Any], data: list[list[Any]], metadata: dict(str, list[Any] | None)"
        " | None)")
    assert described["type"]["title"] == "DataframeData"
    assert described["example_input"] == {"headers": ["a", "b"], "data": [["foo", "bar"]]}
    assert gr.DataFrame is gr.Dataframe


def test_pandas_loads_only_when_a_value_needs_it() -> None:
    code = (
        "import sys, porch as gr; from porch.components.base import Conversion; "
        "t = gr.Dataframe(type='array'); "
        "t.postprocess([[1]], Conversion()); "
        "t.preprocess({'headers': ['a'], 'data': [[1]]}, Conversion()); "
        "print('pandas' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False False"


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["headers", "data", "metadata", "x"]), inner, max_size=3),
    max_leaves=10,
)


@given(JSONISH)
def test_any_payload_gives_rows_or_a_clear_error(payload: Any) -> None:
    try:
        rows = gr.Dataframe(type="array").preprocess(payload, NO_FILES)
    except Error:
        return
    assert isinstance(rows, list) and all(isinstance(row, list) for row in rows)
