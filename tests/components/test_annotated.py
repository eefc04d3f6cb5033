"""AnnotatedImage and ImageSlider: values through a real gate, masks drawn as Gradio draws them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

import porch as gr
from porch.errors import FileNotAllowed
from tests.components.conftest import Gate, png_bytes

BASE = np.zeros((20, 30, 3), dtype=np.uint8)


def rgba(gate: Gate, data: dict) -> np.ndarray:
    with PILImage.open(gate.stored(data["path"])) as image:
        assert image.mode == "RGBA"
        return np.asarray(image)


def test_boxes_become_translucent_masks_with_a_solid_border(gate: Gate) -> None:
    component = gr.AnnotatedImage(color_map={"car": "#00ff00"})
    out = component.postprocess((BASE, [((5, 4, 20, 15), "car"), ((0, 0, 6, 6), "sky")]),
                                gate.conversion)
    assert gate.is_issued(out["image"]["path"]) and out["image"]["orig_name"] == "image.webp"
    car, sky = out["annotations"]
    assert car["label"] == "car" and sky["label"] == "sky"
    pixels = rgba(gate, car["image"])
    assert pixels.shape == (20, 30, 4)
    assert pixels[4, 5].tolist() == [0, 255, 0, 255]  # border
    assert pixels[9, 12].tolist() == [0, 255, 0, 127]  # inside
    assert pixels[0, 0, 3] == 0 and pixels[19, 29, 3] == 0  # outside
    assert rgba(gate, sky["image"])[0, 0].tolist() == [255, 0, 0, 255]  # default red


def test_array_masks_set_the_opacity(gate: Gate) -> None:
    mask = np.zeros((20, 30))
    mask[2:4, 2:4] = 1.0
    mask[10, 10] = 0.5
    out = gr.AnnotatedImage().postprocess((PILImage.fromarray(BASE), [(mask, "spot")]),
                                          gate.conversion)
    pixels = rgba(gate, out["annotations"][0]["image"])
    assert pixels[2, 2, 3] == 255 and pixels[10, 10, 3] == 127 and pixels[0, 0, 3] == 0
    with pytest.raises(ValueError, match="shape"):
        gr.AnnotatedImage().postprocess((BASE, [(np.zeros((3, 3)), "x")]), gate.conversion)


def test_a_path_base_image_is_adopted_through_the_gate(gate: Gate) -> None:
    path = gate.work / "base.png"
    path.write_bytes(png_bytes(BASE))
    out = gr.AnnotatedImage().postprocess((str(path), [((0, 0, 3, 3), "a")]), gate.conversion)
    assert gate.is_issued(out["image"]["path"])
    outside = gate.outside / "base.png"
    outside.write_bytes(png_bytes(BASE))
    with pytest.raises(FileNotAllowed):
        gr.AnnotatedImage().postprocess((str(outside), []), gate.conversion)


def test_input_is_paths_and_labels(gate: Gate) -> None:
    component = gr.AnnotatedImage()
    out = component.postprocess((BASE, [((0, 0, 3, 3), "a")]), gate.conversion)
    base, annotations = component.preprocess(out, gate.conversion)
    assert Path(base).is_file() and annotations[0][1] == "a" and Path(annotations[0][0]).is_file()
    assert component.preprocess(None, gate.conversion) is None


def test_annotated_config() -> None:
    props = gr.AnnotatedImage(show_legend=False).props()
    assert props["name"] == "annotatedimage" and props["show_legend"] is False
    assert props["buttons"] == ["fullscreen"]


def test_slider_round_trip_and_types(gate: Gate) -> None:
    slider = gr.ImageSlider(format="png")
    pixels = np.arange(20 * 30 * 3, dtype=np.uint8).reshape(20, 30, 3)
    out = slider.postprocess((pixels, pixels[::-1]), gate.conversion)
    assert len(out) == 2 and all(gate.is_issued(d["path"]) for d in out)
    left, right = slider.preprocess(out, gate.conversion)
    assert np.array_equal(left, pixels) and np.array_equal(right, pixels[::-1])
    pil = gr.ImageSlider(type="pil").preprocess(out, gate.conversion)
    assert all(isinstance(p, PILImage.Image) for p in pil)
    paths = gr.ImageSlider(type="filepath").preprocess([out[0], None], gate.conversion)
    assert Path(paths[0]).is_file() and paths[1] is None
    assert slider.postprocess((None, BASE), gate.conversion)[0] is None
    with pytest.raises(ValueError):
        slider.postprocess(BASE, gate.conversion)


def test_slider_config() -> None:
    props = gr.ImageSlider(slider_position=30).props()
    assert props["name"] == "imageslider" and props["slider_position"] == 30
    assert props["max_height"] == 500 and props["buttons"] == ["download", "fullscreen"]


def test_custom_buttons_warn_that_the_page_does_not_draw_them() -> None:
    import warnings

    from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests

    reset_for_tests()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        slider = gr.ImageSlider(buttons=["download", gr.Button("Go", render=False)])
    assert [w.category for w in caught] == [UnhonouredOptionWarning]
    assert slider.props()["buttons"] == ["download"]
    reset_for_tests()
