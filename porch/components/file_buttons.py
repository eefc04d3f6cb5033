"""Buttons that move files: UploadButton (its value is what was uploaded, like `File`) and
DownloadButton (its value is a file, downloaded on click). Both pass every file through the
gate, via `File`'s conversions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from porch.components.base import Conversion, EventListener
from porch.components.files import (
    EXAMPLE_FILE,
    FILE_DATA_SCHEMA,
    File,
    entry_from_payload,
    file_payload,
)
from porch.components.media import FileComponent


class UploadButton(File):
    """A button that uploads files; the function gets paths (or bytes with ``type="binary"``).

    As in Gradio, the first argument is the button's text.
    """

    block_type = "uploadbutton"

    click = EventListener("click")

    def __init__(
        self,
        label: str = "Upload a File",
        value: Any = None,
        *,
        file_count: str = "single",
        file_types: Sequence[str] | None = None,
        type: str = "filepath",
        variant: str = "secondary",
        size: str = "lg",
        icon: str | None = None,
        interactive: bool | None = True,
        min_width: int | None = None,
        **common: Any,
    ) -> None:
        self.variant = variant
        self.size = size
        self.icon = icon
        # A button is usable unless told otherwise (Gradio's default), even as an output.
        super().__init__(value, file_count=file_count, file_types=file_types, type=type,
                         label=label, interactive=interactive, min_width=min_width, **common)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "variant": self.variant, "size": self.size,
                "icon": self.icon}


class DownloadButton(FileComponent):
    """A button that downloads its value, a file (a path, URL or bytes the app returned).

    As in Gradio, the first argument is the button's text.
    """

    block_type = "downloadbutton"
    schema = FILE_DATA_SCHEMA
    python_type = "filepath"
    example = EXAMPLE_FILE

    click = EventListener("click")
    change = EventListener("change")

    def __init__(
        self,
        label: str = "Download",
        value: Any = None,
        *,
        variant: str = "secondary",
        size: str = "lg",
        icon: str | None = None,
        interactive: bool | None = True,
        min_width: int | None = None,
        **common: Any,
    ) -> None:
        self.variant = variant
        self.size = size
        self.icon = icon
        super().__init__(value, label=label, interactive=interactive, min_width=min_width,
                         **common)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        return str(entry_from_payload(payload, conversion).path)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return None
        return file_payload(value, conversion)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "variant": self.variant, "size": self.size,
                "icon": self.icon}
