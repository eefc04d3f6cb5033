"""What the browser may capture from: `sources=` of Image, Audio and Video, and Gradio's
option dataclasses for the webcam and the recording waveform.

These are plain data: they reach the page as component props, where
`frontend/components/capture.js` opens the camera or microphone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from porch.errors import ConfigError


@dataclass
class WebcamOptions:
    """The webcam of an Image or Video: `mirror` flips the preview (and, as in Gradio, the
    captured picture); `constraints` are MediaTrackConstraints for the video track
    (resolution, `facingMode` on phones), passed to `getUserMedia` as given."""

    mirror: bool = True
    constraints: dict[str, Any] | None = None


@dataclass
class WaveformOptions:
    """How an Audio draws its recording. porch's page uses the browser's own player; of
    these, `sample_rate` is honoured (the rate recordings are captured at, when the browser
    allows it) and the colours and `show_recording_waveform` style the level meter."""

    waveform_color: str | None = None
    waveform_progress_color: str | None = None
    trim_region_color: str | None = None
    show_recording_waveform: bool = True
    skip_length: int | float = 5
    sample_rate: int = 44100


def options_props(options: Any) -> dict[str, Any]:
    """A dataclass of options as the config carries it."""
    return asdict(options)


def media_sources(owner: str, sources: Sequence[str] | str | None, valid: Sequence[str],
                  default: Sequence[str]) -> list[str]:
    """`sources=` as a list, refusing names the component does not know (as Gradio does)."""
    chosen = list(default) if sources is None else (
        [sources] if isinstance(sources, str) else list(sources))
    for source in chosen:
        if source not in valid:
            raise ConfigError(f"{owner} sources must be a list of {', '.join(map(repr, valid))};"
                              f" got {source!r}.")
    return chosen


def download_shown(buttons: Sequence[Any] | None, default: Sequence[str]) -> list[str]:
    """Gradio 6's `buttons=`: the names of the toolbar buttons (custom Button instances
    are not drawn by porch's media components)."""
    chosen = list(default) if buttons is None else list(buttons)
    return [b for b in chosen if isinstance(b, str)]
