"""Imaging components in Chromium: drawing on the editor's canvas with the mouse (brush, eraser,
layers, crop, upload, paste) reaches the function as a composite with those pixels changed;
AnnotatedImage shows its boxes and fires select; ImageSlider's slider moves the split."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser

BLUE = [50, 112, 204, 255]
WHITE = [255, 255, 255, 255]


def report(value: dict[str, Any] | None) -> str:
    """What the function saw of an editor value, as JSON text for the page to show."""
    if value is None:
        return "null"
    composite = value["composite"]
    return json.dumps({
        "shape": list(composite.shape),
        "layers": len(value["layers"]),
        "background": list(value["background"].shape),
        "pixels": {f"{x},{y}": composite[y, x].tolist()
                   for x, y in ((100, 50), (20, 50), (180, 50), (5, 5), (60, 40), (30, 40),
                                (120, 40), (40, 20))
                   if y < composite.shape[0] and x < composite.shape[1]},
        "layer_at": [layer[40, 60].tolist() for layer in value["layers"]
                     if layer.shape[0] > 40 and layer.shape[1] > 60],
    })


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        sketch = gr.Sketchpad(label="sketch", canvas_size=(200, 100))
        editor = gr.ImageEditor(label="editor", sources=["upload", "clipboard"])
        out = gr.Textbox(label="out")
        gr.Button("Read sketch").click(report, sketch, out)
        gr.Button("Read editor").click(report, editor, out)
        events = gr.Textbox(label="events")
        editor.upload(lambda: "uploaded", None, events)
        editor.apply(lambda: "applied", None, events)

        number = gr.Number(10, label="n")
        annotated = gr.AnnotatedImage(label="boxes", color_map={"cat": "#00ff00"})
        picked = gr.Textbox(label="picked")

        def boxes(n: float) -> Any:
            return np.zeros((100, 200, 3), dtype=np.uint8), [((10, 10, 60, 60), "cat"),
                                                             ((120, 20, 190, 90), "dog")]

        def chosen(evt: gr.SelectData) -> str:
            return f"{evt.index}:{evt.value}"

        gr.Button("Annotate").click(boxes, number, annotated)
        annotated.select(chosen, None, picked)

        shown = gr.ImageEditor(label="shown", interactive=False)
        gr.Button("Show").click(
            lambda: {"background": np.full((30, 40, 3), 255, dtype=np.uint8),
                     "layers": [np.zeros((30, 40, 4), dtype=np.uint8)], "composite": None},
            None, shown)

        pair = gr.ImageSlider(label="pair")
        gr.Button("Read pair").click(
            lambda p: json.dumps([None if i is None else list(i.shape) for i in p]), pair, out)

        slider = gr.ImageSlider(label="compare", slider_position=30)
        gr.Button("Compare").click(
            lambda: (np.zeros((60, 120, 3), dtype=np.uint8),
                     np.full((60, 120, 3), 255, dtype=np.uint8)), None, slider)
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(build())


@pytest.fixture
def app(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


@pytest.fixture
def background(tmp_path: Path) -> Path:
    path = tmp_path / "white.png"
    PILImage.fromarray(np.full((120, 160, 3), 255, dtype=np.uint8)).save(path)
    return path


def block(page: Page, label: str) -> Any:
    return page.locator(".porch-block-imageeditor").filter(has=page.get_by_role("img", name=label))


def drag(page: Page, stage: Any, points: list[tuple[float, float]], size: tuple[int, int]) -> None:
    """Press, move through `points` (canvas pixels) and release, with the real mouse."""
    box = stage.bounding_box()
    assert box is not None
    scale_x, scale_y = box["width"] / size[0], box["height"] / size[1]
    at = [(box["x"] + x * scale_x, box["y"] + y * scale_y) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for point in at[1:]:
        page.mouse.move(*point, steps=8)
    page.mouse.up()


def read(page: Page, button: str) -> dict[str, Any]:
    out = page.get_by_label("out")
    before = out.input_value()  # each read in these tests sees a different value
    page.get_by_role("button", name=button).click()
    expect(out).not_to_have_value(before)
    result: dict[str, Any] = json.loads(out.input_value())
    return result


def test_drawing_on_the_sketchpad_changes_those_pixels_of_the_composite(app: Page) -> None:
    stage = app.get_by_role("img", name="sketch")
    expect(stage).to_have_attribute("data-size", "200x100")
    drag(app, stage, [(20, 50), (100, 50), (180, 50)], (200, 100))
    seen = read(app, "Read sketch")
    assert seen["shape"] == [100, 200, 4] and seen["layers"] == 1
    black = [0, 0, 0, 255]
    for point in ("20,50", "100,50", "180,50"):
        assert seen["pixels"][point] == black, point
    assert seen["pixels"]["5,5"][3] == 0  # untouched: still transparent


def test_brush_colour_eraser_and_layers_on_an_uploaded_background(app: Page,
                                                                  background: Path) -> None:
    editor = block(app, "editor")
    editor.locator("input[type=file]").set_input_files(background)
    stage = app.get_by_role("img", name="editor")
    expect(stage).to_have_attribute("data-size", "160x120")
    expect(app.get_by_label("events")).to_have_value("uploaded")
    editor.get_by_role("button", name="Colour rgb(50, 112, 204)").click()
    drag(app, stage, [(20, 40), (140, 40)], (160, 120))
    editor.get_by_role("button", name="Eraser").click()
    drag(app, stage, [(120, 30), (120, 50)], (160, 120))
    seen = read(app, "Read editor")
    assert seen["shape"] == [120, 160, 4] and seen["background"] == [120, 160, 4]
    assert seen["pixels"]["60,40"] == BLUE and seen["pixels"]["30,40"] == BLUE
    assert seen["pixels"]["120,40"] == WHITE  # erased down to the background
    assert seen["pixels"]["5,5"] == WHITE
    assert seen["layer_at"] == [BLUE]
    editor.get_by_role("button", name="Undo").click()  # the eraser stroke
    assert read(app, "Read editor")["pixels"]["120,40"] == BLUE

    editor.get_by_role("button", name="Add layer").click()
    expect(editor.get_by_label("Layer")).to_have_value("1")
    editor.get_by_role("button", name="Brush").click()
    drag(app, stage, [(20, 100), (60, 100)], (160, 120))
    seen = read(app, "Read editor")
    assert seen["layers"] == 2 and seen["layer_at"] == [BLUE, [0, 0, 0, 0]]


def test_crop_reshapes_every_part_of_the_value(app: Page, background: Path) -> None:
    editor = block(app, "editor")
    editor.locator("input[type=file]").set_input_files(background)
    stage = app.get_by_role("img", name="editor")
    expect(stage).to_have_attribute("data-size", "160x120")
    drag(app, stage, [(0, 40), (159, 40)], (160, 120))
    editor.get_by_role("button", name="Crop").click()
    drag(app, stage, [(10, 20), (90, 80)], (160, 120))
    expect(stage).to_have_attribute("data-size", "80x60")
    expect(app.get_by_label("events")).to_have_value("applied")
    seen = read(app, "Read editor")
    assert seen["shape"] == [60, 80, 4] and seen["background"] == [60, 80, 4]
    assert seen["pixels"]["30,40"] == WHITE  # crop row 20 + 40 = 60: below the stroke
    assert seen["pixels"]["5,5"] == WHITE
    assert seen["pixels"]["40,20"] == [204, 50, 50, 255]  # the stroke at y=40 is now at y=20

    editor.get_by_label("Width").fill("40")
    editor.get_by_label("Height").fill("30")
    editor.get_by_role("button", name="Resize").click()
    expect(stage).to_have_attribute("data-size", "40x30")
    seen = read(app, "Read editor")
    assert seen["shape"] == [30, 40, 4] and seen["pixels"]["5,5"] == WHITE

    # Undo goes back through the resize and the crop; redo comes forward again.
    editor.get_by_role("button", name="Undo").click()
    expect(stage).to_have_attribute("data-size", "80x60")
    editor.get_by_role("button", name="Undo").click()
    expect(stage).to_have_attribute("data-size", "160x120")
    seen = read(app, "Read editor")
    assert seen["shape"] == [120, 160, 4] and seen["pixels"]["60,40"] == [204, 50, 50, 255]
    editor.get_by_role("button", name="Redo").click()
    expect(stage).to_have_attribute("data-size", "80x60")


def test_pasting_an_image_sets_the_background(app: Page) -> None:
    stage = app.get_by_role("img", name="editor")
    app.evaluate("""async () => {
        const canvas = Object.assign(document.createElement("canvas"), {width: 50, height: 40});
        const ctx = canvas.getContext("2d");
        ctx.fillStyle = "rgb(50, 112, 204)";
        ctx.fillRect(0, 0, 50, 40);
        const blob = await new Promise((done) => canvas.toBlob(done, "image/png"));
        const data = new DataTransfer();
        data.items.add(new File([blob], "pasted.png", {type: "image/png"}));
        const stage = [...document.querySelectorAll(".porch-editor-stage")]
            .find((el) => el.getAttribute("aria-label") === "editor");
        stage.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
    }""")
    expect(stage).to_have_attribute("data-size", "50x40")
    seen = read(app, "Read editor")
    assert seen["shape"] == [40, 50, 4] and seen["pixels"]["5,5"] == BLUE


def test_a_returned_editor_value_is_drawn_without_tools(app: Page) -> None:
    app.get_by_role("button", name="Show").click()
    stage = app.get_by_role("img", name="shown")
    expect(stage).to_have_attribute("data-size", "40x30")
    shown = block(app, "shown")
    expect(shown.get_by_role("toolbar")).to_be_hidden()
    expect(shown.locator("canvas")).to_have_count(2)
    pixel = app.evaluate("""() => [...document.querySelectorAll(".porch-editor-stage")]
        .find((el) => el.getAttribute("aria-label") === "shown")
        .querySelector("canvas.porch-editor-background").getContext("2d")
        .getImageData(5, 5, 1, 1).data.join(",")""")
    assert pixel == "255,255,255,255"


def test_annotated_image_shows_boxes_and_select_fires(app: Page) -> None:
    app.get_by_role("button", name="Annotate").click()
    figure = app.get_by_role("img", name="boxes")
    masks = figure.locator("img.porch-annotated-mask")
    expect(masks).to_have_count(2)
    for k in range(2):
        expect(masks.nth(k)).to_have_js_property("complete", True)
    cat = app.get_by_role("button", name="cat", exact=True)
    expect(cat).to_be_visible()
    expect(app.get_by_role("button", name="dog", exact=True)).to_be_visible()
    cat.click()
    expect(app.get_by_label("picked")).to_have_value("0:cat")
    # A click inside the dog's box selects it; the click lands on the image, not a label.
    box = figure.bounding_box()
    assert box is not None
    app.mouse.click(box["x"] + box["width"] * 150 / 200, box["y"] + box["height"] * 50 / 100)
    expect(app.get_by_label("picked")).to_have_value("1:dog")
    cat.hover()
    expect(masks.nth(1)).to_have_class("porch-annotated-mask porch-annotated-dim")


def test_image_slider_moves_the_split(app: Page) -> None:
    app.get_by_role("button", name="Compare").click()
    range_input = app.get_by_label("compare")
    expect(range_input).to_have_value("30")
    stage = app.locator(".porch-block-imageslider").filter(has=range_input).locator(
        ".porch-slider-stage")
    expect(stage).to_have_attribute("data-position", "30")
    after = stage.locator(".porch-slider-after")
    expect(after).to_have_css("clip-path", "inset(0px 0px 0px 30%)")
    slider_block = app.locator(".porch-block-imageslider").filter(has=range_input)
    download = slider_block.get_by_role("link", name="Download")
    # The image's src arrives with the event's output; wait for it before comparing.
    expect(after).to_have_attribute("src", re.compile(r"/gradio_api/file="))
    expect(download).to_have_attribute("href", after.get_attribute("src") or "missing")
    range_input.fill("75")
    expect(stage).to_have_attribute("data-position", "75")
    expect(after).to_have_css("clip-path", "inset(0px 0px 0px 75%)")
    box = stage.bounding_box()
    assert box is not None
    app.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    app.mouse.down()
    app.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] / 2, steps=5)
    app.mouse.up()
    expect(stage).to_have_attribute("data-position", "20")
    expect(range_input).to_have_value("20")


def test_the_imaging_example_outlines_what_was_drawn(page: Page, serve: Callable[[Any], str]
                                                     ) -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "examples" / "imaging.py"
    spec = importlib.util.spec_from_file_location("porch_example_imaging", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page.goto(serve(module.demo))
    page.wait_for_selector("html[data-porch=ready]")
    stage = page.get_by_role("img", name="Draw a mask")
    expect(stage).to_have_attribute("data-size", "480x360")
    drag(page, stage, [(100, 100), (300, 200)], (480, 360))
    page.get_by_role("button", name="Outline").click()
    marked = page.get_by_role("img", name="Marked")
    expect(marked.locator("img.porch-annotated-mask")).to_have_count(2)
    expect(page.get_by_role("button", name="strokes")).to_be_visible()
    expect(page.get_by_role("button", name="area")).to_be_visible()
    after = page.locator(".porch-slider-stage img.porch-slider-after")
    expect(after).to_have_attribute("src", re.compile("/gradio_api/file="))


def test_an_image_slider_input_takes_an_upload_on_each_side(app: Page, background: Path,
                                                           tmp_path: Path) -> None:
    small = tmp_path / "small.png"
    PILImage.fromarray(np.zeros((10, 20, 3), dtype=np.uint8)).save(small)
    pair = app.locator(".porch-block-imageslider").filter(has=app.get_by_label("pair"))
    uploads = pair.locator(".porch-slider-uploads input[type=file]")
    uploads.nth(0).set_input_files(background)
    uploads.nth(1).set_input_files(small)
    expect(pair.locator("img.porch-slider-after")).to_have_attribute("src", re.compile("^blob:"))
    out = app.get_by_label("out")
    app.get_by_role("button", name="Read pair").click()
    expect(out).to_have_value("[[120, 160, 3], [10, 20, 3]]")
