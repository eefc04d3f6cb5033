"""Media components: Image and Video (Audio is in `audio`). Every file passes the gate.

Inputs go through `entry_from_payload` (a name this app issued, or a public URL fetched by the
SSRF-safe fetcher); an Image may also arrive as a ``data:image/...;base64,`` URL, decoded
straight into the cache (never fetched). Outputs that are paths, URLs or FileData go through
`file_payload`; numpy arrays and PIL images are encoded here and stored as new cache entries.
numpy and Pillow load only when a value needs them (see `porch.components.codecs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from porch import protocol
from porch.components import codecs
from porch.components.base import Component, Conversion, EventListener
from porch.components.capture import (
    WebcamOptions,
    download_shown,
    media_sources,
    options_props,
)
from porch.components.files import (
    FILE_DATA_SCHEMA,
    entry_from_payload,
    entry_payload,
    file_payload,
)
from porch.components.watermark import WatermarkOptions, apply_watermark, watermark_option
from porch.errors import ConfigError
from porch.files.cache import CacheEntry
from porch.unhonoured import unhonoured

IMAGE_SOURCES = ("upload", "webcam", "clipboard")
VIDEO_SOURCES = ("upload", "webcam")

_NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}

IMAGE_DATA_SCHEMA: dict[str, Any] = {
    "title": "ImageData",
    "type": "object",
    "properties": {
        "path": {**_NULLABLE_STRING, "title": "Path",
                 "description": "A path returned by /upload"},
        "url": {**_NULLABLE_STRING, "title": "Url",
                "description": "A public http(s) URL, or a data:image/...;base64, URL"},
        "size": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
        "orig_name": _NULLABLE_STRING,
        "mime_type": _NULLABLE_STRING,
        "is_stream": {"default": False, "type": "boolean"},
        "meta": {"default": {"_type": protocol.FILE_DATA_TYPE}, "type": "object"},
    },
    "description": "An image: a path returned by /upload, a public URL, or a base64 data: URL.",
}

_SAMPLES = "https://github.com/gradio-app/gradio/raw/main"


def _example(path: str) -> dict[str, Any]:
    url = f"{_SAMPLES}/{path}"
    return {"path": url, "meta": {"_type": protocol.FILE_DATA_TYPE},
            "orig_name": path.rsplit("/", 1)[-1], "url": url}


EXAMPLE_IMAGE = _example("test/test_files/bus.png")
EXAMPLE_AUDIO = _example("test/test_files/audio_sample.wav")
EXAMPLE_VIDEO = _example("gradio/media_assets/videos/world.mp4")


# ---- images, shared with Gallery --------------------------------------------------------------
def image_entry(payload: Any, conversion: Conversion) -> CacheEntry:
    """The cache entry for an ImageData input.

    ``path`` set: a FileData through the gate. ``path`` null: its ``url``, either a data: URL
    decoded into the cache, or an http(s) URL for the SSRF-safe fetcher.
    """
    if isinstance(payload, dict) and payload.get("path") is None:
        url = payload.get("url")
        if isinstance(url, str) and url[:5].lower() == "data:":
            return codecs.store_data_url(url, conversion.require_policy().cache)
        if isinstance(url, str) and protocol.is_file_data(payload):
            return entry_from_payload({**payload, "path": url}, conversion)
    return entry_from_payload(payload, conversion)


def image_value(entry: CacheEntry, type: str, mode: str | None, conversion: Conversion) -> Any:
    """What the app's function gets for an image input: a numpy array, a PIL image or a path.

    A path is passed through when it already has ``mode`` (or no mode is asked for); otherwise
    the converted image is stored as a new cache entry, as Gradio does.
    """
    if type == "filepath":
        # SVG is markup Pillow cannot read; a filepath user gets the file as it is.
        if mode is None or entry.path.suffix.lower() == ".svg":
            return str(entry.path)
        image = codecs.open_image(entry.path, None)
        if image.mode == mode:
            return str(entry.path)
        suffix = entry.path.suffix.lower().lstrip(".")
        fmt = suffix if suffix in codecs.IMAGE_FORMATS else "png"
        data = codecs.encode_image(image.convert(mode), fmt)
        stem = Path(entry.orig_name).stem or "image"
        stored = conversion.require_policy().cache.store_bytes(data, f"{stem}.{fmt}")
        return str(stored.path)
    image = codecs.open_image(entry.path, mode)
    if type == "pil":
        return image
    return codecs.numpy_module("Image(type='numpy')").asarray(image)


def image_payload(value: Any, fmt: str, conversion: Conversion) -> dict[str, Any]:
    """The FileData of a returned image: arrays and PIL images are encoded as ``fmt``."""
    if codecs.is_array(value) or codecs.is_pil_image(value):
        data = codecs.encode_image(value, fmt)
        suffix = codecs.image_suffix(fmt)
        entry = conversion.require_policy().cache.store_bytes(data, f"image.{suffix}")
        return entry_payload(entry, conversion)
    if isinstance(value, dict) and value.get("path") is None and isinstance(
        value.get("url"), str
    ):
        value = value["url"]
    if isinstance(value, str) and value[:5].lower() == "data:":
        entry = codecs.store_data_url(value, conversion.require_policy().cache)
        return entry_payload(entry, conversion)
    return file_payload(value, conversion)


def _is_svg(value: Any) -> bool:
    # SVG is markup: Pillow cannot draw on it, so Gradio leaves it unwatermarked too.
    return isinstance(value, (str, Path)) and str(value).lower().endswith(".svg")


class FileComponent(Component):
    """A component whose value is one file: initial values need the gate, so they are only
    converted when the server builds its config."""

    does_io = True

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        if self.value is None or conversion is None or conversion.policy is None:
            return None
        return self.postprocess(self.value, conversion)


def one_of(name: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(map(repr, allowed))}, not {value!r}.")
    return value


class Image(FileComponent):
    """An image, as input or output. The function gets a numpy array (``type="numpy"``), a
    PIL image (``"pil"``) or a path (``"filepath"``), converted to ``image_mode``; it may
    return any of these (or a URL), and arrays/PIL images are stored as ``format``."""

    block_type = "image"
    schema = IMAGE_DATA_SCHEMA
    python_type = "filepath"
    example = EXAMPLE_IMAGE

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
        sources: Sequence[str] | str | None = None,
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
        streaming: bool = False,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: Any = None,
        preserved_by_key: list[str] | str | None = "value",
        webcam_options: WebcamOptions | None = None,
        placeholder: str | None = None,
        watermark: WatermarkOptions | Any = None,
        alt_text: str | None = None,
    ) -> None:
        self.type = one_of("Image type", type, ("numpy", "pil", "filepath"))
        self.watermark = watermark_option(watermark)
        self.format = codecs.image_suffix(format)
        self.image_mode = image_mode
        self.height = height
        self.width = width
        self.streaming = streaming
        self.sources = media_sources("Image", sources, IMAGE_SOURCES,
                                     ["webcam"] if streaming else IMAGE_SOURCES)
        if streaming and self.sources != ["webcam"]:
            raise ConfigError("Image streaming needs sources=['webcam'] (and no other source).")
        self.buttons = download_shown(buttons, ["download", "share", "fullscreen"])
        self.webcam_options = webcam_options or WebcamOptions()
        self.placeholder = placeholder
        self.alt_text = alt_text
        super().__init__(value, label=label, show_label=show_label, interactive=interactive,
                         visible=visible is not False, elem_id=elem_id,
                         elem_classes=elem_classes, scale=scale, min_width=min_width,
                         container=container, render=render, key=key,
                         preserved_by_key=preserved_by_key, every=every, inputs=inputs)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        return image_value(image_entry(payload, conversion), self.type, self.image_mode,
                           conversion)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return None
        if self.watermark.watermark is not None and not _is_svg(value):
            value = apply_watermark(value, self.watermark, conversion)
        return image_payload(value, self.format, conversion)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "type": self.type, "format": self.format,
                "image_mode": self.image_mode, "height": self.height, "width": self.width,
                "sources": self.sources, "streaming": self.streaming,
                "buttons": self.buttons, "show_download_button": "download" in self.buttons,
                "webcam_options": options_props(self.webcam_options),
                "placeholder": self.placeholder, "alt_text": self.alt_text}


class Video(FileComponent):
    """A video file, as input or output; the function gets and returns paths (or URLs)."""

    block_type = "video"
    schema = FILE_DATA_SCHEMA
    python_type = "filepath"
    example = EXAMPLE_VIDEO

    default_format: str | None = None
    change = EventListener("change")
    clear = EventListener("clear")
    start_recording = EventListener("start_recording")
    stop_recording = EventListener("stop_recording")
    stop = EventListener("stop")
    play = EventListener("play")
    pause = EventListener("pause")
    end = EventListener("end")
    upload = EventListener("upload")
    input = EventListener("input")

    def __init__(
        self,
        value: Any = None,
        *,
        format: str | None = None,
        sources: Sequence[str] | str | None = None,
        height: int | str | None = None,
        width: int | str | None = None,
        label: str | None = None,
        every: Any = None,
        inputs: Any = None,
        show_label: bool | None = None,
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
        webcam_options: WebcamOptions | None = None,
        include_audio: bool | None = None,
        autoplay: bool = False,
        buttons: list[Any] | None = None,
        loop: bool = False,
        streaming: bool = False,
        watermark: Any = None,
        subtitles: Any = None,
        playback_position: float = 0,
    ) -> None:
        owner = type(self).__name__
        # Re-encoding a video (format=, mirroring a webcam recording) needs ffmpeg, which
        # porch does not use: videos are served as recorded or returned.
        unhonoured(owner, locals(), {"watermark": None,
                                     "subtitles": None, "playback_position": 0,
                                     "format": self.default_format})
        self.format = format
        self.sources = media_sources(owner, sources, VIDEO_SOURCES, VIDEO_SOURCES)
        self.height = height
        self.width = width
        self.webcam_options = webcam_options or WebcamOptions()
        self.include_audio = "upload" in self.sources if include_audio is None else include_audio
        self.autoplay = autoplay
        self.buttons = download_shown(buttons, ["download"])
        self.loop = loop
        self.streaming = streaming
        super().__init__(value, label=label, show_label=show_label, interactive=interactive,
                         visible=visible is not False, elem_id=elem_id,
                         elem_classes=elem_classes, scale=scale, min_width=min_width,
                         container=container, render=render, key=key,
                         preserved_by_key=preserved_by_key, every=every, inputs=inputs)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        return str(entry_from_payload(payload, conversion).path)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return None
        if isinstance(value, tuple):
            # Gradio's (video, subtitles) pair: the wire carries one file, so subtitles go.
            value = value[0]
        return file_payload(value, conversion)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "format": self.format, "height": self.height,
                "width": self.width, "sources": self.sources, "autoplay": self.autoplay,
                "loop": self.loop, "streaming": self.streaming,
                "include_audio": self.include_audio, "buttons": self.buttons,
                "show_download_button": "download" in self.buttons,
                "webcam_options": options_props(self.webcam_options)}



class PlayableVideo(Video):
    """Gradio's preset: a Video uploaded (not recorded) and meant to play in any browser.
    Gradio converts it to ``format="mp4"`` with ffmpeg; porch serves it as uploaded."""

    default_format = "mp4"

    def __init__(
        self,
        value: Any = None,
        *,
        format: str = "mp4",
        sources: Sequence[str] | str | None = None,
        height: int | str | None = None,
        width: int | str | None = None,
        label: str | None = None,
        every: Any = None,
        inputs: Any = None,
        show_label: bool | None = None,
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
        webcam_options: WebcamOptions | None = None,
        include_audio: bool | None = None,
        autoplay: bool = False,
        buttons: list[str] | None = None,
        loop: bool = False,
        streaming: bool = False,
        watermark: Any = None,
        subtitles: Any = None,
        playback_position: int = 0,
    ) -> None:
        super().__init__(
            value, format=format, sources=["upload"] if sources is None else sources,
            height=height, width=width, label=label, every=every, inputs=inputs,
            show_label=show_label, container=container, scale=scale, min_width=min_width,
            interactive=interactive, visible=visible, elem_id=elem_id,
            elem_classes=elem_classes, render=render, key=key,
            preserved_by_key=preserved_by_key, webcam_options=webcam_options,
            include_audio=include_audio, autoplay=autoplay, buttons=buttons, loop=loop,
            streaming=streaming, watermark=watermark, subtitles=subtitles,
            playback_position=playback_position)
