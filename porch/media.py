"""Sample media for demos and tests: ``porch.media.get_image()`` and its siblings.

Each helper returns the absolute path of a small file porch ships in ``porch/media_assets/``
(made for porch: a picture, tones, a one-second video, three 3D models, data files), or of a
named one; a web URL comes back unchanged. The file gate grants that folder to outputs
(``porch.files.policy``: Reason.BUNDLED), so ``gr.Image(value=porch.media.get_image())`` is
served like any file the app returns, whatever the working directory.

Names are plain file names: a separator, ``..`` or a leading dot is refused, so a name taken
from a request can never reach outside the folder.
"""

from __future__ import annotations

import random
from pathlib import Path

__all__ = [
    "MEDIA_PATHS", "MEDIA_ROOT", "get_audio", "get_file", "get_image", "get_model3d",
    "get_video",
]

MEDIA_ROOT = Path(__file__).resolve().parent / "media_assets"
MEDIA_PATHS = [MEDIA_ROOT / kind for kind in ("images", "videos", "audio", "models3d", "data")]


def _pick(kind: str, filename: str | None) -> str:
    folder = MEDIA_ROOT / kind
    if filename is None:
        if not folder.is_dir():
            raise ValueError(f"porch's sample {kind} folder is missing: {folder}")
        names = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        if not names:
            raise ValueError(f"porch ships no sample {kind} files in {folder}")
        return str(random.choice(names))
    if filename.startswith(("http://", "https://")):
        return filename
    if not filename or "/" in filename or "\\" in filename or filename.startswith(".") \
            or "\x00" in filename:
        raise ValueError(f"{filename!r} is not a plain file name; porch's sample {kind} are "
                         f"{', '.join(available(kind))}.")
    path = folder / filename
    if not path.is_file():
        raise FileNotFoundError(f"Media file not found: {path}. porch's sample {kind} are "
                                f"{', '.join(available(kind))}.")
    return str(path)


def available(kind: str) -> list[str]:
    """The names of porch's sample files of one kind ("images", "audio", "models3d", ...)."""
    folder = MEDIA_ROOT / kind
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def get_image(filename: str | None = None) -> str:
    """Path of a sample image (``"house.png"``, ``"squares.png"``); None picks one at random."""
    return _pick("images", filename)


def get_video(filename: str | None = None) -> str:
    """Path of a sample video (``"bars.mp4"``); None picks one at random."""
    return _pick("videos", filename)


def get_audio(filename: str | None = None) -> str:
    """Path of a sample sound (``"tone.wav"``, ``"chime.wav"``); None picks one at random."""
    return _pick("audio", filename)


def get_model3d(filename: str | None = None) -> str:
    """Path of a sample 3D model (``"cube.obj"``, ``"pyramid.stl"``, ``"tetra.glb"``)."""
    return _pick("models3d", filename)


def get_file(filename: str | None = None) -> str:
    """Path of a sample data file (``"rainfall.csv"``, ``"sample.json"``, ``"notes.txt"``)."""
    return _pick("data", filename)
