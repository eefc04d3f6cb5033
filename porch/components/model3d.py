"""Model3D: a 3D model file (.obj, .glb, .gltf, .stl, .ply, .splat) shown in a WebGL viewer.

The value is a FileData, like File's: inputs must name a file this app issued (or a public
URL, fetched by the SSRF-safe fetcher) and the function gets its path; returned paths pass
the gate (`file_payload`). A file of another kind is refused with the list of kinds the
viewer draws, as an input and as an output, instead of showing an empty canvas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from porch import protocol
from porch.components.base import Conversion, EventListener
from porch.components.files import FILE_DATA_SCHEMA, entry_from_payload, file_payload, is_url
from porch.components.media import FileComponent, one_of
from porch.errors import Error

# What the page's viewer (frontend/components/model3d_formats.js) can parse.
MODEL_SUFFIXES = (".obj", ".glb", ".gltf", ".stl", ".ply", ".splat")
DISPLAY_MODES = ("solid", "point_cloud", "wireframe")

EXAMPLE_MODEL: dict[str, Any] = {
    "path": "https://github.com/gradio-app/gradio/raw/main/gradio/media_assets/models3d/Fox.gltf",
    "meta": {"_type": protocol.FILE_DATA_TYPE},
    "orig_name": "Fox.gltf",
}


def model_suffix(name: str) -> str:
    """The lower-case suffix of a file name or URL (its path, not its query)."""
    path = urlsplit(name).path if is_url(name) else name
    return Path(path).suffix.lower()


def require_model(name: str) -> None:
    if model_suffix(name) not in MODEL_SUFFIXES:
        raise Error(f"Model3D cannot show {Path(name).name or name!r}: it shows "
                    f"{', '.join(MODEL_SUFFIXES)} files.")


class Model3D(FileComponent):
    """A 3D model, uploaded or shown: the function gets a path and returns a path (or URL)."""

    block_type = "model3d"
    schema = FILE_DATA_SCHEMA
    python_type = "filepath"
    example = EXAMPLE_MODEL

    change = EventListener("change")
    upload = EventListener("upload")
    edit = EventListener("edit")
    clear = EventListener("clear")

    def __init__(
        self,
        value: Any = None,
        *,
        display_mode: str | None = None,
        clear_color: tuple[float, float, float, float] | None = None,
        camera_position: tuple[float | None, float | None, float | None] = (None, None, None),
        zoom_speed: float = 1,
        pan_speed: float = 1,
        height: int | str | None = None,
        label: str | None = None,
        show_label: bool | None = None,
        every: Any = None,
        inputs: Any = None,
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
        buttons: list[Any] | None = None,
    ) -> None:
        self.display_mode = None if display_mode is None else one_of(
            "Model3D display_mode", display_mode, DISPLAY_MODES)
        colour = list(clear_color) if clear_color is not None else [0, 0, 0, 0]
        if len(colour) != 4 or not all(isinstance(c, (int, float)) for c in colour):
            raise Error("Model3D clear_color must be 4 numbers (red, green, blue, alpha) "
                        "between 0 and 1.")
        self.clear_color = colour
        camera = list(camera_position)
        if len(camera) != 3:
            raise Error("Model3D camera_position must be (alpha, beta, radius); each may be "
                        "None.")
        self.camera_position = camera
        self.zoom_speed = zoom_speed
        self.pan_speed = pan_speed
        self.height = height
        if isinstance(value, (str, Path)) and not callable(value):
            require_model(str(value))
        super().__init__(value, label=label, show_label=show_label, interactive=interactive,
                         visible=visible is not False, elem_id=elem_id,
                         elem_classes=elem_classes, scale=scale, min_width=min_width,
                         container=container, render=render, key=key,
                         preserved_by_key=preserved_by_key, every=every, inputs=inputs,
                         buttons=buttons)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        entry = entry_from_payload(payload, conversion)
        require_model(entry.orig_name or entry.path.name)
        return str(entry.path)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return None
        if isinstance(value, dict) and "path" in value:
            name = str(value.get("orig_name") or value["path"])
        elif isinstance(value, (str, Path)):
            name = str(value)
        else:
            raise TypeError(f"A Model3D output must be a path or a URL, not {type(value)}.")
        require_model(name)
        return file_payload(value, conversion)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "display_mode": self.display_mode,
                "clear_color": self.clear_color, "camera_position": self.camera_position,
                "zoom_speed": self.zoom_speed, "pan_speed": self.pan_speed,
                "height": self.height}
