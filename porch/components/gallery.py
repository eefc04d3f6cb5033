"""Gallery: a grid of images and videos, each with an optional caption.

Items are converted like `Image` values (see `porch.components.media`): inputs through the
gate (or a data: URL decoded into the cache), outputs as paths/URLs through `file_payload`
or as arrays/PIL images encoded into new cache entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from porch.components import codecs
from porch.components.base import Conversion, EventListener
from porch.components.files import FILE_DATA_SCHEMA, FILE_FAMILIES, entry_from_payload
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

_CAPTION = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}

GALLERY_SCHEMA: dict[str, Any] = {
    "title": "GalleryData",
    "type": "array",
    "items": {
        "anyOf": [
            {"title": "GalleryImage", "type": "object", "required": ["image"],
             "properties": {"image": IMAGE_DATA_SCHEMA, "caption": _CAPTION}},
            {"title": "GalleryVideo", "type": "object", "required": ["video"],
             "properties": {"video": FILE_DATA_SCHEMA, "caption": _CAPTION}},
        ]
    },
}


def _is_video(name: str | None) -> bool:
    return bool(name) and Path(str(name)).suffix.lower() in FILE_FAMILIES["video"]


class Gallery(FileComponent):
    """Images and videos in a grid. The function returns a list of images (numpy arrays, PIL
    images, paths or URLs) or of ``(image, caption)`` pairs; as an input it gets a list of
    ``(image, caption)`` pairs, each image converted per ``type``."""

    unhonoured_keywords = {"fit_columns": True, "sources": None}

    block_type = "gallery"
    schema = GALLERY_SCHEMA
    python_type = (
        "list[dict(image: filepath, caption: str | None) | "
        "dict(video: filepath, caption: str | None)]"
    )
    example = [{"image": EXAMPLE_IMAGE, "caption": None}]

    change = EventListener("change")
    select = EventListener("select")
    upload = EventListener("upload")
    delete = EventListener("delete")

    def __init__(
        self,
        value: Any = None,
        *,
        type: str = "filepath",
        format: str = "webp",
        columns: int | Sequence[int] | None = 2,
        rows: int | Sequence[int] | None = None,
        height: int | str | None = None,
        object_fit: str | None = None,
        allow_preview: bool = True,
        preview: bool | None = None,
        selected_index: int | None = None,
        show_download_button: bool = True,
        file_types: Sequence[str] | None = None,
        **common: Any,
    ) -> None:
        self.type = one_of("Gallery type", type, ("numpy", "pil", "filepath"))
        self.format = codecs.image_suffix(format)
        self.columns = columns
        self.rows = rows
        self.height = height
        self.object_fit = object_fit
        self.allow_preview = allow_preview
        self.preview = preview
        self.selected_index = selected_index
        self.show_download_button = show_download_button
        self.file_types = list(file_types) if file_types else None
        super().__init__(value, **common)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if not payload:
            return None
        if not isinstance(payload, list):
            raise Error("A Gallery input must be a list of {'image': ..., 'caption': ...}.")
        items: list[tuple[Any, str | None]] = []
        for item in payload:
            if not isinstance(item, dict):
                raise Error("Each Gallery item must be {'image': FileData, 'caption': str}.")
            caption = item.get("caption")
            caption = None if caption is None else str(caption)
            if item.get("video") is not None:
                items.append((str(entry_from_payload(item["video"], conversion).path), caption))
            else:
                entry = image_entry(item.get("image"), conversion)
                items.append((image_value(entry, self.type, None, conversion), caption))
        return items

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return []
        if isinstance(value, (str, bytes, dict)) or not isinstance(value, Sequence):
            raise ValueError(
                "A Gallery value must be a list of images or videos, or of (media, caption) "
                f"pairs, not {type(value).__name__}."
            )
        return [self._item(item, conversion) for item in value]

    def _item(self, item: Any, conversion: Conversion) -> dict[str, Any]:
        caption: Any = None
        if isinstance(item, dict) and ("image" in item or "video" in item):
            media = item.get("image") if item.get("image") is not None else item.get("video")
            caption = item.get("caption")
        elif isinstance(item, (tuple, list)):
            if len(item) != 2:
                raise ValueError("A Gallery item given as a tuple must be (media, caption).")
            media, caption = item
        else:
            media = item
        data = image_payload(media, self.format, conversion)
        key = "video" if _is_video(data.get("orig_name") or data.get("path")) else "image"
        return {key: data, "caption": None if caption is None else str(caption)}

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "type": self.type, "format": self.format,
                "columns": self.columns, "rows": self.rows, "height": self.height,
                "object_fit": self.object_fit, "allow_preview": self.allow_preview,
                "preview": self.preview, "selected_index": self.selected_index,
                "show_download_button": self.show_download_button,
                "file_types": self.file_types}
