"""WatermarkOptions: an image stamped on top of an `Image` output, as Gradio does.

The watermark may be a path, a numpy array or a PIL image. A path is read through the file gate
(`FilePolicy.adopt_output`, the rule for paths app code names), never opened directly; Pillow and
numpy load only when a watermark is applied.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from porch.components import codecs
from porch.components.base import Conversion

POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right")
# Gradio's gap between a named corner and the watermark, in pixels.
_PADDING = 10


@dataclass
class WatermarkOptions:
    """An image to stamp on returned images, and where: a named corner or ``(x, y)``.

    The watermark is pasted unscaled, through its alpha channel. A position that would put it
    partly outside the image falls back to the bottom-right corner.
    """

    watermark: str | Path | Any | None = None
    position: tuple[int, int] | str = "bottom-right"
    # The watermark once read (through the gate), so each output does not copy it again.
    _opened: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        mark = self.watermark
        if mark is not None and not (
            isinstance(mark, (str, os.PathLike)) or codecs.is_array(mark)
            or codecs.is_pil_image(mark)
        ):
            raise ValueError(
                "Watermark must be a string path, Path, PIL Image, numpy array, or None"
            )
        if isinstance(self.position, str):
            if self.position not in POSITIONS:
                raise ValueError(f"String position must be one of: {set(POSITIONS)}")
        elif isinstance(self.position, tuple):
            if len(self.position) != 2:
                raise ValueError("Position tuple must have exactly 2 values (x,y)")
            if not all(isinstance(v, int) for v in self.position):
                raise ValueError("Position coordinates must be integers")


def _as_pil(value: Any, conversion: Conversion) -> Any:
    """A PIL image of an array, a PIL image or a path (the path through the gate)."""
    if codecs.is_pil_image(value):
        return value
    if codecs.is_array(value):
        return codecs.array_to_pil(value)
    text = os.fspath(value)
    if text.startswith(("http://", "https://")):
        return codecs.open_image(conversion.fetch_url(text).path, None)
    entry = conversion.require_policy().adopt_output(text)
    return codecs.open_image(entry.path, None)


def corner(options: WatermarkOptions, base: tuple[int, int], mark: tuple[int, int]
           ) -> tuple[int, int]:
    """Where the watermark's top-left corner goes on an image of size ``base``."""
    (width, height), (w, h) = base, mark
    if isinstance(options.position, str):
        x = _PADDING if options.position.endswith("left") else width - w - _PADDING
        y = _PADDING if options.position.startswith("top") else height - h - _PADDING
    else:
        x, y = options.position
    if x < 0 or y < 0 or x + w > width or y + h > height:
        x, y = width - w - _PADDING, height - h - _PADDING
    return x, y


def apply_watermark(value: Any, options: WatermarkOptions, conversion: Conversion) -> Any:
    """``value`` (array, PIL image or path) as a PIL image with the watermark pasted on it."""
    base = _as_pil(value, conversion)
    if options._opened is None:
        options._opened = _as_pil(options.watermark, conversion).convert("RGBA")
    mark = options._opened
    mode = base.mode
    stamped = base.convert("RGBA")
    stamped.paste(mark, corner(options, stamped.size, mark.size), mask=mark)
    return stamped.convert(mode)


def watermark_option(watermark: Any) -> WatermarkOptions:
    """Gradio's `watermark=` accepts the options or just the image."""
    if isinstance(watermark, WatermarkOptions):
        return watermark
    return WatermarkOptions() if watermark is None else WatermarkOptions(watermark=watermark)
