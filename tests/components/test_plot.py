"""Plot: matplotlib figures become PNG files in the cache, served through the gate."""

from __future__ import annotations

import importlib.util
import types
from typing import Any
from urllib.parse import unquote

import pytest

import porch as gr
from porch.components.base import Conversion
from porch.errors import ConfigError, Error
from tests.components.conftest import FILE_URL, Gate

matplotlib = pytest.importorskip("matplotlib", reason="install the test extras")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def figure() -> Figure:
    fig = Figure(figsize=(2, 1.5))
    fig.add_subplot().plot([1, 2, 3], [3, 1, 2])
    return fig


def test_figure_becomes_a_cached_png(gate: Gate) -> None:
    payload = gr.Plot().postprocess(figure(), gate.conversion)
    assert payload["type"] == "matplotlib"
    url = payload["plot"]
    assert url.startswith(FILE_URL) and url.endswith(".png")
    cached = unquote(url.removeprefix(FILE_URL))
    assert gate.is_issued(cached)
    with open(gate.stored(cached), "rb") as handle:
        assert handle.read(8) == PNG


def test_axes_and_pyplot_module_are_accepted(gate: Gate) -> None:
    fig = figure()
    assert gr.Plot().postprocess(fig.axes[0], gate.conversion)["type"] == "matplotlib"
    import matplotlib.pyplot as plt

    plt.figure()
    plt.plot([1, 2])
    try:
        assert gr.Plot().postprocess(plt, gate.conversion)["type"] == "matplotlib"
    finally:
        plt.close("all")


def test_other_formats(gate: Gate) -> None:
    payload = gr.Plot(format="jpeg").postprocess(figure(), gate.conversion)
    assert payload["plot"].endswith(".jpeg")
    with pytest.raises(ConfigError, match="format"):
        gr.Plot(format="svg")  # markup, never served inline


def test_plot_needs_the_served_app() -> None:
    with pytest.raises(ConfigError, match="while the app is served"):
        gr.Plot().postprocess(figure(), Conversion())
    # A figure given as the starting value is drawn when the config is built for a page.
    assert gr.Plot(figure()).config()["props"]["value"] is None


def test_initial_figure_is_drawn_when_served(gate: Gate) -> None:
    props = gr.Plot(figure(), label="p").config(gate.conversion)["props"]
    assert props["value"]["type"] == "matplotlib" and props["format"] == "png"


@pytest.mark.parametrize("value", ["plot.png", 3, {"type": "matplotlib", "plot": "x"}])
def test_non_figures_are_clear_errors(gate: Gate, value: Any) -> None:
    with pytest.raises(Error, match="chart shows a matplotlib figure"):
        gr.Plot(label="chart").postprocess(value, gate.conversion)


def _fake_module_object(module: str) -> Any:
    kind = types.new_class("Figure")
    kind.__module__ = module
    return kind()


@pytest.mark.skipif(importlib.util.find_spec("kaleido") is not None,
                    reason="checks the message shown when kaleido is missing")
def test_plotly_without_kaleido_names_the_fix(gate: Gate) -> None:
    # A stand-in from the plotly package (plotly itself is not a test dependency).
    with pytest.raises(ConfigError, match="pip install kaleido"):
        gr.Plot().postprocess(_fake_module_object("plotly.graph_objs._figure"), gate.conversion)


@pytest.mark.parametrize("library", ["altair", "bokeh"])
def test_cdn_libraries_are_refused_with_the_alternative(gate: Gate, library: str) -> None:
    with pytest.raises(ConfigError, match="gr.Image"):
        gr.Plot().postprocess(_fake_module_object(f"{library}.vegalite"), gate.conversion)


def test_api_info_matches_gradio() -> None:
    described = gr.Plot().api_parameter()
    assert described["python_type"]["type"] == \
        "dict(type: Literal['altair', 'bokeh', 'plotly', 'matplotlib'], plot: str)"
    assert described["type"]["title"] == "PlotData"
    assert gr.Plot.does_io
