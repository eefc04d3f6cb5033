"""Media values in and out of bytes: images (numpy arrays, PIL images, ``data:`` URLs) and WAV.

numpy and Pillow are imported here only when a value needs them, so ``import porch`` and
text-only apps never load them; when they are missing the error names the install command.
Audio uses the stdlib ``wave`` module (PCM only), so WAV needs no extra dependency.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import io
import sys
import wave
from pathlib import Path
from types import ModuleType
from typing import Any

from porch.errors import ConfigError, Error
from porch.files.cache import CacheEntry, FileCache

INSTALL_HINT = "pip install numpy pillow (or pip install 'porch[media]')"

# Pillow's format names for the `format=` values Gradio users write.
IMAGE_FORMATS = {
    "png": "PNG",
    "webp": "WEBP",
    "jpeg": "JPEG",
    "jpg": "JPEG",
    "gif": "GIF",
    "bmp": "BMP",
    "tiff": "TIFF",
}
# Raster types accepted in an ImageData data: URL. No SVG: it is markup, not pixels.
_DATA_URL_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/bmp": "bmp",
}
# A data: URL arrives inside a JSON body the server already bounds (16 MiB by default);
# this caps the decoded image on its own, checked before anything is decoded.
DATA_URL_MAX_BYTES = 16 * 1024 * 1024


def _load(module: str, purpose: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(f"{purpose} needs numpy and Pillow: {INSTALL_HINT}.") from exc


def numpy_module(purpose: str = "Converting this value") -> ModuleType:
    return _load("numpy", purpose)


def pil_module(purpose: str = "Converting this image") -> ModuleType:
    """``PIL.Image`` (and ``PIL.ImageOps``, loaded with it)."""
    _load("PIL.ImageOps", purpose)
    return _load("PIL.Image", purpose)


def is_array(value: Any) -> bool:
    """A numpy array, decided without importing numpy (no numpy loaded means no arrays)."""
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.ndarray)


def is_pil_image(value: Any) -> bool:
    image = sys.modules.get("PIL.Image")
    return image is not None and isinstance(value, image.Image)


# ---- images -----------------------------------------------------------------------------------
def image_suffix(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in IMAGE_FORMATS:
        raise ConfigError(
            f"Unknown image format {fmt!r}; use one of {', '.join(sorted(IMAGE_FORMATS))}."
        )
    return "jpeg" if fmt == "jpg" else fmt


def array_to_pil(value: Any) -> Any:
    """A PIL image of an HxW, HxWx1, HxWx3 or HxWx4 array of any numeric dtype."""
    np = numpy_module("An image array")
    image = pil_module("An image array")
    arr = np.asarray(value)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        raise ValueError(
            f"An image array must have shape (H, W), (H, W, 3) or (H, W, 4), not {arr.shape}."
        )
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    elif np.issubdtype(arr.dtype, np.floating):
        arr = np.nan_to_num(arr)
        # Floats are read as 0..1 when they fit (the usual convention), else as 0..255.
        scale = 255.0 if arr.size == 0 or float(arr.max()) <= 1.0 else 1.0
        arr = np.clip(arr * scale, 0, 255).round().astype(np.uint8)
    elif arr.dtype == np.uint16:
        arr = (arr >> 8).astype(np.uint8)
    elif arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return image.fromarray(np.ascontiguousarray(arr))


def encode_image(value: Any, fmt: str) -> bytes:
    """``value`` (a numpy array or PIL image) encoded as ``fmt``."""
    img = array_to_pil(value) if is_array(value) else value
    name = IMAGE_FORMATS[image_suffix(fmt)]
    params: dict[str, Any] = {}
    if name == "WEBP":
        # Lossless, unlike Gradio's default: pixel values an app computes must come back as
        # computed (a flipped image is the same pixels, not a re-compressed approximation).
        params["lossless"] = True
    if name == "JPEG" and img.mode not in ("RGB", "L", "CMYK"):
        img = img.convert("RGB")
    with io.BytesIO() as out:
        img.save(out, format=name, **params)
        return out.getvalue()


def open_image(path: Path, mode: str | None) -> Any:
    """The image in ``path`` (an entry the gate returned), upright and in ``mode``."""
    image = pil_module("Reading an image")
    ops = sys.modules["PIL.ImageOps"]
    try:
        with image.open(path) as opened:
            opened.load()
            # Phone photos store "rotate me" in EXIF; apply it so pixels match what users saw.
            upright = ops.exif_transpose(opened)
    except image.DecompressionBombError as exc:
        raise Error(f"{path.name} has too many pixels to open safely.") from exc
    except (image.UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise Error(f"{path.name} is not an image porch can read.") from exc
    if mode and upright.mode != mode:
        upright = upright.convert(mode)
    return upright


def store_data_url(url: str, cache: FileCache, max_bytes: int | None = None) -> CacheEntry:
    """Decode a ``data:image/...;base64,`` URL into a new cache entry.

    Never fetched: the bytes are in the URL. Only raster types are accepted, and the size is
    checked on the encoded text before decoding, so a huge URL costs no decoding work.
    """
    max_bytes = DATA_URL_MAX_BYTES if max_bytes is None else max_bytes
    header, comma, body = url.partition(",")
    params = header[len("data:"):].split(";")
    kind = params[0].strip().lower()
    if not comma or kind not in _DATA_URL_TYPES or "base64" not in [
        p.strip().lower() for p in params[1:]
    ]:
        raise Error("An image data URL must look like data:image/png;base64,<data> "
                    "(png, jpeg, webp, gif or bmp).")
    if len(body) > (max_bytes + 2) // 3 * 4 + 4:
        raise Error(f"The image in the data URL is larger than {max_bytes} bytes.")
    try:
        data = base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Error("The image data URL is not valid base64.") from exc
    if len(data) > max_bytes:
        raise Error(f"The image in the data URL is larger than {max_bytes} bytes.")
    return cache.store_bytes(data, f"image.{_DATA_URL_TYPES[kind]}")


# ---- audio ------------------------------------------------------------------------------------
def encode_wav(sample_rate: int, samples: Any) -> bytes:
    """16-bit PCM WAV of ``samples`` shaped (n,) or (n, channels).

    Floats are taken as [-1, 1] and clipped (not normalised: quiet audio stays quiet);
    integers are rescaled from their own width.
    """
    np = numpy_module("Audio given as (sample_rate, array)")
    arr = np.asarray(samples)
    if arr.ndim not in (1, 2) or (arr.ndim == 2 and not 0 < arr.shape[1] <= 32):
        raise ValueError(
            f"Audio samples must have shape (n,) or (n, channels), not {arr.shape}; "
            "for (channels, n) pass array.T."
        )
    if not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise ValueError(f"The sample rate must be a positive int, not {sample_rate!r}.")
    if arr.dtype == bool:
        raise ValueError("Audio samples must be numbers, not booleans.")
    if np.issubdtype(arr.dtype, np.floating):
        pcm = np.round(np.clip(np.nan_to_num(arr), -1.0, 1.0) * 32767).astype("<i2")
    elif arr.dtype == np.uint8:
        pcm = ((arr.astype(np.int16) - 128) << 8).astype("<i2")
    elif arr.dtype == np.int8:
        pcm = (arr.astype(np.int16) << 8).astype("<i2")
    elif arr.dtype == np.int32:
        pcm = (arr.astype(np.int64) >> 16).clip(-32768, 32767).astype("<i2")
    elif np.issubdtype(arr.dtype, np.integer):
        pcm = np.clip(arr, -32768, 32767).astype("<i2")
    else:
        raise ValueError(f"Audio samples must be numbers, not {arr.dtype}.")
    channels = 1 if arr.ndim == 1 else int(arr.shape[1])
    with io.BytesIO() as out:
        with wave.open(out, "wb") as wav:
            wav.setnchannels(channels)
            wav.setsampwidth(2)
            wav.setframerate(int(sample_rate))
            wav.writeframes(np.ascontiguousarray(pcm).tobytes())
        return out.getvalue()


def decode_wav(path: Path) -> tuple[int, Any]:
    """``(sample_rate, samples)`` of a PCM WAV file: uint8, int16 or int32 samples, shaped
    (n,) for mono and (n, channels) otherwise."""
    np = numpy_module("Audio with type='numpy'")
    try:
        with wave.open(str(path), "rb") as wav:
            rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
            raw = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise Error(
            f"{path.name} is not a PCM WAV file, the only audio porch decodes to numpy; "
            "use Audio(type='filepath') for other formats."
        ) from exc
    if width == 3:
        # 24-bit: widen each sample to 32 bits (low byte zero) so the values keep their scale.
        triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        padded = np.zeros((len(triples), 4), dtype=np.uint8)
        padded[:, 1:] = triples
        samples = padded.view("<i4").reshape(-1)
    else:
        dtype = {1: np.uint8, 2: np.dtype("<i2"), 4: np.dtype("<i4")}.get(width)
        if dtype is None:
            raise Error(f"{path.name} has {width * 8}-bit samples, which porch cannot decode.")
        samples = np.frombuffer(raw, dtype=dtype)
    samples = samples.astype(samples.dtype.newbyteorder("="))
    if channels > 1:
        samples = samples.reshape(-1, channels)
    return rate, samples
