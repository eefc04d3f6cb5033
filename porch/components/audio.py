"""Audio and its microphone preset: sound in and out, recorded in the browser or uploaded.

As an input the function gets ``(sample_rate, int16 samples)`` (``type="numpy"``) or a path
(``"filepath"``, converted to ``format`` when one is set). As an output it may return either,
a URL, or the bytes of a file. ``format`` is wav (standard library only), or mp3, ogg or
flac through the optional soundfile package (`porch.components.sound`). With
``streaming=True`` each value a generator yields is one chunk, which the page plays after
the previous one; an input with ``streaming=True`` sends the microphone in chunks to a
``.stream()`` event, every ``stream_every`` seconds.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from porch.components import sound
from porch.components.base import Conversion, EventListener
from porch.components.capture import (
    WaveformOptions,
    download_shown,
    media_sources,
    options_props,
)
from porch.components.files import (
    FILE_DATA_SCHEMA,
    entry_from_payload,
    entry_payload,
    file_payload,
    is_url,
)
from porch.components.media import EXAMPLE_AUDIO, FileComponent, one_of
from porch.errors import ConfigError
from porch.files.cache import CacheEntry
from porch.unhonoured import unhonoured, warn_unhonoured

AUDIO_SOURCES = ("upload", "microphone")


class Audio(FileComponent):
    """Audio, as input or output (see the module's docstring for the values)."""

    block_type = "audio"
    schema = FILE_DATA_SCHEMA
    python_type = "filepath"
    example = EXAMPLE_AUDIO

    stream = EventListener("stream")
    change = EventListener("change")
    clear = EventListener("clear")
    play = EventListener("play")
    pause = EventListener("pause")
    stop = EventListener("stop")
    start_recording = EventListener("start_recording")
    pause_recording = EventListener("pause_recording")
    stop_recording = EventListener("stop_recording")
    upload = EventListener("upload")
    input = EventListener("input")

    def __init__(
        self,
        value: Any = None,
        *,
        sources: Sequence[str] | str | None = None,
        type: str = "numpy",
        label: str | None = None,
        every: Any = None,
        inputs: Any = None,
        show_label: bool | None = None,
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
        format: str | None = None,
        autoplay: bool = False,
        editable: bool = True,
        buttons: list[Any] | None = None,
        waveform_options: WaveformOptions | dict[str, Any] | None = None,
        loop: bool = False,
        recording: bool = False,
        subtitles: Any = None,
        playback_position: float = 0,
    ) -> None:
        owner = "Audio"
        unhonoured(owner, locals(), {"subtitles": None,
                                     "playback_position": 0})
        self.sources = media_sources("Audio", sources, AUDIO_SOURCES,
                                     ["microphone"] if streaming else AUDIO_SOURCES)
        self.type = one_of("Audio type", type, ("numpy", "filepath"))
        self.streaming = streaming
        if streaming and "microphone" not in self.sources:
            raise ConfigError("Audio streaming needs 'microphone' in sources.")
        if format is not None:
            format = one_of("Audio format", format.lower(), sound.AUDIO_FORMATS)
            sound.require_codec(format, f"Audio(format={format!r})")
        self.format = format
        self.autoplay = autoplay
        self.editable = editable
        self.buttons = download_shown(buttons, ["download", "share"])
        if buttons is not None and len(self.buttons) != len(buttons):
            warn_unhonoured(owner, "buttons (a Button)")
        if isinstance(waveform_options, dict):
            waveform_options = WaveformOptions(**waveform_options)
        self.waveform_options = waveform_options or WaveformOptions()
        self.loop = loop
        self.recording = recording
        super().__init__(value, label=label, show_label=show_label, interactive=interactive,
                         visible=visible is not False, elem_id=elem_id,
                         elem_classes=elem_classes, scale=scale, min_width=min_width,
                         container=container, render=render, key=key,
                         preserved_by_key=preserved_by_key, every=every, inputs=inputs)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        entry = entry_from_payload(payload, conversion)
        if self.type == "numpy":
            return sound.decode_audio(entry.path)
        return str(self._in_format(entry, conversion).path)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return None
        cache = conversion.require_policy().cache
        if is_sampled_audio(value):
            rate, samples = value
            fmt = self.format or "wav"
            data = sound.encode_audio(rate, samples, fmt)
            return entry_payload(cache.store_bytes(data, f"audio.{fmt}"), conversion)
        if isinstance(value, (bytes, bytearray)):
            # Bytes are what a streaming generator usually yields: name the file by its
            # content, so the browser knows how to play it.
            fmt = sound.sniff(bytes(value[:4])) or "wav"
            entry = self._in_format(cache.store_bytes(bytes(value), f"audio.{fmt}"), conversion)
            return entry_payload(entry, conversion)
        if isinstance(value, dict) and "path" in value:
            value = value["path"]
        if self.format is not None and isinstance(value, (str, os.PathLike)) and not is_url(
            os.fspath(value)
        ):
            entry = conversion.require_policy().adopt_output(os.fspath(value))
            return entry_payload(self._in_format(entry, conversion), conversion)
        return file_payload(value, conversion)

    def _in_format(self, entry: CacheEntry, conversion: Conversion) -> CacheEntry:
        """`entry`, or a new entry holding it re-encoded as `format`."""
        suffix = entry.path.suffix.lower().lstrip(".")
        if self.format is None or suffix == self.format:
            return entry
        data = sound.convert_file(entry.path, self.format)
        stem = Path(entry.orig_name).stem or "audio"
        return conversion.require_policy().cache.store_bytes(data, f"{stem}.{self.format}")

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "type": self.type, "format": self.format,
                "sources": self.sources, "streaming": self.streaming,
                "autoplay": self.autoplay, "loop": self.loop, "editable": self.editable,
                "recording": self.recording, "buttons": self.buttons,
                "show_download_button": "download" in self.buttons,
                "waveform_options": options_props(self.waveform_options)}


def is_sampled_audio(value: Any) -> bool:
    """``(sample_rate, samples)``: an int rate and something array-like (not a path)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return False
    rate, samples = value
    return (isinstance(rate, int) or type(rate).__module__ == "numpy") and not isinstance(
        samples, (str, bytes, dict)
    )


class Microphone(Audio):
    """Gradio's preset: an Audio recorded from the microphone (`gr.Mic` for short)."""

    def __init__(
        self,
        value: Any = None,
        *,
        sources: Sequence[str] | str | None = None,
        type: str = "numpy",
        label: str | None = None,
        every: Any = None,
        inputs: Any = None,
        show_label: bool | None = None,
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
        format: str = "wav",
        autoplay: bool = False,
        buttons: list[str] | None = None,
        editable: bool = True,
        waveform_options: WaveformOptions | dict[str, Any] | None = None,
        loop: bool = False,
        recording: bool = False,
        subtitles: Any = None,
        playback_position: int = 0,
    ) -> None:
        super().__init__(
            value, sources=["microphone"] if sources is None else sources, type=type,
            label=label, every=every, inputs=inputs, show_label=show_label,
            container=container, scale=scale, min_width=min_width, interactive=interactive,
            visible=visible, streaming=streaming, elem_id=elem_id, elem_classes=elem_classes,
            render=render, key=key, preserved_by_key=preserved_by_key, format=format,
            autoplay=autoplay, editable=editable, buttons=buttons,
            waveform_options=waveform_options, loop=loop, recording=recording,
            subtitles=subtitles, playback_position=playback_position)


Mic = Microphone
