"""ImageEditor and its presets, Brush/Eraser/LayerOptions, and the watermark on Image: values
through a real gate, Gradio's defaults in the config, refusals."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

import porch as gr
from porch.errors import FileNotAllowed
from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests
from tests.components.conftest import Gate, png_bytes

RGBA = np.zeros((4, 6, 4), dtype=np.uint8)
RGBA[1:3, 2:5] = [10, 200, 30, 255]  # an opaque green block on transparent black


def editor_payload(gate: Gate) -> dict:
    return {"background": gate.upload(png_bytes(RGBA), "bg.png"),
            "layers": [gate.upload(png_bytes(RGBA), "layer.png")],
            "composite": gate.upload(png_bytes(RGBA), "composite.png"), "id": None}


def test_numpy_value_has_background_layers_and_composite_in_rgba(gate: Gate) -> None:
    value = gr.ImageEditor().preprocess(editor_payload(gate), gate.conversion)
    assert set(value) == {"background", "layers", "composite"}
    assert value["composite"].shape == (4, 6, 4)
    assert np.array_equal(value["composite"], RGBA)
    assert len(value["layers"]) == 1 and np.array_equal(value["layers"][0], RGBA)


def test_modes_without_alpha_flatten_background_and_composite_on_white(gate: Gate) -> None:
    value = gr.ImageEditor(image_mode="RGB").preprocess(editor_payload(gate), gate.conversion)
    composite = value["composite"]
    assert composite.shape == (4, 6, 3)
    assert composite[0, 0].tolist() == [255, 255, 255]  # transparent became white
    assert composite[1, 2].tolist() == [10, 200, 30]
    # Layers only drop their alpha, as in Gradio.
    assert value["layers"][0][0, 0].tolist() == [0, 0, 0]


def test_pil_and_filepath_types(gate: Gate) -> None:
    pil = gr.ImageEditor(type="pil").preprocess(editor_payload(gate), gate.conversion)
    assert isinstance(pil["background"], PILImage.Image) and pil["background"].mode == "RGBA"
    paths = gr.Sketchpad(type="filepath").preprocess(editor_payload(gate), gate.conversion)
    assert Path(paths["composite"]).is_file()
    assert gate.cache.lookup(Path(paths["composite"])) is not None
    gray = gr.ImageEditor(type="filepath", image_mode="L").preprocess(editor_payload(gate),
                                                                      gate.conversion)
    with PILImage.open(gray["composite"]) as image:
        assert image.mode == "L"
    assert gate.cache.lookup(Path(gray["composite"])) is not None


def test_empty_parts_and_none(gate: Gate) -> None:
    editor = gr.ImageMask()
    assert editor.preprocess(None, gate.conversion) is None
    value = editor.preprocess({"background": None, "layers": [], "composite": None, "id": "x"},
                              gate.conversion)
    assert value == {"background": None, "layers": [], "composite": None}


def test_inputs_must_be_files_this_app_issued(gate: Gate, tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.png"
    secret.write_bytes(png_bytes(RGBA))
    payload = {"background": {"path": str(secret), "meta": {"_type": "gradio.FileData"}},
               "layers": [], "composite": None}
    with pytest.raises(FileNotAllowed):
        gr.ImageEditor().preprocess(payload, gate.conversion)


def test_output_dict_and_single_image(gate: Gate) -> None:
    editor = gr.ImageEditor(format="png")
    out = editor.postprocess({"background": RGBA, "layers": [RGBA[:, :, :3]],
                              "composite": PILImage.fromarray(RGBA)}, gate.conversion)
    assert set(out) == {"background", "layers", "composite", "id"} and out["id"] is None
    for data in (out["background"], out["layers"][0], out["composite"]):
        assert data["orig_name"] == "image.png" and gate.is_issued(data["path"])
    single = editor.postprocess(RGBA, gate.conversion)
    assert single["layers"] == [] and single["background"] == single["composite"]
    # What the editor returned can come straight back as its input.
    back = editor.preprocess(out, gate.conversion)
    assert np.array_equal(back["background"], RGBA)
    with pytest.raises(ValueError):
        editor.postprocess(42, gate.conversion)


def test_config_carries_gradios_tool_options() -> None:
    props = gr.ImageEditor().props()
    assert props["name"] == "imageeditor"
    assert props["brush"] == {"default_size": "auto", "colors": [
        "rgb(204, 50, 50)", "rgb(173, 204, 50)", "rgb(50, 204, 112)", "rgb(50, 112, 204)",
        "rgb(173, 50, 204)"], "default_color": "rgb(204, 50, 50)", "color_mode": "defaults"}
    assert props["eraser"] == {"default_size": "auto"}
    assert props["layers"] == {"allow_additional_layers": True, "layers": ["Layer 1"],
                               "disabled": False}
    assert props["transforms"] == ["crop", "resize"] and props["canvas_size"] == [800, 800]
    assert props["sources"] == ["upload", "webcam", "clipboard"]
    mask = gr.ImageMask().props()
    assert mask["brush"]["colors"] == ["#000000"] and mask["brush"]["color_mode"] == "fixed"
    assert mask["layers"]["disabled"] is True and mask["transforms"] == ["crop"]
    assert gr.Sketchpad().props()["sources"] == [] and gr.Paint().props()["sources"] == []
    assert gr.Paint().props()["brush"]["color_mode"] == "defaults"
    hidden = gr.ImageEditor(brush=False, eraser=False, layers=gr.LayerOptions(
        layers=["a", "b"], allow_additional_layers=False)).props()
    assert hidden["brush"] is False and hidden["eraser"] is False
    assert hidden["layers"]["layers"] == ["a", "b"]


def test_dataclass_defaults_match_gradio() -> None:
    assert gr.Brush(colors="#123456").default_color == "#123456"
    assert gr.Brush(colors=[("#ff0000", 0.5)]).default_color == ("#ff0000", 0.5)
    assert gr.LayerOptions(layers=[]).layers == ["Layer 1"]
    assert gr.Eraser().default_size == "auto"


def test_bad_options_are_refused() -> None:
    with pytest.raises(Exception, match="type"):
        gr.ImageEditor(type="bytes")
    with pytest.raises(Exception, match="sources"):
        gr.ImageEditor(sources=["camera"])


def test_webcam_options_warn_that_porch_does_not_act_on_them() -> None:
    reset_for_tests()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gr.ImageEditor(webcam_options=object())
        gr.ImageEditor(sources=["webcam"])
        gr.ImageEditor()  # Gradio's default sources name the webcam too: no warning for them
    assert [str(w.message).split(":")[1].split("=")[0].strip(" `") for w in caught
            if w.category is UnhonouredOptionWarning] == ["webcam_options", "sources"]
    reset_for_tests()


# ---- watermark --------------------------------------------------------------------------------
MARK = np.full((2, 3, 4), [255, 0, 255, 255], dtype=np.uint8)


def test_watermark_options_validate_like_gradio() -> None:
    assert gr.WatermarkOptions().position == "bottom-right"
    with pytest.raises(ValueError):
        gr.WatermarkOptions(position="middle")
    with pytest.raises(ValueError):
        gr.WatermarkOptions(position=(1, 2, 3))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        gr.WatermarkOptions(watermark=42)


@pytest.mark.parametrize(("position", "corner"), [
    ("bottom-right", (8, 17)), ("top-left", (10, 10)), ((3, 4), (4, 3)), ((100, 100), (8, 17)),
])
def test_image_output_is_watermarked(gate: Gate, position, corner) -> None:
    base = np.zeros((20, 30, 3), dtype=np.uint8)
    image = gr.Image(format="png", watermark=gr.WatermarkOptions(MARK, position))
    out = image.postprocess(base, gate.conversion)
    with PILImage.open(gate.stored(out["path"])) as saved:
        pixels = np.asarray(saved.convert("RGB"))
    y, x = corner  # the top-left pixel of the watermark, as (row, column)
    assert pixels[y, x].tolist() == [255, 0, 255]
    assert pixels[y + 2, x + 3].tolist() == [0, 0, 0]
    assert (pixels == [255, 0, 255]).all(axis=2).sum() == 6


def test_watermark_from_a_path_goes_through_the_gate(gate: Gate) -> None:
    allowed = gate.allowed / "mark.png"
    allowed.write_bytes(png_bytes(MARK))
    out = gr.Image(format="png", watermark=str(allowed)).postprocess(
        np.zeros((20, 30, 3), dtype=np.uint8), gate.conversion)
    with PILImage.open(gate.stored(out["path"])) as saved:
        assert np.asarray(saved.convert("RGB"))[8, 17].tolist() == [255, 0, 255]
    outside = gate.outside / "mark.png"
    outside.write_bytes(png_bytes(MARK))
    with pytest.raises(FileNotAllowed):
        gr.Image(watermark=str(outside)).postprocess(np.zeros((20, 30, 3), dtype=np.uint8),
                                                     gate.conversion)
