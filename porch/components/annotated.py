"""Images shown with something on top: AnnotatedImage (labelled boxes and masks) and ImageSlider
(two images compared by sliding a split between them).

Base images and masks are stored as new cache entries or adopted through the gate, like any
`Image` output; masks are RGBA PNGs coloured per label, so the page only stacks images.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from porch.components import codecs
from porch.components.base import Conversion, EventListener
from porch.components.files import FILE_DATA_SCHEMA, entry_from_payload, entry_payload
from porch.components.media import (
    EXAMPLE_IMAGE,
    IMAGE_DATA_SCHEMA,
    FileComponent,
    image_entry,
    image_payload,
    image_value,
    one_of,
)
from porch.errors import Error
from porch.unhonoured import warn_unhonoured

ANNOTATED_IMAGE_SCHEMA: dict[str, Any] = {
    "title": "AnnotatedImageData",
    "type": "object",
    "properties": {
        "image": FILE_DATA_SCHEMA,
        "annotations": {
            "type": "array", "title": "Annotations",
            "items": {"title": "Annotation", "type": "object", "required": ["image", "label"],
                      "properties": {"image": FILE_DATA_SCHEMA,
                                     "label": {"title": "Label", "type": "string"}}},
        },
    },
    "required": ["image", "annotations"],
}
_NULLABLE_IMAGE = {"anyOf": [IMAGE_DATA_SCHEMA, {"type": "null"}]}
SLIDER_SCHEMA: dict[str, Any] = {
    "title": "SliderData",
    "anyOf": [{"type": "array", "minItems": 2, "maxItems": 2,
               "prefixItems": [_NULLABLE_IMAGE, _NULLABLE_IMAGE]},
              {"type": "null"}],
}
# A box is drawn as a translucent fill with an opaque border this many pixels wide (Gradio's).
_BOX_BORDER = 3
_DEFAULT_RGB = (255, 0, 0)


def _hex_rgb(color: str) -> tuple[int, int, int]:
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    try:
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    except ValueError as exc:
        raise ValueError(f"color_map colours must be hex codes like '#ff0000', not {color!r}."
                         ) from exc


def _buttons(owner: str, buttons: list[Any] | None, default: list[str]) -> list[Any]:
    chosen = list(default if buttons is None else buttons)
    if any(not isinstance(b, str) for b in chosen):
        # Gradio draws custom Buttons in the image's toolbar; porch's page does not yet.
        warn_unhonoured(owner, "buttons=[gr.Button(...)]")
    return chosen


def _common(given: dict[str, Any]) -> dict[str, Any]:
    names = ("label", "every", "inputs", "show_label", "container", "scale", "min_width",
             "visible", "elem_id", "elem_classes", "render", "key", "preserved_by_key")
    return {name: given[name] for name in names if name in given}


class AnnotatedImage(FileComponent):
    """A base image with labelled annotations: boxes ``(x1, y1, x2, y2)`` or masks (arrays of
    0..1 the image's size). Clicking a label or an annotation fires ``select`` with its index
    and label. As an input, the function gets ``(image path, [(mask path, label), ...])``."""

    block_type = "annotatedimage"
    schema = ANNOTATED_IMAGE_SCHEMA
    python_type = "dict(image: filepath, annotations: list[dict(image: filepath, label: str)])"
    example = {"image": EXAMPLE_IMAGE, "annotations": []}

    change = EventListener("change")
    select = EventListener("select")

    def __init__(
        self,
        value: Any = None,
        *,
        format: str = "webp",
        show_legend: bool = True,
        height: int | str | None = None,
        width: int | str | None = None,
        color_map: dict[str, str] | None = None,
        label: Any = None,
        every: Any = None,
        inputs: Any = None,
        show_label: bool | None = None,
        container: bool = True,
        scale: int | None = None,
        min_width: int = 160,
        visible: bool | str = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: Any = None,
        preserved_by_key: list[str] | str | None = "value",
        buttons: list[Any] | None = None,
    ) -> None:
        self.format = codecs.image_suffix(format)
        self.show_legend = show_legend
        self.height = height
        self.width = width
        self.color_map = color_map
        self.buttons = _buttons("AnnotatedImage", buttons, ["fullscreen"])
        super().__init__(value, **_common(locals()))

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("annotations"), list):
            raise Error("An AnnotatedImage input must be {'image': FileData, 'annotations': "
                        "[{'image': FileData, 'label': str}, ...]}.")
        base = str(entry_from_payload(payload.get("image"), conversion).path)
        annotations = []
        for item in payload["annotations"]:
            if not isinstance(item, dict):
                raise Error("Each annotation must be {'image': FileData, 'label': str}.")
            mask = str(entry_from_payload(item.get("image"), conversion).path)
            annotations.append((mask, str(item.get("label", ""))))
        return base, annotations

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return None
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise ValueError("An AnnotatedImage value must be (image, [(box or mask, label), "
                             "...]).")
        base, annotations = value
        np = codecs.numpy_module("AnnotatedImage")
        if isinstance(base, (str, Path)) or codecs.is_array(base) or codecs.is_pil_image(base):
            payload = image_payload(base, self.format, conversion)
        else:
            raise ValueError("AnnotatedImage only accepts filepaths, PIL images or numpy "
                             "arrays for the base image.")
        if codecs.is_array(base):
            height, width = np.asarray(base).shape[:2]
        elif codecs.is_pil_image(base):
            width, height = base.size
        else:
            stored = conversion.require_policy().cache.locate(payload["path"])
            path = stored if stored is not None else Path(payload["path"])
            width, height = codecs.open_image(path, None).size
        sections = [
            {"image": self._mask(mask, str(label), (height, width), conversion),
             "label": str(label)}
            for mask, label in annotations
        ]
        return {"image": payload, "annotations": sections}

    def _mask(self, mask: Any, label: str, shape: tuple[int, int], conversion: Conversion
              ) -> dict[str, Any]:
        """An RGBA PNG of one annotation: the label's colour, opacity from the mask."""
        np = codecs.numpy_module("AnnotatedImage")
        if codecs.is_array(mask):
            alpha = np.clip(np.asarray(mask, dtype=float), 0.0, 1.0)
            if alpha.shape[:2] != shape:
                raise ValueError(f"A mask must have the image's shape {shape}, not "
                                 f"{alpha.shape}.")
        else:
            x1, y1, x2, y2 = (int(v) for v in mask)
            alpha = np.zeros(shape)
            alpha[y1:y2, x1:x2] = 0.5
            b = _BOX_BORDER
            alpha[y1:y2, x1:x1 + b] = 1
            alpha[y1:y2, max(x2 - b, 0):x2] = 1
            alpha[y1:y1 + b, x1:x2] = 1
            alpha[max(y2 - b, 0):y2, x1:x2] = 1
        rgb = _hex_rgb(self.color_map[label]) if self.color_map and label in self.color_map \
            else _DEFAULT_RGB
        colored = np.zeros((*shape, 4), dtype=np.uint8)
        solid = alpha > 0
        for channel in range(3):
            colored[:, :, channel] = solid * rgb[channel]
        colored[:, :, 3] = (alpha * 255).astype(np.uint8)
        data = codecs.encode_image(colored, "png")
        entry = conversion.require_policy().cache.store_bytes(data, "mask.png")
        return entry_payload(entry, conversion)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "format": self.format,
                "show_legend": self.show_legend, "height": self.height, "width": self.width,
                "color_map": self.color_map,
                "buttons": [b for b in self.buttons if isinstance(b, str)]}


