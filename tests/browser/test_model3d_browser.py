"""Model3D in Chromium: porch's sample models are drawn (not a blank canvas), the camera
turns and zooms, uploads are drawn and round-trip through a function."""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

import porch as gr

pytestmark = pytest.mark.browser

BACKGROUND = (0.1, 0.2, 0.3, 1.0)
# Pixels of the canvas unlike the clear colour, and the distinct colours among them.
READ_PIXELS = """([canvas, bg]) => {
  const copy = document.createElement("canvas");
  copy.width = canvas.width; copy.height = canvas.height;
  const g = copy.getContext("2d");
  g.drawImage(canvas, 0, 0);
  const d = g.getImageData(0, 0, copy.width, copy.height).data;
  let model = 0; const shades = new Set(); const sum = [0, 0, 0];
  for (let i = 0; i < d.length; i += 4) {
    const rgb = [d[i], d[i + 1], d[i + 2]];
    if (rgb.reduce((far, v, c) => far + Math.abs(v - bg[c]), 0) <= 24) continue;
    model += 1;
    shades.add(rgb.map((v) => v >> 3).join());
    rgb.forEach((v, c) => { sum[c] += v; });
  }
  return { total: d.length / 4, model, shades: shades.size,
           mean: sum.map((v) => (model ? v / model : 0)) };
}"""


def binary_stl(triangles: list[tuple[tuple[float, float, float], ...]]) -> bytes:
    body = b"".join(struct.pack("<12fH", 0, 0, 0, *[c for v in t for c in v], 0)
                    for t in triangles)
    return b"porch test".ljust(80, b" ") + struct.pack("<I", len(triangles)) + body


@pytest.fixture
def open_app(page: Page) -> Iterator[Callable[[Any], Page]]:
    launched: list[Any] = []

    def open_(demo: Any) -> Page:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        demo.launch(prevent_thread_lock=True, server_port=port, quiet=True)
        launched.append(demo)
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("html[data-porch=ready]")
        return page

    yield open_
    for demo in launched:
        demo.close()


def drawn(page: Page, label: str) -> Locator:
    canvas = page.get_by_role("img", name=label)
    expect(canvas).to_have_attribute("data-state", "ready")
    return canvas


def pixels(page: Page, canvas: Locator) -> dict[str, Any]:
    page.wait_for_timeout(100)  # the frame after the last change
    bg = [round(c * 255) for c in BACKGROUND[:3]]
    result: dict[str, Any] = canvas.evaluate("(c, bg) => (" + READ_PIXELS + ")([c, bg])", bg)
    return result


def test_the_sample_cube_is_drawn_turned_and_zoomed(open_app: Callable[[Any], Page]) -> None:
    with gr.Blocks() as demo:
        gr.Model3D(gr.get_model3d("cube.obj"), label="cube", clear_color=BACKGROUND,
                   height=300, interactive=False)
    page = open_app(demo)
    canvas = drawn(page, "cube")
    assert canvas.get_attribute("data-vertices") == "36"  # 6 quads, 12 triangles
    first = pixels(page, canvas)
    # The cube covers part of the canvas, and at least its three visible faces differ.
    assert 0.03 * first["total"] < first["model"] < 0.8 * first["total"]
    assert first["shades"] >= 3
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 90, y + 30, steps=5)
    page.mouse.up()
    turned = pixels(page, canvas)
    assert turned["model"] != first["model"] or turned["mean"] != first["mean"]
    page.mouse.wheel(0, -400)  # wheel up: closer
    closer = pixels(page, canvas)
    assert closer["model"] > turned["model"] * 1.2
    page.get_by_role("link", name="Download").wait_for()
    assert page.get_by_role("link", name="Download").get_attribute("download") == "cube.obj"


def test_the_glb_and_stl_samples_are_drawn_in_their_colours(
        open_app: Callable[[Any], Page]) -> None:
    with gr.Blocks() as demo:
        gr.Model3D(gr.get_model3d("tetra.glb"), label="tetra", clear_color=BACKGROUND)
        gr.Model3D(gr.get_model3d("pyramid.stl"), label="pyramid", clear_color=BACKGROUND,
                   display_mode="wireframe")
    page = open_app(demo)
    tetra = pixels(page, drawn(page, "tetra"))
    red, green, blue = tetra["mean"]
    assert tetra["model"] > 0.02 * tetra["total"] and red > green > blue  # the orange material
    pyramid = pixels(page, drawn(page, "pyramid"))
    assert 0 < pyramid["model"] < 0.2 * pyramid["total"]  # lines, not filled faces


def test_an_uploaded_model_is_drawn_and_round_trips(open_app: Callable[[Any], Page],
                                                    tmp_path: Path) -> None:
    with gr.Blocks() as demo:
        model_in = gr.Model3D(label="in", clear_color=BACKGROUND)
        model_out = gr.Model3D(label="out", clear_color=BACKGROUND)
        gr.Button("Echo").click(lambda path: path, model_in, model_out)
    source = tmp_path / "wedge.stl"
    source.write_bytes(binary_stl([((0, 0, 0), (1, 0, 0), (0, 1, 0)),
                                   ((0, 0, 0), (0, 1, 0), (0, 0, 1)),
                                   ((0, 0, 0), (0, 0, 1), (1, 0, 0)),
                                   ((1, 0, 0), (0, 0, 1), (0, 1, 0))]))
    page = open_app(demo)
    page.get_by_label("in").set_input_files(source)
    uploaded = drawn(page, "in")
    assert uploaded.get_attribute("data-vertices") == "12"
    assert pixels(page, uploaded)["model"] > 0
    page.get_by_role("button", name="Echo").click()
    echoed = drawn(page, "out")
    assert pixels(page, echoed)["model"] > 0
    link = page.get_by_role("link", name="Download").last
    assert "/gradio_api/file=" in (link.get_attribute("href") or "")
    assert link.get_attribute("download") == "wedge.stl"


def test_a_file_the_viewer_cannot_read_says_why(open_app: Callable[[Any], Page],
                                                tmp_path: Path) -> None:
    broken = tmp_path / "broken.glb"
    broken.write_bytes(b"not a glb at all")
    with gr.Blocks() as demo:
        gr.Model3D(str(broken), label="broken")
    page = open_app(demo)
    canvas = page.get_by_role("img", name="broken")
    expect(canvas).to_have_attribute("data-state", "error")
    expect(page.get_by_role("status")).to_contain_text("magic bytes")
