"""Gallery, UploadButton, DownloadButton and File, through a real gate."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from PIL import Image as PILImage

import porch as gr
from porch.errors import FileNotAllowed
from tests.components.conftest import Gate, png_bytes

PIXELS = np.full((3, 2, 3), 200, dtype=np.uint8)


def test_gallery_output_with_captions_arrays_pil_paths_and_videos(gate: Gate) -> None:
    photo = gate.allowed / "photo.png"
    photo.write_bytes(png_bytes(PIXELS))
    clip = gate.allowed / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    items = gr.Gallery().postprocess(
        [PIXELS, (str(photo), "a photo"), (PILImage.fromarray(PIXELS), 7), [str(clip), None]],
        gate.conversion,
    )
    assert [item.get("caption") for item in items] == [None, "a photo", "7", None]
    assert [next(iter(item)) for item in items] == ["image", "image", "image", "video"]
    assert items[0]["image"]["orig_name"] == "image.webp"
    assert items[1]["image"]["orig_name"] == "photo.png"
    for item in items:
        data = item.get("image") or item["video"]
        assert gate.is_issued(data["path"]) and data["meta"]["_type"] == "gradio.FileData"


def test_gallery_output_refuses_paths_outside_the_grants(gate: Gate) -> None:
    secret = gate.outside / "secret.png"
    secret.write_bytes(png_bytes(PIXELS))
    with pytest.raises(FileNotAllowed, match="allowed_paths"):
        gr.Gallery().postprocess([(str(secret), "nope")], gate.conversion)


def test_gallery_output_shapes(gate: Gate) -> None:
    assert gr.Gallery().postprocess(None, gate.conversion) == []
    with pytest.raises(ValueError, match="list of images"):
        gr.Gallery().postprocess("one.png", gate.conversion)
    with pytest.raises(ValueError, match=r"\(media, caption\)"):
        gr.Gallery().postprocess([("a.png", "b", "c")], gate.conversion)


def test_gallery_input_gives_pairs_per_type(gate: Gate) -> None:
    upload = gate.upload(png_bytes(PIXELS), "in.png")
    url = "data:image/png;base64," + base64.b64encode(png_bytes(PIXELS)).decode()
    video = gate.upload(b"\x00\x00\x00\x18ftypmp42", "clip.mp4")
    payload = [{"image": upload, "caption": "first"}, {"image": {"path": None, "url": url}},
               {"video": video, "caption": "moving"}]
    paths = gr.Gallery().preprocess(payload, gate.conversion)
    assert paths[0] == (upload["path"], "first") and paths[2] == (video["path"], "moving")
    assert gate.is_issued(paths[1][0]) and paths[1][1] is None
    arrays = gr.Gallery(type="numpy").preprocess(payload[:2], gate.conversion)
    assert all(np.array_equal(image, PIXELS) for image, _ in arrays)
    assert gr.Gallery().preprocess([], gate.conversion) is None
    assert gate.fetched == []


def test_gallery_input_refuses_foreign_paths_and_garbage(gate: Gate) -> None:
    foreign = {"image": {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}}
    with pytest.raises(FileNotAllowed, match="not uploaded"):
        gr.Gallery().preprocess([foreign], gate.conversion)
    with pytest.raises(gr.Error, match="must be a list"):
        gr.Gallery().preprocess({"image": "x"}, gate.conversion)
    with pytest.raises(gr.Error, match="Each Gallery item"):
        gr.Gallery().preprocess(["x.png"], gate.conversion)


def test_gallery_config_and_api_info() -> None:
    gallery = gr.Gallery(columns=3, height=400, label="results")
    entry = gallery.config()
    assert entry["type"] == "gallery" and entry["props"]["columns"] == 3
    assert entry["api_info"]["title"] == "GalleryData" and entry["api_info"]["type"] == "array"
    titles = [s["title"] for s in entry["api_info"]["items"]["anyOf"]]
    assert titles == ["GalleryImage", "GalleryVideo"]
    assert gallery.api_parameter()["python_type"]["type"].startswith("list[dict(image: filepath")
    assert entry["example_inputs"][0]["image"]["orig_name"] == "bus.png"


def test_upload_button_value_is_like_a_file(gate: Gate) -> None:
    button = gr.UploadButton("Send a CSV", file_types=[".csv"], file_count="multiple")
    assert button.label == "Send a CSV" and button.value is None
    first = gate.upload(b"a,b\n1,2\n", "table.csv")
    assert button.preprocess([first], gate.conversion) == [first["path"]]
    wrong = gate.upload(b"x", "notes.txt")
    with pytest.raises(gr.Error, match="Invalid file type: notes.txt"):
        button.preprocess([wrong], gate.conversion)
    binary = gr.UploadButton(type="binary")
    assert binary.preprocess(first, gate.conversion) == b"a,b\n1,2\n"
    with pytest.raises(FileNotAllowed):
        binary.preprocess({"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}},
                          gate.conversion)
    entry = button.config()
    assert entry["type"] == "uploadbutton" and entry["props"]["label"] == "Send a CSV"
    assert entry["props"]["file_count"] == "multiple" and entry["api_info"]["type"] == "array"
    assert entry["props"]["variant"] == "secondary"
    assert gr.UploadButton().label == "Upload a File"


def test_download_button_serves_its_value_through_the_gate(gate: Gate) -> None:
    report = gate.root / "work" / "report.txt"  # the working directory is granted
    report.write_text("the report")
    button = gr.DownloadButton("Get the report", value=str(report))
    data = button.config(gate.conversion)["props"]["value"]
    assert gate.is_issued(data["path"]) and data["orig_name"] == "report.txt"
    assert data["size"] == len("the report")
    assert button.preprocess(data, gate.conversion) == str(gate.stored(data["path"]))
    assert button.postprocess(b"raw bytes", gate.conversion)["size"] == 9
    hidden = gate.root / "work" / ".env"
    hidden.write_text("SECRET=1")
    with pytest.raises(FileNotAllowed, match="starts with '.'"):
        button.postprocess(str(hidden), gate.conversion)
    entry = gr.DownloadButton().config()
    assert entry["type"] == "downloadbutton" and entry["props"]["label"] == "Download"
    assert entry["props"]["value"] is None and entry["api_info"]["title"] == "FileData"


def test_file_single_multiple_and_binary(gate: Gate) -> None:
    one = gate.upload(b"one", "one.txt")
    two = gate.upload(b"two", "two.txt")
    assert gr.File().preprocess(one, gate.conversion) == one["path"]
    assert gr.File(file_count="multiple").preprocess([one, two], gate.conversion) == [
        one["path"], two["path"]]
    assert gr.File(type="binary").preprocess(two, gate.conversion) == b"two"
    with pytest.raises(gr.Error, match="Invalid file type"):
        gr.File(file_types=["image"]).preprocess(one, gate.conversion)
    out = gr.File().postprocess([one, two], gate.conversion)
    assert [item["orig_name"] for item in out] == ["one.txt", "two.txt"]
    assert gr.File(file_count="multiple").config()["api_info"]["type"] == "array"
