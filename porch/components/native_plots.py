"""BarPlot, LinePlot, ScatterPlot: a pandas DataFrame drawn as SVG in the browser.

The value on the wire is Gradio's PlotData: ``{"columns": [...], "data": [[...], ...],
"datatypes": {column: "quantitative" | "nominal" | "temporal"}, "mark": "bar" | "line" |
"point"}``, the DataFrame split by rows, with datetimes as milliseconds since the epoch. So
gradio_client receives the same structure from porch as from Gradio. The page draws it with a
hand-written SVG renderer (frontend/components/native_plot.js): binning, aggregation, sorting,
limits, legend and tooltips happen there, as Gradio does them in its browser chart library.
pandas is imported only when a DataFrame is converted.
"""

from __future__ import annotations

import importlib
import math
from typing import Any, Literal

from porch.components.base import Component, Conversion, EventListener
from porch.errors import Error
from porch.unhonoured import unhonoured

PLOT_DATA_SCHEMA: dict[str, Any] = {"type": {}, "description": "any valid json"}
AGGREGATES = ("sum", "mean", "median", "min", "max", "count")
SORTS = ("x", "y", "-x", "-y")
PlotValue = dict[str, Any]


def _datatype(dtype: Any) -> str:
    pd: Any = importlib.import_module("pandas")
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "quantitative"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "temporal"
    if pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return "nominal"
    raise Error(f"A plot cannot draw a column of type {dtype}.")


def _cell(value: Any) -> Any:
    # JSON has no NaN or infinity: a missing number is null, as pandas' to_json writes it.
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _column(series: Any, datatype: str) -> list[Any]:
    if datatype == "temporal":
        # Milliseconds since the epoch, as Gradio sends them (to_json's "epoch" format, which
        # pandas now deprecates, so it is computed here); naive times count as UTC.
        return [None if stamp is None or stamp != stamp else round(stamp.timestamp() * 1000)
                for stamp in series.astype(object).where(series.notna(), None)]
    return [_cell(v) for v in series.astype(object).where(series.notna(), None).tolist()]


def plot_data(frame: Any, mark: str) -> PlotValue:
    """A DataFrame as PlotData (column names as strings, rows as JSON-ready lists)."""
    datatypes = {str(c): _datatype(frame[c].dtype) for c in frame.columns}
    columns = [_column(frame[c], datatypes[str(c)]) for c in frame.columns]
    return {
        "columns": [str(c) for c in frame.columns],
        "data": [list(row) for row in zip(*columns, strict=True)],
        "datatypes": datatypes,
        "mark": mark,
    }


def _check_plot_data(value: dict[str, Any]) -> PlotValue:
    columns = value.get("columns")
    data = value.get("data")
    if not isinstance(columns, list) or not isinstance(data, list) or any(
            not isinstance(row, list) or len(row) != len(columns) for row in data):
        raise Error("A plot value must be a DataFrame or PlotData "
                    "({'columns': [...], 'data': [[...], ...], ...}).")
    return value


