"""Image: conversions both ways through a real gate, data: URLs, refusals, config and API."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

import porch as gr
from porch.components import codecs
from porch.errors import ConfigError, FileNotAllowed
from tests.components.conftest import FILE_URL, Gate, png_bytes

PIXELS = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3) * 3


def read_pixels(path: str) -> np.ndarray:
    with PILImage.open(path) as image:
        return np.asarray(image.convert("RGB"))


def test_numpy_input_gets_the_uploaded_pixels(gate: Gate) -> None:
    payload = gate.upload(png_bytes(PIXELS), "in.png")
    value = gr.Image().preprocess(payload, gate.conversion)
    assert isinstance(value, np.ndarray) and value.dtype == np.uint8
    assert np.array_equal(value, PIXELS)


def test_numpy_output_is_stored_losslessly_as_webp_and_served_by_url(gate: Gate) -> None:
    data = gr.Image().postprocess(PIXELS[::-1], gate.conversion)
    assert data["meta"] == {"_type": "gradio.FileData"}
    assert data["orig_name"] == "image.webp" and data["mime_type"] == "image/webp"
    assert gate.is_issued(data["path"]) and data["url"].startswith(FILE_URL)
    assert np.array_equal(read_pixels(str(gate.stored(data["path"]))), PIXELS[::-1])


def test_round_trip_through_the_component_keeps_pixels(gate: Gate) -> None:
    image = gr.Image(format="png")
    out = image.postprocess(PIXELS, gate.conversion)
    assert out["orig_name"] == "image.png"
    # A client may send an output straight back as an input: it was issued by this app.
    assert np.array_equal(image.preprocess(out, gate.conversion), PIXELS)


def test_pil_input_and_image_mode(gate: Gate) -> None:
    payload = gate.upload(png_bytes(PIXELS), "in.png")
    pil = gr.Image(type="pil").preprocess(payload, gate.conversion)
    assert isinstance(pil, PILImage.Image) and pil.mode == "RGB" and pil.size == (5, 4)
    gray = gr.Image(type="numpy", image_mode="L").preprocess(payload, gate.conversion)
    assert gray.shape == (4, 5)


def test_pil_output(gate: Gate) -> None:
    pil = PILImage.fromarray(PIXELS)
    data = gr.Image(format="jpeg").postprocess(pil.convert("RGBA"), gate.conversion)
    assert data["orig_name"] == "image.jpeg"
    with PILImage.open(gate.stored(data["path"])) as stored:
        assert stored.format == "JPEG" and stored.size == (5, 4)


def test_filepath_input_passes_the_issued_path_when_the_mode_matches(gate: Gate) -> None:
    payload = gate.upload(png_bytes(PIXELS), "in.png")
    assert gr.Image(type="filepath").preprocess(payload, gate.conversion) == payload["path"]
    rgba = gate.upload(png_bytes(np.dstack([PIXELS, np.full((4, 5), 255, np.uint8)])), "a.png")
    converted = gr.Image(type="filepath").preprocess(rgba, gate.conversion)
    assert converted != rgba["path"] and gate.is_issued(converted)
    assert converted.endswith("a.png")
    with PILImage.open(converted) as stored:
        assert stored.mode == "RGB"
    untouched = gr.Image(type="filepath", image_mode=None).preprocess(rgba, gate.conversion)
    assert untouched == rgba["path"]


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.array([[0.0, 0.5], [1.0, -1.0]]), [[0, 128], [255, 0]]),
        (np.array([[0.0, 100.0], [255.0, 300.0]]), [[0, 100], [255, 255]]),
        (np.array([[True, False], [False, True]]), [[255, 0], [0, 255]]),
        (np.array([[0, 65535], [256, 512]], dtype=np.uint16), [[0, 255], [1, 2]]),
        (np.array([[-5, 7], [300, 255]], dtype=np.int64), [[0, 7], [255, 255]]),
    ],
)
def test_arrays_of_any_dtype_become_8_bit(gate: Gate, array: np.ndarray,
                                          expected: list[list[int]]) -> None:
    data = gr.Image(format="png").postprocess(array, gate.conversion)
    with PILImage.open(gate.stored(data["path"])) as stored:
        assert np.asarray(stored).tolist() == expected


def test_badly_shaped_array_is_refused(gate: Gate) -> None:
    with pytest.raises(ValueError, match=r"shape \(H, W\)"):
        gr.Image().postprocess(np.zeros((2, 2, 5)), gate.conversion)


def _data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def test_data_url_input_is_decoded_into_the_cache_never_fetched(gate: Gate) -> None:
    payload = {"path": None, "url": _data_url(png_bytes(PIXELS))}
    assert np.array_equal(gr.Image().preprocess(payload, gate.conversion), PIXELS)
    path = gr.Image(type="filepath").preprocess(payload, gate.conversion)
    assert gate.is_issued(path) and path.endswith(".png")
    assert gate.fetched == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("data:image/svg+xml;base64,PHN2Zy8+", "png, jpeg, webp"),
        ("data:text/html;base64,PGgxPg==", "png, jpeg, webp"),
        ("data:image/png,plain-not-base64", "data:image/png;base64"),
        ("data:image/png;base64,***", "not valid base64"),
        ("data:image/png;base64", "data:image/png;base64"),
    ],
)
def test_bad_data_urls_are_refused(gate: Gate, url: str, message: str) -> None:
    with pytest.raises(gr.Error, match=message):
        gr.Image().preprocess({"path": None, "url": url}, gate.conversion)
    assert gate.fetched == []


def test_data_url_size_is_capped_before_decoding(gate: Gate,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codecs, "DATA_URL_MAX_BYTES", 100)
    before = set(gate.cache.root.rglob("*"))

    def refuse(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("decoded an oversize data URL")

    with monkeypatch.context() as patch:
        patch.setattr(codecs.base64, "b64decode", refuse)
        with pytest.raises(gr.Error, match="larger than 100 bytes"):
            gr.Image().preprocess({"path": None, "url": _data_url(b"x" * 300)}, gate.conversion)
    assert set(gate.cache.root.rglob("*")) == before


def test_http_url_input_goes_to_the_safe_fetcher(gate: Gate) -> None:
    payload = {"path": None, "url": "http://127.0.0.1/x.png",
               "meta": {"_type": "gradio.FileData"}}
    with pytest.raises(FileNotAllowed):
        gr.Image().preprocess(payload, gate.conversion)
    assert gate.fetched == ["http://127.0.0.1/x.png"]


def test_a_path_this_app_did_not_issue_is_refused(gate: Gate) -> None:
    secret = gate.allowed / "secret.png"
    secret.write_bytes(png_bytes(PIXELS))
    for path in (str(secret), "/etc/passwd", str(gate.cache.root / "planted.png")):
        payload = {"path": path, "meta": {"_type": "gradio.FileData"}}
        with pytest.raises(FileNotAllowed, match="was not uploaded to this app"):
            gr.Image().preprocess(payload, gate.conversion)


def test_an_input_without_the_file_marker_is_refused(gate: Gate) -> None:
    payload = gate.upload(png_bytes(PIXELS), "in.png")
    del payload["meta"]
    with pytest.raises(FileNotAllowed, match="FileData"):
        gr.Image().preprocess(payload, gate.conversion)


def test_a_non_image_upload_is_a_clear_error(gate: Gate) -> None:
    payload = gate.upload(b"not an image", "in.png")
    with pytest.raises(gr.Error, match="in.png is not an image"):
        gr.Image().preprocess(payload, gate.conversion)


def test_returned_paths_pass_the_gate(gate: Gate) -> None:
    inside = gate.allowed / "out.png"
    inside.write_bytes(png_bytes(PIXELS))
    data = gr.Image().postprocess(str(inside), gate.conversion)
    assert gate.is_issued(data["path"]) and Path(data["path"]) != inside
    outside = gate.outside / "out.png"
    outside.write_bytes(png_bytes(PIXELS))
    with pytest.raises(FileNotAllowed, match=r"allowed_paths"):
        gr.Image().postprocess(str(outside), gate.conversion)


def test_config_api_info_and_shortcut() -> None:
    image = gr.Image(label="photo", height=200, width=300, format="png", type="pil")
    entry = image.config()
    assert entry["type"] == "image" and entry["skip_api"] is False
    assert entry["api_info"]["title"] == "ImageData"
    assert entry["api_info"]["properties"]["path"]["anyOf"][1] == {"type": "null"}
    props = entry["props"]
    assert (props["height"], props["width"], props["format"]) == (200, 300, "png")
    assert props["value"] is None and props["label"] == "photo"
    assert image.api_parameter()["python_type"]["type"] == "filepath"
    assert image.does_io is True
    def mirror(img: np.ndarray) -> np.ndarray:
        return img[:, ::-1]

    demo = gr.Interface(mirror, "image", "image")
    assert isinstance(demo.input_components[0], gr.Image)
    described = demo.api_info()["named_endpoints"]["/mirror"]
    assert described["parameters"][0]["component"] == "Image"
    assert described["parameters"][0]["example_input"]["orig_name"] == "bus.png"


def test_initial_value_is_served_through_the_gate(gate: Gate) -> None:
    image = gr.Image(PIXELS)
    assert image.config()["props"]["value"] is None  # no gate yet: nothing to serve
    value = image.config(gate.conversion)["props"]["value"]
    assert gate.is_issued(value["path"])


def test_bad_options_name_the_fix() -> None:
    with pytest.raises(ConfigError, match="png"):
        gr.Image(format="svg")
    with pytest.raises(ConfigError, match="'numpy', 'pil', 'filepath'"):
        gr.Image(type="bytes")


def test_missing_pillow_names_the_install_command(gate: Gate,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    payload = gate.upload(png_bytes(PIXELS), "in.png")
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(ConfigError, match=r"pip install numpy pillow .*porch\[media\]"):
        gr.Image().preprocess(payload, gate.conversion)


def test_building_a_media_app_loads_neither_numpy_nor_pillow() -> None:
    code = (
        "import sys, porch as gr\n"
        "demo = gr.Interface(lambda i, a, v: (i, a, v, [i]), ['image', 'audio', 'video'],"
        " ['image', 'audio', 'video', gr.Gallery()])\n"
        "demo.config(); demo.api_info()\n"
        "print(','.join(m for m in ('numpy', 'PIL') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""
