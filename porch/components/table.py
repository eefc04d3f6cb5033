"""Table components: Dataframe.

On the wire a table is ``{"headers": [...], "data": [[...], ...], "metadata": null}``, as in
Gradio. A function may return rows (lists), ``{"data", "headers"}``, a dict of columns, a
numpy array or a pandas DataFrame; it receives a pandas DataFrame (the default, as in Gradio),
a numpy array or plain rows, as `type` says. pandas and numpy are imported only when a value
is one of theirs (or `type` asks for one).
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import ConfigError, Error

TABLE_SCHEMA: dict[str, Any] = {
    "properties": {
        "headers": {"items": {}, "title": "Headers", "type": "array"},
        "data": {"items": {"items": {}, "type": "array"}, "title": "Data", "type": "array"},
        "metadata": {"anyOf": [{"additionalProperties": {"anyOf": [{"items": {},
                                                                     "type": "array"},
                                                                    {"type": "null"}]},
                                "type": "object"}, {"type": "null"}],
                     "default": None, "title": "Metadata"},
    },
    "required": ["headers", "data"],
    "title": "DataframeData",
    "type": "object",
}
TYPES = ("pandas", "numpy", "array", "polars")
DATATYPES = ("str", "number", "bool", "date", "markdown", "html", "image", "auto")


def _module(name: str, why: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ConfigError(f"{why} needs {name}: pip install {name} (or choose another "
                          "Dataframe type, e.g. type='array').") from None


def _count(value: int | tuple[int, str] | list[Any] | None, default: int) -> tuple[int, str]:
    if value is None:
        return default, "dynamic"
    if isinstance(value, int):
        return value, "dynamic"
    count, mode = value
    if mode not in ("fixed", "dynamic"):
        raise ConfigError(f"A Dataframe count mode must be 'fixed' or 'dynamic', got {mode!r}.")
    return int(count), mode


def _cell(value: Any) -> Any:
    """One cell as plain JSON: numpy scalars unwrapped, NaN and infinities as null."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    try:
        missing = bool(value != value)  # NaN-likes (numpy nan, pandas NaT) are missing cells
    except (TypeError, ValueError):
        missing = type(value).__name__ == "NAType"  # pandas.NA refuses to be a bool
    if missing:
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return _cell(item())
    if type(value).__module__.startswith("pandas"):
        isoformat = getattr(value, "isoformat", None)
        return isoformat() if callable(isoformat) else str(value)
    return str(value)


def _module_of(value: Any) -> str:
    return type(value).__module__.split(".", 1)[0]


