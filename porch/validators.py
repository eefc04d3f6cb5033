"""Ready-made checks for an event's `validator=` (Gradio's `gr.validators`): each returns
`porch.validate(...)`.

    audio.upload(transcribe, audio, text,
                 validator=lambda a: validators.is_audio_correct_length(a, 1, 30))
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from porch.blocks.updates import validate
from porch.errors import Error


def _length_verdict(kind: str, duration: float, min_length: float | None,
                    max_length: float | None) -> dict[str, Any]:
    if min_length is not None and duration < min_length:
        return validate(False, f"{kind} is too short. It must be at least {min_length} seconds")
    if max_length is not None and duration > max_length:
        return validate(False, f"{kind} is too long. It must be at most {max_length} seconds")
    return {"__type__": "validate", "is_valid": True}


def is_audio_correct_length(audio: tuple[int, Any], min_length: float | None,
                            max_length: float | None) -> dict[str, Any]:
    """Whether `(sample_rate, samples)` (Audio with type="numpy") lasts between `min_length`
    and `max_length` seconds (None: no bound)."""
    if min_length is None and max_length is None:
        return {"__type__": "validate", "is_valid": True}
    sample_rate, data = audio
    return _length_verdict("Audio", len(data) / sample_rate, min_length, max_length)


def is_video_correct_length(video: str, min_length: float | None,
                            max_length: float | None) -> dict[str, Any]:
    """Whether the video file at `video` lasts between `min_length` and `max_length` seconds.

    The length is read from the file's own header (MP4/MOV `mvhd`, no ffmpeg needed); a
    video of another container is an Error naming it."""
    if min_length is None and max_length is None:
        return {"__type__": "validate", "is_valid": True}
    return _length_verdict("Video", video_seconds(Path(video)), min_length, max_length)


def video_seconds(path: Path) -> float:
    """The duration an MP4/MOV file's movie header gives."""
    with path.open("rb") as f:
        data = f.read(64 * 1024 * 1024)  # the moov box sits at the start or the end
    header = _find_box(data, b"moov")
    mvhd = _find_box(header, b"mvhd") if header is not None else None
    if mvhd is None or len(mvhd) < 20:
        raise Error(f"Cannot read the length of {path.name}: only MP4 and MOV videos can be "
                    "checked.")
    if mvhd[0] == 1:  # version 1: 64-bit times
        timescale, duration = struct.unpack(">IQ", mvhd[20:32])
    else:
        timescale, duration = struct.unpack(">II", mvhd[12:20])
    if not timescale:
        raise Error(f"Cannot read the length of {path.name}: its header has no time scale.")
    return float(duration / timescale)


def _find_box(data: bytes, kind: bytes) -> bytes | None:
    """The payload of the first top-level box of type `kind` in `data` (ISO BMFF)."""
    at = 0
    while at + 8 <= len(data):
        size, found = struct.unpack(">I4s", data[at:at + 8])
        start = at + 8
        if size == 1 and at + 16 <= len(data):
            size = struct.unpack(">Q", data[at + 8:at + 16])[0]
            start = at + 16
        elif size == 0:
            size = len(data) - at
        if size < 8:
            return None
        if found == kind:
            return data[start:at + size]
        at += size
    return None
