"""Plot: a matplotlib (or plotly) figure, shown as an image.

A figure is rendered to PNG on the server and stored in the file cache through the gate, so
the page shows an ordinary cached image. On the wire the value keeps Gradio's PlotData shape,
``{"type": "matplotlib", "plot": <the image's URL>}`` (Gradio puts a base64 data URL there).
Plotly figures need their JavaScript library, which would come from a CDN; porch uses none,
so they are rendered to PNG with kaleido (``pip install kaleido``) and refused without it.
"""

from __future__ import annotations

import importlib.util
import io
from types import ModuleType
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import ConfigError, Error

PLOT_SCHEMA: dict[str, Any] = {
    "properties": {
        "type": {"enum": ["altair", "bokeh", "plotly", "matplotlib"], "title": "Type",
                 "type": "string"},
        "plot": {"title": "Plot", "type": "string"},
    },
    "required": ["type", "plot"],
    "title": "PlotData",
    "type": "object",
}
FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "webp": "image/webp"}


def _library(value: Any) -> str:
    if isinstance(value, ModuleType):
        return value.__name__.split(".", 1)[0]
    return type(value).__module__.split(".", 1)[0]


class Plot(Component):
    """A figure from matplotlib (or plotly, with kaleido installed), shown as an image."""

    block_type = "plot"
    schema = PLOT_SCHEMA
    python_type = "dict(type: Literal['altair', 'bokeh', 'plotly', 'matplotlib'], plot: str)"
    example = None
    does_io = True

    change = EventListener("change")

    def __init__(self, value: Any = None, *, format: str = "png", **common: Any) -> None:
        # Gradio defaults to webp, which needs Pillow; PNG needs nothing beyond matplotlib.
        if format not in FORMATS:
            raise ConfigError(f"Plot format must be one of {', '.join(FORMATS)}, got {format!r}.")
        self.format = "jpeg" if format == "jpg" else format
        super().__init__(value, **common)

    def _matplotlib(self, value: Any) -> bytes:
        figure = value.gcf() if isinstance(value, ModuleType) else value
        if not hasattr(figure, "savefig"):
            figure = getattr(figure, "figure", None) or getattr(figure, "get_figure", None)
            figure = figure() if callable(figure) else figure
        if not hasattr(figure, "savefig"):
            raise Error(f"{self.label or 'Plot'}: return a matplotlib Figure (e.g. plt.gcf()).")
        with io.BytesIO() as out:
            figure.savefig(out, format=self.format, bbox_inches="tight")
            return out.getvalue()

    def _plotly(self, value: Any) -> bytes:
        if importlib.util.find_spec("kaleido") is None:
            raise ConfigError(
                "Plotly figures need kaleido to be drawn without plotly's CDN script: "
                "pip install kaleido (or return a matplotlib figure).")
        image: bytes = value.to_image(format=self.format)
        return image

    def postprocess(self, value: Any, conversion: Conversion) -> dict[str, Any] | None:
        if value is None:
            return None
        library = _library(value)
        if library == "matplotlib":
            data = self._matplotlib(value)
        elif library == "plotly":
            data = self._plotly(value)
        elif library in ("altair", "bokeh"):
            raise ConfigError(f"porch's Plot shows matplotlib figures (and plotly figures with "
                              f"kaleido); {library} charts need {library}'s CDN scripts, which "
                              f"porch does not load. Render the chart to an image and return it "
                              f"in a gr.Image instead.")
        else:
            raise Error(f"{self.label or 'Plot'} shows a matplotlib figure, not "
                        f"{type(value).__name__}.")
        cache = conversion.require_policy().cache
        entry = cache.store_bytes(data, f"plot.{self.format}")
        return {"type": library, "plot": conversion.file_url(cache.reference(entry))}

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        if self.value is None or conversion is None or conversion.policy is None:
            return None
        return self.postprocess(self.value, conversion)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "format": self.format}
