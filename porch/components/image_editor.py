"""ImageEditor: a background image, drawing layers and their composite, edited on a canvas.

The wire value is Gradio's EditorData: ``{"background": FileData | None, "layers": [FileData],
"composite": FileData | None, "id": str | None}``. The page uploads each image through
``/upload`` (so ``max_file_size`` bounds them) and sends their references; gradio_client sends
files it uploaded the same way. Every image passes the gate like an `Image` value does.

Gradio's frontend may instead post the images to a component server function
(``accept_blobs``) and send only an ``id``; porch has no such route, so an ``id`` alone
carries no images and reads as an empty editor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from porch.components import codecs
from porch.components.base import Conversion, EventListener
from porch.components.files import FILE_DATA_SCHEMA
from porch.components.media import EXAMPLE_IMAGE, FileComponent, image_entry, image_payload, one_of
from porch.errors import Error
from porch.unhonoured import unhonoured, warn_unhonoured

_NULLABLE_FILE = {"anyOf": [FILE_DATA_SCHEMA, {"type": "null"}], "default": None}

EDITOR_DATA_SCHEMA: dict[str, Any] = {
    "title": "EditorData",
    "type": "object",
    "properties": {
        "background": _NULLABLE_FILE,
        "layers": {"default": [], "items": FILE_DATA_SCHEMA, "title": "Layers", "type": "array"},
        "composite": _NULLABLE_FILE,
        "id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Id"},
    },
}
SOURCES = ("upload", "webcam", "clipboard")
# Modes whose alpha channel survives conversion; others are flattened on white first, since
# the canvas stores transparent pixels as black with alpha 0.
_ALPHA_MODES = ("RGBA", "LA", "PA")
_DEFAULT_COLORS = ["rgb(204, 50, 50)", "rgb(173, 204, 50)", "rgb(50, 204, 112)",
                   "rgb(50, 112, 204)", "rgb(173, 50, 204)"]


@dataclasses.dataclass
class Eraser:
    """The eraser tool: ``default_size`` is its radius in pixels, or ``"auto"`` (about a
    fiftieth of the image's smaller side)."""

    default_size: int | str = "auto"


@dataclasses.dataclass
class Brush(Eraser):
    """The brush tool: its radius, the palette (colours, or ``(colour, opacity)`` pairs), the
    colour it starts with, and whether users may pick colours outside the palette
    (``color_mode="defaults"``) or only from it (``"fixed"``)."""

    colors: list[str | tuple[str, float]] | str | tuple[str, float] | None = None
    default_color: str | tuple[str, float] | None = None
    color_mode: str = "defaults"

    def __post_init__(self) -> None:
        if self.colors is None:
            self.colors = list(_DEFAULT_COLORS)
        if self.default_color is None:
            self.default_color = self.colors[0] if isinstance(self.colors, list) else self.colors


@dataclasses.dataclass
class LayerOptions:
    """The layer tool: the layers the editor starts with (one named "Layer 1" if none), whether
    users may add more, and ``disabled`` to hide the layer controls."""

    allow_additional_layers: bool = True
    layers: list[str] | None = None
    disabled: bool = False

    def __post_init__(self) -> None:
        if not self.layers:
            self.layers = ["Layer 1"]


def _options(value: Any) -> Any:
    """A tool's options as the config carries them (False stays False: the tool is hidden)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


class ImageEditor(FileComponent):
    """Edit an image: upload or paste a background, draw on layers with a brush, erase, crop
    and resize. The function gets ``{"background", "layers", "composite"}`` with each image a
    numpy array, PIL image or path (per ``type``) in ``image_mode``; it may return the same
    dict, or one image (shown as the background)."""

    block_type = "imageeditor"
    schema = EDITOR_DATA_SCHEMA
    python_type = "dict(background: filepath | None, layers: list[filepath], " \
        "composite: filepath | None, id: str | None)"
    example = {"background": EXAMPLE_IMAGE, "layers": [], "composite": None}

    clear = EventListener("clear")
    change = EventListener("change")
    input = EventListener("input")
    select = EventListener("select")
    upload = EventListener("upload")
    apply = EventListener("apply")

    def __init__(
        self,
        value: Any = None,
        *,
        height: int | str | None = None,
        width: int | str | None = None,
        image_mode: str = "RGBA",
        sources: Iterable[str] | str | None = ("upload", "webcam", "clipboard"),
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
        transforms: Iterable[str] | None = ("crop", "resize"),
        eraser: Eraser | None | bool = None,
        brush: Brush | None | bool = None,
        format: str = "webp",
        layers: bool | LayerOptions = True,
        canvas_size: tuple[int, int] = (800, 800),
        fixed_canvas: bool = False,
        webcam_options: Any = None,
    ) -> None:
        owner = self.__class__.__name__
        unhonoured(owner, locals(), {"webcam_options": None})
        self.type = one_of(f"{owner} type", type, ("numpy", "pil", "filepath"))
        self.height = height
        self.width = width
        self.image_mode = image_mode
        chosen = [sources] if isinstance(sources, str) else list(sources or [])
        for source in chosen:
            one_of(f"{owner} sources", source, SOURCES)
        self.sources = chosen
        if "webcam" in chosen and tuple(chosen) != SOURCES:
            # The page draws upload and paste; a webcam capture is not built into the editor.
            warn_unhonoured(owner, "sources=['webcam']")
        if buttons is not None and "share" in buttons:
            warn_unhonoured(owner, "buttons=['share']")
        self.buttons = buttons
        self.placeholder = placeholder
        self._selectable = _selectable
        self.transforms = list(transforms or [])
        self.eraser: Eraser | bool = Eraser() if eraser is None else eraser
        self.brush: Brush | bool = Brush() if brush is None else brush
        self.format = codecs.image_suffix(format)
        self.layers = (LayerOptions() if layers is True
                       else LayerOptions(disabled=True) if layers is False else layers)
        self.canvas_size = (int(canvas_size[0]), int(canvas_size[1]))
        self.fixed_canvas = fixed_canvas
        self.webcam_options = webcam_options
        super().__init__(
            value, label=label, show_label=show_label, interactive=interactive,
            visible=visible,  # type: ignore[arg-type]  # Gradio's "hidden" is kept as given
            elem_id=elem_id, elem_classes=elem_classes, scale=scale,
            min_width=min_width, container=container, render=render, key=key,
            preserved_by_key=preserved_by_key, every=every, inputs=inputs,
        )

    # ---- values ---------------------------------------------------------------------------
    def _image(self, payload: Any, flatten: bool, conversion: Conversion) -> Any:
        """One image of the editor's value, converted per ``type`` and ``image_mode``."""
        if payload is None:
            return None
        entry = image_entry(payload, conversion)
        image = codecs.open_image(entry.path, None)
        needs_white = flatten and self.image_mode not in _ALPHA_MODES and (
            "A" in image.getbands() or "transparency" in image.info)
        if needs_white:
            pil = codecs.pil_module()
            rgba = image.convert("RGBA")
            image = pil.alpha_composite(pil.new("RGBA", rgba.size, "white"), rgba)
        if self.type == "filepath" and image.mode == self.image_mode and not needs_white:
            return str(entry.path)
        image = image.convert(self.image_mode)
        if self.type == "pil":
            return image
        if self.type == "numpy":
            return codecs.numpy_module(f"{type(self).__name__}(type='numpy')").asarray(image)
        suffix = Path(entry.orig_name).suffix.lower().lstrip(".")
        fmt = suffix if suffix in codecs.IMAGE_FORMATS else self.format
        stem = Path(entry.orig_name).stem or "image"
        data = codecs.encode_image(image, fmt)
        stored = conversion.require_policy().cache.store_bytes(
            data, f"{stem}.{codecs.image_suffix(fmt)}")
        return str(stored.path)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        if not isinstance(payload, dict):
            raise Error(f"An {type(self).__name__} input must be a dict of background, layers "
                        "and composite.")
        layers = payload.get("layers") or []
        if not isinstance(layers, list):
            raise Error("The editor's layers must be a list of images.")
        return {
            "background": self._image(payload.get("background"), True, conversion),
            "layers": [self._image(layer, False, conversion) for layer in layers
                       if layer is not None],
            "composite": self._image(payload.get("composite"), True, conversion),
        }

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            if not (isinstance(value, (str, Path)) or codecs.is_array(value)
                    or codecs.is_pil_image(value)):
                raise ValueError(f"The value of a {type(self).__name__} must be a dict of "
                                 "images or a single image.")
            one = image_payload(value, self.format, conversion)
            return {"background": one, "layers": [], "composite": one, "id": None}

        def saved(image: Any) -> Any:
            return None if image is None else image_payload(image, self.format, conversion)

        layers: Sequence[Any] = value.get("layers") or []
        return {
            "background": saved(value.get("background")),
            "layers": [saved(layer) for layer in layers if layer is not None],
            "composite": saved(value.get("composite")),
            "id": None,
        }

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        if callable(self.value):
            if conversion is None or conversion.policy is None:
                return None
            return self.postprocess(self.value(), conversion)
        return super().initial_payload(conversion)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion), "height": self.height, "width": self.width,
            "image_mode": self.image_mode, "sources": self.sources, "type": self.type,
            "buttons": self.buttons, "placeholder": self.placeholder,
            "_selectable": self._selectable, "transforms": self.transforms,
            "eraser": _options(self.eraser), "brush": _options(self.brush),
            "format": self.format, "layers": _options(self.layers),
            "canvas_size": list(self.canvas_size), "fixed_canvas": self.fixed_canvas,
            "webcam_options": _options(self.webcam_options)
            or {"mirror": True, "constraints": None},
        }
