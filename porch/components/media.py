"""Media components: Image, Audio and Video. Every file they accept or return passes the gate.

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
from porch.components.files import (
    FILE_DATA_SCHEMA,
    entry_from_payload,
    entry_payload,
    file_payload,
)
from porch.components.watermark import WatermarkOptions, apply_watermark, watermark_option
from porch.errors import ConfigError
from porch.files.cache import CacheEntry

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

    change = EventListener("change")
    upload = EventListener("upload")
    clear = EventListener("clear")
    select = EventListener("select")
    input = EventListener("input")

    def __init__(
        self,
        value: Any = None,
        *,
        type: str = "numpy",
        format: str = "webp",
        image_mode: str | None = "RGB",
        height: int | str | None = None,
        width: int | str | None = None,
        sources: Sequence[str] | None = ("upload",),
        show_download_button: bool = True,
        watermark: WatermarkOptions | Any = None,
        **common: Any,
    ) -> None:
        self.type = one_of("Image type", type, ("numpy", "pil", "filepath"))
        self.watermark = watermark_option(watermark)
        self.format = codecs.image_suffix(format)
        self.image_mode = image_mode
        self.height = height
        self.width = width
        self.sources = list(sources or [])
        self.show_download_button = show_download_button
        super().__init__(value, **common)

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
                "sources": self.sources, "show_download_button": self.show_download_button}


class Audio(FileComponent):
    """Audio, as input or output. ``type="numpy"`` gives ``(sample_rate, samples)`` (read from
    PCM WAV); ``"filepath"`` gives a path. The function may return either (or a URL); arrays
    are stored as 16-bit WAV."""

    block_type = "audio"
    schema = FILE_DATA_SCHEMA
    python_type = "filepath"
    example = EXAMPLE_AUDIO

    change = EventListener("change")
    upload = EventListener("upload")
    clear = EventListener("clear")
    play = EventListener("play")
    pause = EventListener("pause")
    stop = EventListener("stop")
    input = EventListener("input")

    def __init__(
        self,
        value: Any = None,
        *,
        type: str = "numpy",
        format: str | None = "wav",
        sources: Sequence[str] | None = ("upload",),
        autoplay: bool = False,
        loop: bool = False,
        show_download_button: bool = True,
        **common: Any,
    ) -> None:
        self.type = one_of("Audio type", type, ("numpy", "filepath"))
        if format not in (None, "wav"):
            # Other encoders need ffmpeg; porch writes WAV with the standard library only.
            raise ConfigError(f"Audio format {format!r} is not supported; use format='wav'.")
        self.format = format
        self.sources = list(sources or [])
        self.autoplay = autoplay
        self.loop = loop
        self.show_download_button = show_download_button
        super().__init__(value, **common)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        entry = entry_from_payload(payload, conversion)
        if self.type == "filepath":
            return str(entry.path)
        return codecs.decode_wav(entry.path)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return None
        if _is_sampled_audio(value):
            rate, samples = value
            data = codecs.encode_wav(rate, samples)
            entry = conversion.require_policy().cache.store_bytes(data, "audio.wav")
            return entry_payload(entry, conversion)
        return file_payload(value, conversion)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "type": self.type, "format": self.format,
                "sources": self.sources, "autoplay": self.autoplay, "loop": self.loop,
                "show_download_button": self.show_download_button}


def _is_sampled_audio(value: Any) -> bool:
    """``(sample_rate, samples)``: an int rate and something array-like (not a path)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return False
    rate, samples = value
    return (isinstance(rate, int) or type(rate).__module__ == "numpy") and not isinstance(
        samples, (str, bytes, dict)
    )


class Video(FileComponent):
    """A video file, as input or output; the function gets and returns paths (or URLs)."""

    block_type = "video"
    schema = FILE_DATA_SCHEMA
    python_type = "filepath"
    example = EXAMPLE_VIDEO

    change = EventListener("change")
    upload = EventListener("upload")
    clear = EventListener("clear")
    play = EventListener("play")
    pause = EventListener("pause")
    stop = EventListener("stop")
    end = EventListener("end")

    def __init__(
        self,
        value: Any = None,
        *,
        format: str | None = None,
        height: int | str | None = None,
        width: int | str | None = None,
        sources: Sequence[str] | None = ("upload",),
        autoplay: bool = False,
        loop: bool = False,
        show_download_button: bool = True,
        **common: Any,
    ) -> None:
        self.format = format
        self.height = height
        self.width = width
        self.sources = list(sources or [])
        self.autoplay = autoplay
        self.loop = loop
        self.show_download_button = show_download_button
        super().__init__(value, **common)

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
                "loop": self.loop, "show_download_button": self.show_download_button}

