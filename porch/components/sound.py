"""Audio in compressed formats: MP3, Ogg Vorbis and FLAC, through the optional `soundfile`.

WAV needs nothing beyond the standard library (`porch.components.codecs`). The other
formats use libsndfile, which the `soundfile` wheel bundles (about 1 MB, no system
packages), chosen over ffmpeg because it encodes and decodes all three in-process. It is
an optional extra, imported only when such a value is converted; `require_codec` lets a
component fail at construction, naming the install command, instead of at the first call.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import wave
from pathlib import Path
from types import ModuleType
from typing import Any

from porch.components import codecs
from porch.errors import ConfigError, Error

AUDIO_INSTALL_HINT = "pip install soundfile (or pip install 'porch[audio]')"
# format= value -> libsndfile's container name and the subtype it writes.
ENCODED_FORMATS = {"mp3": ("MP3", "MPEG_LAYER_III"), "ogg": ("OGG", "VORBIS"),
                   "flac": ("FLAC", "PCM_16")}
AUDIO_FORMATS = ("wav", *ENCODED_FORMATS)
# First bytes of each format, for audio a function returns as bytes.
_MAGIC = ((b"RIFF", "wav"), (b"OggS", "ogg"), (b"fLaC", "flac"), (b"ID3", "mp3"))


def require_codec(fmt: str, purpose: str) -> None:
    """ConfigError unless audio as `fmt` can be written and read here."""
    if fmt in ENCODED_FORMATS and importlib.util.find_spec("soundfile") is None:
        raise ConfigError(f"{purpose} needs the soundfile package (libsndfile) for "
                          f"{fmt.upper()}: {AUDIO_INSTALL_HINT}.")


def _soundfile(purpose: str) -> ModuleType:
    try:
        return importlib.import_module("soundfile")
    except (ImportError, OSError) as exc:  # OSError: a soundfile without its libsndfile
        raise ConfigError(f"{purpose} needs the soundfile package: {AUDIO_INSTALL_HINT}.") from exc


def encode_audio(sample_rate: int, samples: Any, fmt: str) -> bytes:
    """`(sample_rate, samples)` as a file of format `fmt` (wav, mp3, ogg or flac)."""
    wav = codecs.encode_wav(sample_rate, samples)  # validates and converts to 16-bit PCM
    if fmt == "wav":
        return wav
    container, subtype = ENCODED_FORMATS[fmt]
    sf = _soundfile(f"Audio(format={fmt!r})")
    np = codecs.numpy_module("Audio given as (sample_rate, array)")
    arr = np.asarray(samples)
    channels = 1 if arr.ndim == 1 else int(arr.shape[1])
    with wave.open(io.BytesIO(wav), "rb") as reader:
        raw = reader.readframes(reader.getnframes())
    pcm = np.frombuffer(raw, dtype="<i2").reshape(-1, channels)
    with io.BytesIO() as out:
        sf.write(out, pcm, int(sample_rate), format=container, subtype=subtype)
        return out.getvalue()


def decode_audio(path: Path) -> tuple[int, Any]:
    """`(sample_rate, int16 samples)` of a WAV, MP3, Ogg or FLAC file, shaped (n,) or
    (n, channels) as Gradio gives them."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ENCODED_FORMATS:
        with path.open("rb") as f:
            fmt = sniff(f.read(4)) or fmt
    if fmt not in ENCODED_FORMATS:
        return codecs.decode_wav(path)
    sf = _soundfile(f"Reading {fmt.upper()} audio")
    try:
        samples, rate = sf.read(str(path), dtype="int16", always_2d=False)
    except RuntimeError as exc:  # soundfile's LibsndfileError
        raise Error(f"{path.name} could not be decoded as {fmt.upper()} audio.") from exc
    return int(rate), samples


def convert_file(path: Path, fmt: str) -> bytes:
    """The audio file at `path`, re-encoded as `fmt`."""
    rate, samples = decode_audio(path)
    return encode_audio(rate, samples, fmt)


def sniff(head: bytes) -> str | None:
    """The format of audio bytes, from their first bytes (None when unknown)."""
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "mp3"  # an MPEG audio frame sync, with no ID3 tag in front
    return None