class ImageSlider(FileComponent):
    """Two images, one over the other, split by a slider users drag to compare them. The
    function gets and returns a pair of images (numpy arrays, PIL images or paths)."""

    block_type = "imageslider"
    schema = SLIDER_SCHEMA
    python_type = "tuple[filepath | None, filepath | None] | None"
    example = [EXAMPLE_IMAGE, EXAMPLE_IMAGE]

    clear = EventListener("clear")
    change = EventListener("change")
    stream = EventListener("stream")
    select = EventListener("select")
    upload = EventListener("upload")
    input = EventListener("input")

    def __init__(
        self,
        value: Any = None,
        *,
        format: str = "webp",
        height: int | str | None = None,
        width: int | str | None = None,
        image_mode: str | None = "RGB",
        type: str = "numpy",
        label: str | None = None,
        every: Any = None,
        inputs: Any = None,
        show_label: bool | None = None,
        buttons: list[Any] | None = None,
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
        slider_position: float = 50,
        max_height: int = 500,
    ) -> None:
        self.format = codecs.image_suffix(format)
        self.height = height
        self.width = width
        self.image_mode = image_mode
        self.type = one_of("ImageSlider type", type, ("numpy", "pil", "filepath"))
        self.buttons = _buttons("ImageSlider", buttons, ["download", "fullscreen"])
        self.slider_position = slider_position
        self.max_height = max_height
        super().__init__(value, interactive=interactive, **_common(locals()))

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        if not isinstance(payload, (list, tuple)) or len(payload) != 2:
            raise Error("An ImageSlider input must be a pair of images.")
        return tuple(
            None if item is None else image_value(image_entry(item, conversion), self.type,
                                                  self.image_mode, conversion)
            for item in payload
        )

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return None
        if isinstance(value, (str, bytes, dict)) or not isinstance(value, Sequence) \
                or len(value) != 2:
            raise ValueError("An ImageSlider value must be a pair of images.")
        return [None if item is None else image_payload(item, self.format, conversion)
                for item in value]

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "format": self.format, "height": self.height,
                "width": self.width, "image_mode": self.image_mode, "type": self.type,
                "buttons": [b for b in self.buttons if isinstance(b, str)],
                "slider_position": self.slider_position, "max_height": self.max_height}

