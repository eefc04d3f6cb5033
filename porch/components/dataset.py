"""Dataset: a table of samples the user can click (what `Examples` draws).

Each cell is shown as its component would show it: the component's `postprocess` turns the
sample into a payload, so a file in an example passes the gate exactly as a returned file
would (a developer's file in the working directory or an allowed path, copied to the cache).
The value on the wire is the clicked sample's index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import InvalidRequest


class Dataset(Component):
    """Clickable samples for `components`; the value is the index of the one clicked."""

    unhonoured_keywords = {"proxy_url": None}

    block_type = "dataset"
    schema = {"type": "integer", "description": "index of selected example"}
    python_type = "int"
    example = 0

    click = EventListener("click")
    select = EventListener("select")

    def __init__(
        self,
        *,
        label: str | None = "Examples",
        components: Sequence[Component] | None = None,
        samples: Sequence[Sequence[Any]] | None = None,
        headers: Sequence[str] | None = None,
        type: str = "values",
        samples_per_page: int = 10,
        sample_labels: Sequence[str] | None = None,
        component_props: Any = None,
        layout: str | None = None,
        show_label: bool = True,
        **common: Any,
    ) -> None:
        if type not in ("values", "index", "tuple"):
            raise ValueError("Dataset type must be 'values', 'index' or 'tuple'.")
        self.components = list(components or [])
        self.samples = [list(sample) for sample in samples or []]
        self.headers = list(headers) if headers is not None else None
        self.type = type
        self.samples_per_page = max(1, int(samples_per_page))
        self.sample_labels = list(sample_labels) if sample_labels else None
        self.layout = layout
        super().__init__(None, label=label, show_label=show_label, **common)

    def index_of(self, payload: Any) -> int:
        """The sample index a client sent (an int, or Gradio's [index, sample] pair)."""
        if isinstance(payload, list) and payload:
            payload = payload[0]
        if isinstance(payload, bool) or not isinstance(payload, int) or not (
                0 <= payload < len(self.samples)):
            raise InvalidRequest(f"No example with index {payload!r}.", 422)
        return payload

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        index = self.index_of(payload)
        if self.type == "index":
            return index
        if self.type == "tuple":
            return index, self.samples[index]
        return self.samples[index]

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return None

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        return None

    def _cells(self, conversion: Conversion | None) -> list[list[Any]]:
        served = conversion is not None and conversion.policy is not None
        rows = []
        for sample in self.samples:
            row = []
            for component, value in zip(self.components, sample, strict=False):
                if component.does_io and not served:
                    # Files are served only once the app runs; until then show the name.
                    row.append(None if value is None else str(value))
                else:
                    row.append(component.postprocess(value, conversion or Conversion()))
            rows.append(row)
        return rows

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "samples": self._cells(conversion),
            "headers": self.headers if self.headers is not None else [
                c.label or "" for c in self.components],
            "components": [c.block_type for c in self.components],
            "samples_per_page": self.samples_per_page,
            "sample_labels": self.sample_labels,
            "type": self.type,
            "layout": self.layout,
        }
