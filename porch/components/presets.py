"""Gradio's preset components: a Dataframe or File with other defaults, under their own names
(`gr.Matrix`, `gr.Numpy`, `gr.List`, `gr.Files`)."""

from __future__ import annotations

from typing import Any

from porch.components.files import File
from porch.components.table import Dataframe


class Matrix(Dataframe):
    """A Dataframe whose value is a list of rows (a 2-D array), growing by rows."""

    def __init__(self, value: Any = None, *, row_count: Any = (1, "dynamic"),
                 type: str = "array", **options: Any) -> None:
        super().__init__(value, row_count=row_count, type=type, **options)


class Numpy(Dataframe):
    """A Dataframe whose value is a numpy array."""

    def __init__(self, value: Any = None, *, row_count: Any = (1, "dynamic"),
                 type: str = "numpy", **options: Any) -> None:
        super().__init__(value, row_count=row_count, type=type, **options)


class List(Dataframe):
    """A one-column Dataframe whose value is a list of rows."""

    def __init__(self, value: Any = None, *, row_count: Any = (1, "dynamic"),
                 col_count: Any = 1, type: str = "array", **options: Any) -> None:
        super().__init__(value, row_count=row_count, col_count=col_count, type=type, **options)


class Files(File):
    """A File that takes several files."""

    def __init__(self, value: Any = None, *, file_count: str = "multiple",
                 **options: Any) -> None:
        super().__init__(value, file_count=file_count, **options)
