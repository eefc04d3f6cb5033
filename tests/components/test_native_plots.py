"""BarPlot, LinePlot, ScatterPlot: a DataFrame becomes Gradio's PlotData, and back unchanged."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import warnings
from typing import Any

import pytest

import porch as gr
from porch.components.base import Conversion
from porch.errors import Error
from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests

pd = pytest.importorskip("pandas", reason="install the test extras")
PLOTS = [(gr.BarPlot, "bar"), (gr.LinePlot, "line"), (gr.ScatterPlot, "point")]


def frame() -> Any:
    return pd.DataFrame({
        "day": pd.to_datetime(["2024-01-01", "2024-01-02"]),
        "fruit": ["apple", "pear"],
        "sold": [3, 4.5],
    })


@pytest.mark.parametrize(("cls", "mark"), PLOTS)
def test_a_frame_becomes_plot_data(cls: type[Any], mark: str) -> None:
    payload = cls(x="fruit", y="sold").postprocess(frame(), Conversion())
    assert payload == {
        "columns": ["day", "fruit", "sold"],
        "data": [[1704067200000, "apple", 3.0], [1704153600000, "pear", 4.5]],
        "datatypes": {"day": "temporal", "fruit": "nominal", "sold": "quantitative"},
        "mark": mark,
    }
    assert json.loads(json.dumps(payload)) == payload


def test_payload_matches_gradios_for_the_same_frame() -> None:
    code = (
        "import json, warnings; warnings.simplefilter('ignore'); import gradio as gr, pandas as pd;"
        "f = pd.DataFrame({'day': pd.to_datetime(['2024-01-01', '2024-01-02']),"
        " 'fruit': ['apple', 'pear'], 'sold': [3, 4.5]});"
        "print(json.dumps([c().postprocess(f).model_dump() for c in"
        " (gr.BarPlot, gr.LinePlot, gr.ScatterPlot)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=180).stdout
    expected = json.loads(out.strip().splitlines()[-1])
    ours = [cls().postprocess(frame(), Conversion()) for cls, _ in PLOTS]
    assert ours == expected


def test_missing_numbers_are_null_and_plot_data_passes_through() -> None:
    payload = gr.LinePlot().postprocess(pd.DataFrame({"x": [1, 2], "y": [1.0, None]}),
                                        Conversion())
    assert payload["data"] == [[1, 1.0], [2, None]]
    assert gr.LinePlot().postprocess(payload, Conversion()) == payload
    assert gr.LinePlot().preprocess(payload, Conversion()) == payload
    assert gr.LinePlot().preprocess(None, Conversion()) is None


def test_wrong_values_are_app_errors() -> None:
    with pytest.raises(Error, match="DataFrame"):
        gr.BarPlot().postprocess([1, 2], Conversion())
    with pytest.raises(Error, match="PlotData"):
        gr.BarPlot().preprocess({"columns": ["a"], "data": [[1, 2]]}, Conversion())
    with pytest.raises(Error, match="y_aggregate"):
        gr.BarPlot(y_aggregate="total")  # type: ignore[arg-type]


def test_props_carry_the_options_and_gradios_label_default() -> None:
    plot = gr.ScatterPlot(frame(), x="day", y="sold", color="fruit", x_lim=[0, None],
                          sort="-y", tooltip="all", title="T", caption="C", height=200)
    config = plot.config()
    assert config["type"] == "nativeplot"
    props = config["props"]
    assert props["show_label"] is False
    assert props["value"]["mark"] == "point" and props["mark"] == "point"
    assert {k: props[k] for k in ("x", "y", "color", "x_lim", "sort", "tooltip", "title",
                                  "caption", "height")} == {
        "x": "day", "y": "sold", "color": "fruit", "x_lim": [0, None], "sort": "-y",
        "tooltip": "all", "title": "T", "caption": "C", "height": 200}
    assert gr.BarPlot(label="L").config()["props"]["show_label"] is True


@pytest.mark.parametrize(("cls", "_mark"), PLOTS)
def test_signature_is_gradios(cls: type[Any], _mark: str) -> None:
    gradio = pytest.importorskip("gradio")
    theirs = inspect.signature(getattr(gradio, cls.__name__)).parameters
    ours = inspect.signature(cls).parameters
    assert list(ours) == list(theirs)
    for name, parameter in theirs.items():
        assert ours[name].default == parameter.default, name
        assert ours[name].kind == parameter.kind, name


def test_unhonoured_keywords_warn() -> None:
    reset_for_tests()
    with pytest.warns(UnhonouredOptionWarning, match="x_axis_format") as caught:
        gr.LinePlot(x_axis_format="%Y")
    assert sum("x_axis_format" in str(w.message) for w in caught) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per keyword: a second plot does not warn again
        gr.LinePlot(x_axis_format="%Y")
    reset_for_tests()
