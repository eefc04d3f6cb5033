"""Gradio's presets of ImageEditor: ImageMask, Sketchpad and Paint.

Each is an `ImageEditor` with other defaults (Gradio's own signatures, so apps run unchanged):
ImageMask draws in black only and has no layer controls; Sketchpad is a blank canvas with a
black brush; Paint is a blank canvas with the full palette.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from porch.components.image_editor import Brush, Eraser, ImageEditor, LayerOptions


def _black_brush() -> Brush:
    return Brush(colors=["#000000"], color_mode="fixed")


def _forward(given: dict[str, Any]) -> dict[str, Any]:
    """A preset's constructor arguments (its locals()), to pass on to ImageEditor."""
    return {k: v for k, v in given.items() if k not in ("self", "__class__")}


class ImageMask(ImageEditor):
    """An editor for drawing masks on an image: a black brush, no layer controls."""

    def __init__(
        self,
        value: Any = None,
        *,
        height: int | str | None = None,
        width: int | str | None = None,
        image_mode: str = "RGBA",
        sources: Iterable[str] = ("upload", "webcam", "clipboard"),
        type: str = "numpy",
        label: Any = None,
        every: Any = None,
        inputs: Any = None,
        show_label: bool | None = None,
        buttons: list[str] | None = None,
        container: bool = True,
        scale: int | None = None,
        min_width: int = 160,
        interactive: bool | None = None,
        visible: bool | str = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: Any = None,
        preserved_by_key: list[str] | str | None = "value",
        placeholder: str | None = None,
        _selectable: bool = False,
        transforms: Iterable[str] = ("crop",),
        eraser: Eraser | None = None,
        brush: Brush | None = None,
        format: str = "webp",
        layers: LayerOptions | bool = False,
        canvas_size: tuple[int, int] = (800, 800),
        fixed_canvas: bool = False,
        webcam_options: Any = None,
    ) -> None:
        if not brush:
            brush = _black_brush()
        super().__init__(**_forward(locals()))


class Sketchpad(ImageEditor):
    """A blank canvas to draw on in black."""

    def __init__(
        self,
        value: Any = None,
        *,
        height: int | str | None = None,
        width: int | str | None = None,
        image_mode: str = "RGBA",
        sources: Iterable[str] = (),
        type: str = "numpy",
        label: Any = None,
        every: Any = None,
        inputs: Any = None,
        show_label: bool | None = None,
        buttons: list[str] | None = None,
        container: bool = True,
        scale: int | None = None,
        min_width: int = 160,
        interactive: bool | None = None,
        visible: bool | str = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: Any = None,
        preserved_by_key: list[str] | str | None = "value",
        placeholder: str | None = None,
        webcam_options: Any = None,
        _selectable: bool = False,
        transforms: Iterable[str] = ("crop",),
        eraser: Eraser | None = None,
        brush: Brush | None = None,
        format: str = "webp",
        canvas_size: tuple[int, int] = (800, 800),
        fixed_canvas: bool = False,
        layers: LayerOptions | bool = True,
    ) -> None:
        if not brush:
            brush = _black_brush()
        super().__init__(**_forward(locals()))


class Paint(ImageEditor):
    """A blank canvas to paint on, with the full palette."""

    def __init__(
        self,
        value: Any = None,
        *,
        height: int | str | None = None,
        width: int | str | None = None,
        image_mode: str = "RGBA",
        sources: Iterable[str] = (),
        type: str = "numpy",
        label: Any = None,
        every: Any = None,
        inputs: Any = None,
        show_label: bool | None = None,
        buttons: list[str] | None = None,
        container: bool = True,
        scale: int | None = None,
        min_width: int = 160,
        interactive: bool | None = None,
        visible: bool | str = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: Any = None,
        preserved_by_key: list[str] | str | None = "value",
        webcam_options: Any = None,
        _selectable: bool = False,
        transforms: Iterable[str] = ("crop",),
        eraser: Eraser | None = None,
        brush: Brush | None = None,
        format: str = "webp",
        layers: LayerOptions | bool = True,
        canvas_size: tuple[int, int] = (800, 800),
        fixed_canvas: bool = False,
        placeholder: str | None = None,
    ) -> None:
        super().__init__(**_forward(locals()))