class Dataframe(Component):
    """A table of values, editable when interactive."""

    block_type = "dataframe"
    schema = TABLE_SCHEMA
    python_type = ("dict(headers: list[Any], data: list[list[Any]], metadata: dict(str, "
                   "list[Any] | None) | None)")
    example = {"headers": ["a", "b"], "data": [["foo", "bar"]]}

    change = EventListener("change")
    input = EventListener("input")
    select = EventListener("select")
    edit = EventListener("edit")

    def __init__(
        self,
        value: Any = None,
        *,
        headers: Sequence[str] | None = None,
        row_count: int | tuple[int, str] | None = None,
        col_count: int | tuple[int, str] | None = None,
        column_count: int | tuple[int, str] | None = None,
        row_limits: tuple[int | None, int | None] | None = None,
        column_limits: tuple[int | None, int | None] | None = None,
        datatype: str | Sequence[str] = "str",
        type: str = "pandas",
        max_height: int | str = 500,
        wrap: bool = False,
        column_widths: Sequence[str | int] | None = None,
        show_row_numbers: bool = False,
        static_columns: Sequence[int] | None = None,
        latex_delimiters: Any = None,
        line_breaks: bool = True,
        max_chars: int | None = None,
        show_search: str = "none",
        pinned_columns: int | None = None,
        buttons: Any = None,
        **common: Any,
    ) -> None:
        if type not in TYPES:
            raise ConfigError(f"Dataframe type must be one of {', '.join(TYPES)}, got {type!r}.")
        kinds = [datatype] if isinstance(datatype, str) else list(datatype)
        unknown = [k for k in kinds if k not in DATATYPES]
        if unknown:
            raise ConfigError(f"Unknown Dataframe datatype {unknown[0]!r}; use one of "
                              f"{', '.join(DATATYPES)}.")
        self.headers = [str(h) for h in headers] if headers is not None else None
        self.row_count = _count(row_count, 3)
        columns = col_count if col_count is not None else column_count
        self.col_count = _count(columns, len(self.headers) if self.headers else 3)
        self.row_limits = row_limits
        self.column_limits = column_limits
        self.datatype: str | list[str] = datatype if isinstance(datatype, str) else kinds
        self.type = type
        self.max_height = max_height
        self.wrap = wrap
        self.column_widths = list(column_widths) if column_widths else None
        self.show_row_numbers = show_row_numbers
        self.static_columns = list(static_columns) if static_columns else None
        self.max_chars = max_chars
        super().__init__(value, **common)

    def _name(self) -> str:
        return self.label or "Dataframe"

    def _default_headers(self, width: int) -> list[str]:
        if self.headers is not None and len(self.headers) >= width:
            return list(self.headers)
        known = list(self.headers or [])
        return known + [str(i) for i in range(len(known) + 1, width + 1)]

    def _table(self, headers: Sequence[Any] | None, rows: Sequence[Any]) -> dict[str, Any]:
        data = []
        for row in rows:
            if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
                row = [row]  # a flat list is one column
            data.append([_cell(cell) for cell in row])
        width = max((len(r) for r in data), default=self.col_count[0])
        names = [str(h) for h in headers] if headers is not None else self._default_headers(width)
        return {"headers": names, "data": data, "metadata": None}

    def postprocess(self, value: Any, conversion: Conversion) -> dict[str, Any]:
        if value is None:
            return self._table(None, [])
        origin = _module_of(value)
        if origin == "pandas":
            # A pandas Styler shows the DataFrame it styles.
            frame: Any = value.data if type(value).__name__ == "Styler" else value
            if not hasattr(frame, "columns"):
                raise Error(f"{self._name()}: cannot show a pandas {type(value).__name__}.")
            return self._table(list(frame.columns), frame.to_numpy(dtype=object).tolist())
        if origin == "numpy":
            return self._table(None, value.tolist())
        if origin == "polars":
            return self._table(list(value.columns), value.rows())
        if isinstance(value, Mapping):
            if "data" in value:
                return self._table(value.get("headers"), value["data"] or [])
            # A dict of columns: {"a": [1, 2], "b": [3, 4]}.
            columns = [list(c) if isinstance(c, Sequence) and not isinstance(c, str) else [c]
                       for c in value.values()]
            height = max((len(c) for c in columns), default=0)
            rows = [[c[i] if i < len(c) else None for c in columns] for i in range(height)]
            return self._table(list(value), rows)
        if isinstance(value, (list, tuple)):
            return self._table(None, value)
        raise Error(f"{self._name()} shows rows (a list of lists), {{'data', 'headers'}}, a "
                    f"dict of columns, a numpy array or a pandas DataFrame, not "
                    f"{type(value).__name__}.")

    def _coerce(self, rows: list[list[Any]], width: int) -> list[list[Any]]:
        kinds = self.datatype if isinstance(self.datatype, list) else [self.datatype] * width
        out = []
        for row in rows:
            row = list(row) + [None] * (width - len(row))
            out.append([self._convert(cell, kinds[i] if i < len(kinds) else "str")
                        for i, cell in enumerate(row)])
        return out

    def _convert(self, cell: Any, kind: str) -> Any:
        if kind == "number" and isinstance(cell, str):
            text = cell.strip()
            if not text:
                return None
            try:
                number = float(text)
            except ValueError:
                raise Error(f"{self._name()}: {cell!r} is not a number.") from None
            return int(number) if number.is_integer() and "." not in text else number
        if kind == "bool" and isinstance(cell, str):
            return cell.strip().lower() in ("true", "1", "yes")
        return cell

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            payload = {"headers": self.headers or [], "data": []}
        if not isinstance(payload, Mapping) or not isinstance(payload.get("data"), list):
            raise Error(f"{self._name()}: expected {{'headers': [...], 'data': [[...], ...]}}, "
                        f"got {type(payload).__name__}.")
        raw_rows = payload["data"]
        if any(not isinstance(row, list) for row in raw_rows):
            raise Error(f"{self._name()}: 'data' must be a list of rows (lists).")
        rows = [row for row in raw_rows if row]
        raw_headers = payload.get("headers") or []
        if not isinstance(raw_headers, list):
            raise Error(f"{self._name()}: 'headers' must be a list of column names.")
        headers = [str(h) for h in raw_headers]
        width = max([len(headers), *(len(r) for r in rows)])
        headers = headers + [str(i) for i in range(len(headers) + 1, width + 1)]
        rows = self._coerce(rows, width)
        if self.type == "array":
            return rows
        if self.type == "numpy":
            return _module("numpy", "Dataframe(type='numpy')").array(rows)
        if self.type == "polars":
            polars = _module("polars", "Dataframe(type='polars')")
            return polars.DataFrame(rows, schema=headers, orient="row")
        pandas = _module("pandas", "Dataframe(type='pandas'), the default,")
        return pandas.DataFrame(rows, columns=headers) if rows else pandas.DataFrame(
            columns=headers)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "headers": self.headers or self._default_headers(self.col_count[0]),
            "row_count": list(self.row_count),
            "col_count": list(self.col_count),
            "row_limits": self.row_limits,
            "column_limits": self.column_limits,
            "datatype": self.datatype,
            "type": self.type,
            "max_height": self.max_height,
            "wrap": self.wrap,
            "column_widths": self.column_widths,
            "show_row_numbers": self.show_row_numbers,
            "static_columns": self.static_columns,
            "max_chars": self.max_chars,
        }
