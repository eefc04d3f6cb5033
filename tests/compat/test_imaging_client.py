"""gradio_client against porch's imaging components: an EditorData dict whose background,
layers and composite are uploaded files; AnnotatedImage and ImageSlider outputs downloaded as
files; and the Python types gradio_client prints match what it prints for Gradio."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage

import porch as gr
from tests.conftest import free_port

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client, handle_file  # noqa: E402

pytestmark = pytest.mark.compat

RED = [200, 10, 10, 255]


def describe(value: dict[str, Any]) -> dict[str, Any]:
    """What the function saw: shapes and one pixel of each image."""
    def one(image: np.ndarray | None) -> Any:
        return None if image is None else [list(image.shape), image[1, 1].tolist()]

    return {"background": one(value["background"]),
            "layers": [one(layer) for layer in value["layers"]],
            "composite": one(value["composite"])}


def annotate(n: float) -> Any:
    base = np.zeros((20, 30, 3), dtype=np.uint8)
    return base, [((2, 2, 12, 10), "box"), ((int(n), 0, 30, 5), "strip")]


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        editor = gr.ImageEditor(label="editor")
        seen = gr.JSON(label="seen")
        gr.Button("Describe").click(describe, editor, seen, api_name="describe")
        out_editor = gr.ImageEditor(label="echoed", format="png")
        gr.Button("Echo").click(lambda v: v, editor, out_editor, api_name="echo_editor")
        mask = gr.ImageMask(label="mask", type="pil")
        size = gr.JSON(label="size")
        gr.Button("Mask").click(lambda v: list(v["composite"].size), mask, size,
                                api_name="mask_size")
        number = gr.Number(label="n")
        annotated = gr.AnnotatedImage(label="annotated")
        gr.Button("Annotate").click(annotate, number, annotated, api_name="annotate")
        slider = gr.ImageSlider(label="slider", format="png")
        gr.Button("Swap").click(lambda pair: pair[::-1], slider, slider, api_name="swap")
    return demo


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORCH_TEMP_DIR", str(tmp_path_factory.mktemp("cache")))
        demo = build()
        _, local, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                                  server_port=free_port(), quiet=True)
        try:
            yield Client(local, verbose=False,
                         download_files=str(tmp_path_factory.mktemp("downloads")))
        finally:
            demo.close()


@pytest.fixture(scope="module")
def pngs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pngs")
    background = np.full((6, 8, 4), 255, dtype=np.uint8)
    layer = np.zeros((6, 8, 4), dtype=np.uint8)
    layer[1:4, 1:4] = RED
    composite = background.copy()
    composite[1:4, 1:4] = RED
    paths = {}
    for name, array in (("background", background), ("layer", layer), ("composite", composite)):
        paths[name] = root / f"{name}.png"
        PILImage.fromarray(array).save(paths[name])
    return paths


def editor_value(pngs: dict[str, Path]) -> dict[str, Any]:
    return {"background": handle_file(str(pngs["background"])),
            "layers": [handle_file(str(pngs["layer"]))],
            "composite": handle_file(str(pngs["composite"]))}


def test_an_editor_dict_of_uploads_reaches_the_function(client: Client, pngs) -> None:
    seen = client.predict(editor_value(pngs), api_name="/describe")
    assert seen == {"background": [[6, 8, 4], [255, 255, 255, 255]],
                    "layers": [[[6, 8, 4], RED]], "composite": [[6, 8, 4], RED]}


def test_an_editor_value_comes_back_as_downloaded_files(client: Client, pngs) -> None:
    out = client.predict(editor_value(pngs), api_name="/echo_editor")
    assert set(out) == {"background", "layers", "composite", "id"}
    with PILImage.open(out["composite"]) as image:
        assert image.format == "PNG" and image.getpixel((1, 1)) == tuple(RED)
    assert len(out["layers"]) == 1 and Path(out["layers"][0]).is_file()


def test_a_preset_takes_the_same_dict(client: Client, pngs) -> None:
    assert client.predict(editor_value(pngs), api_name="/mask_size") == [8, 6]


def test_annotated_image_output(client: Client) -> None:
    out = client.predict(18, api_name="/annotate")
    assert Path(out["image"]).is_file()
    assert [a["label"] for a in out["annotations"]] == ["box", "strip"]
    with PILImage.open(out["annotations"][0]["image"]) as mask:
        assert mask.mode == "RGBA" and mask.getpixel((2, 2)) == (255, 0, 0, 255)


def test_image_slider_pair_round_trips(client: Client, pngs) -> None:
    left, right = client.predict((handle_file(str(pngs["background"])),
                                  handle_file(str(pngs["composite"]))), api_name="/swap")
    with PILImage.open(left) as image:
        assert image.convert("RGB").getpixel((1, 1)) == tuple(RED[:3])
    with PILImage.open(right) as image:
        assert image.convert("RGB").getpixel((1, 1)) == (255, 255, 255)


def test_view_api_types_match_gradios(client: Client) -> None:
    code = (
        "import json, warnings; warnings.simplefilter('ignore'); import gradio as gr; "
        "from gradio_client.utils import json_schema_to_python_type as py; "
        "print(json.dumps({k: py(c.api_info()) for k, c in [('editor', gr.ImageEditor()), "
        "('annotated', gr.AnnotatedImage()), ('slider', gr.ImageSlider())]}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=180).stdout
    expected = json.loads(out.strip().splitlines()[-1])
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    shown = {
        "editor": api["/describe"]["parameters"][0]["python_type"]["type"],
        "annotated": api["/annotate"]["returns"][0]["python_type"]["type"],
        "slider": api["/swap"]["parameters"][0]["python_type"]["type"],
    }
    assert shown == expected