class NativePlot(Component):
    """A plot of DataFrame columns, drawn in the page (the family's shared behaviour)."""

    block_type = "nativeplot"
    schema = PLOT_DATA_SCHEMA
    python_type = "str | float | bool | list | dict"  # what Gradio reports for "any json"
    example = None
    mark = "native"

    change = EventListener("change")
    select = EventListener("select")
    double_click = EventListener("double_click")

    def __init__(
        self,
        value: Any = None,
        x: str | None = None,
        y: str | None = None,
        *,
        color: str | None = None,
        title: str | None = None,
        x_title: str | None = None,
        y_title: str | None = None,
        color_title: str | None = None,
        x_bin: str | float | None = None,
        y_aggregate: Literal["sum", "mean", "median", "min", "max", "count"] | None = None,
        color_map: dict[str, str] | None = None,
        colors_in_legend: list[str] | None = None,
        x_lim: list[float | None] | None = None,
        y_lim: list[float | None] | None = None,
        x_label_angle: float = 0,
        y_label_angle: float = 0,
        x_axis_format: str | None = None,
        y_axis_format: str | None = None,
        x_axis_labels_visible: bool | Literal["hidden"] = True,
        caption: str | None = None,
        sort: Literal["x", "y", "-x", "-y"] | list[str] | None = None,
        tooltip: Literal["axis", "none", "all"] | list[str] = "axis",
        height: int | None = None,
        label: str | None = None,
        show_label: bool | None = None,
        container: bool = True,
        scale: int | None = None,
        min_width: int = 160,
        every: Any = None,
        inputs: Any = None,
        visible: bool | Literal["hidden"] = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        buttons: list[Any] | None = None,
        key: int | str | tuple[int | str, ...] | None = None,
        preserved_by_key: list[str] | str | None = "value",
    ) -> None:
        owner = type(self).__name__
        unhonoured(owner, locals(), {"x_axis_format": None, "y_axis_format": None,
                                     "buttons": None})
        if y_aggregate is not None and y_aggregate not in AGGREGATES:
            raise Error(f"{owner}: y_aggregate must be one of {', '.join(AGGREGATES)}.")
        if isinstance(sort, str) and sort not in SORTS:
            raise Error(f"{owner}: sort must be one of {', '.join(SORTS)} or a list of x values.")
        self.x, self.y, self.color = x, y, color
        self.title, self.x_title, self.y_title, self.color_title = (
            title, x_title, y_title, color_title)
        self.x_bin, self.y_aggregate = x_bin, y_aggregate
        self.color_map, self.colors_in_legend = color_map, colors_in_legend
        self.x_lim, self.y_lim = x_lim, y_lim
        self.x_label_angle, self.y_label_angle = x_label_angle, y_label_angle
        self.x_axis_labels_visible = x_axis_labels_visible
        self.caption, self.sort, self.tooltip, self.height = caption, sort, tooltip, height
        # As Gradio: a plot with neither a label nor show_label shows no label.
        if label is None and show_label is None:
            show_label = False
        super().__init__(
            value, label=label, show_label=show_label, container=container, scale=scale,
            min_width=min_width, visible=visible is not False, elem_id=elem_id,
            elem_classes=elem_classes, render=render, key=key, every=every, inputs=inputs)

    def preprocess(self, payload: Any, conversion: Conversion) -> PlotValue | None:
        if payload is None:
            return None
        if not isinstance(payload, dict):
            raise Error("A plot value must be PlotData (a JSON object).")
        return _check_plot_data(payload)

    def postprocess(self, value: Any, conversion: Conversion) -> PlotValue | None:
        if value is None:
            return None
        if isinstance(value, dict):
            return _check_plot_data(value)
        if type(value).__module__.split(".", 1)[0] == "pandas" and hasattr(value, "to_json"):
            return plot_data(value, self.mark)
        raise Error(f"{type(self).__name__} draws a pandas DataFrame, "
                    f"not {type(value).__name__}.")

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        if callable(self.value):
            return None
        return self.postprocess(self.value, conversion or Conversion())

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "x": self.x, "y": self.y, "color": self.color, "title": self.title,
            "x_title": self.x_title, "y_title": self.y_title, "color_title": self.color_title,
            "x_bin": self.x_bin, "y_aggregate": self.y_aggregate, "color_map": self.color_map,
            "colors_in_legend": self.colors_in_legend, "x_lim": self.x_lim,
            "y_lim": self.y_lim, "x_label_angle": self.x_label_angle,
            "y_label_angle": self.y_label_angle,
            "x_axis_labels_visible": self.x_axis_labels_visible, "caption": self.caption,
            "sort": self.sort, "tooltip": self.tooltip, "height": self.height, "mark": self.mark,
        }


class BarPlot(NativePlot):
    """Bars: one per x value (per color within it); repeated x values are summed unless
    `y_aggregate` says otherwise."""

    mark = "bar"


class LinePlot(NativePlot):
    """Lines through the points in x order, one line per `color` value."""

    mark = "line"


class ScatterPlot(NativePlot):
    """One dot per row, coloured by `color` (a legend for nominal colors)."""

    mark = "point"

