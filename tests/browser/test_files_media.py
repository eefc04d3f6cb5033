"""Files and media in the browser: upload with preview, processed outputs, the size limit,
downloads, upload buttons, audio, video and galleries."""

from __future__ import annotations

import io
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser

OpenApp = Callable[..., Page]
PIXELS = np.arange(12 * 10 * 3, dtype=np.uint8).reshape(12, 10, 3)


@pytest.fixture
def open_with(page: Page) -> Iterator[OpenApp]:
    """`open_with(demo, **launch_options)`: serve with options and load the page."""
    launched: list[Any] = []

    def open_(demo: Any, **options: Any) -> Page:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        demo.launch(prevent_thread_lock=True, server_port=port, quiet=True, **options)
        launched.append(demo)
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("html[data-porch=ready]")
        return page

    yield open_
    for demo in launched:
        demo.close()


@pytest.fixture
def png(tmp_path: Path) -> Path:
    path = tmp_path / "in.png"
    PILImage.fromarray(PIXELS).save(path)
    return path


def pixels_at(page: Page, url: str) -> np.ndarray:
    response = page.request.get(url)
    assert response.ok
    with PILImage.open(io.BytesIO(response.body())) as image:
        return np.asarray(image.convert("RGB"))


def flip(image: np.ndarray) -> np.ndarray:
    return image[::-1]


def test_upload_an_image_see_it_and_the_processed_output(open_with: OpenApp, png: Path) -> None:
    page = open_with(gr.Interface(flip, gr.Image(label="photo"), gr.Image(label="flipped")))
    page.get_by_label("photo").set_input_files(png)
    preview = page.get_by_role("img", name="photo")
    expect(preview).to_be_visible()
    assert preview.get_attribute("src").startswith("blob:")
    page.get_by_role("button", name="Submit").click()
    output = page.get_by_role("img", name="flipped")
    expect(output).to_be_visible()
    src = output.get_attribute("src")
    assert "/gradio_api/file=" in src
    assert np.array_equal(pixels_at(page, src), PIXELS[::-1])
    # The output offers its file as a download link, named by its text.
    link = page.get_by_role("link", name="Download")
    expect(link).to_have_attribute("href", src)


def test_removing_the_image_brings_back_the_drop_zone(open_with: OpenApp, png: Path) -> None:
    page = open_with(gr.Interface(flip, gr.Image(label="photo"), gr.Image(label="flipped")))
    page.get_by_label("photo").set_input_files(png)
    expect(page.get_by_role("img", name="photo")).to_be_visible()
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("img", name="photo")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Drop an image here, click to upload"))
           ).to_be_visible()


def test_an_oversize_file_shows_the_limit_before_uploading(open_with: OpenApp,
                                                           tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(b"x" * 3000)
    page = open_with(gr.Interface(flip, gr.Image(label="photo"), gr.Image()),
                     max_file_size="1kb")
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/gradio_api/upload?" in r.url
            else None)
    page.get_by_label("photo").set_input_files(big)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("big.png is 2.9 KB, over this app's upload limit of 1 KB")
    assert uploads == []


def test_the_servers_413_is_shown_too(open_with: OpenApp, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 3000)
    page = open_with(gr.Interface(lambda f: f, gr.File(label="document"), "file"),
                     max_file_size="1kb")
    # A page that skipped its own check still meets the server's limit.
    page.evaluate("window.porch.app.config.max_file_size = null")
    page.get_by_label("document").set_input_files(big)
    expect(page.get_by_role("alert")).to_contain_text(
        "File size exceeded maximum allowed size of 1024 bytes.")


def test_a_file_output_link_downloads_the_right_bytes(open_with: OpenApp,
                                                      tmp_path: Path) -> None:
    def report(name: str) -> str:
        path = tmp_path / "report.txt"
        path.write_text(f"report for {name}")
        return str(path)

    page = open_with(gr.Interface(report, "text", gr.File(label="report")),
                     allowed_paths=[str(tmp_path)])
    page.get_by_label("name").fill("Ada")
    page.get_by_role("button", name="Submit").click()
    link = page.get_by_role("link", name="report.txt")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "report.txt"
    assert Path(download.value.path()).read_text() == "report for Ada"


def test_a_download_button_downloads_its_value(open_with: OpenApp, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    with gr.Blocks() as demo:
        make = gr.Button("Make the file")
        get = gr.DownloadButton("Get the CSV")
        make.click(lambda: str(data), None, get)
    page = open_with(demo, allowed_paths=[str(tmp_path)])
    button = page.get_by_role("button", name="Get the CSV")
    expect(button).to_be_disabled()
    page.get_by_role("button", name="Make the file").click()
    expect(button).to_be_enabled()
    with page.expect_download() as download:
        button.click()
    assert Path(download.value.path()).read_text() == "a,b\n1,2\n"


def test_an_upload_button_sends_its_files(open_with: OpenApp, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello from a file")
    with gr.Blocks() as demo:
        upload = gr.UploadButton("Upload notes", file_types=[".txt"])
        shown = gr.Textbox(label="content")
        upload.upload(lambda path: Path(path).read_text(), upload, shown)
    page = open_with(demo)
    expect(page.get_by_role("button", name="Upload notes")).to_be_visible()
    page.get_by_label("Upload notes").set_input_files(notes)
    expect(page.get_by_label("content")).to_have_value("hello from a file")


def test_multiple_files_are_listed_and_sent(open_with: OpenApp, tmp_path: Path) -> None:
    paths = []
    for name in ("one.txt", "two.txt"):
        paths.append(tmp_path / name)
        paths[-1].write_text(name)

    def names(files: list[str]) -> str:
        return ",".join(Path(f).read_text() for f in files)

    page = open_with(gr.Interface(names, gr.File(file_count="multiple", label="docs"), "text"))
    page.get_by_label("docs").set_input_files(paths)
    expect(page.locator(".porch-file-list li")).to_have_count(2)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_label("output")).to_have_value("one.txt,two.txt")


def test_audio_and_video_outputs_play_from_the_server(open_with: OpenApp,
                                                      tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")

    def media(seconds: float) -> tuple[tuple[int, np.ndarray], str]:
        tone = np.sin(np.linspace(0, 440 * 2 * np.pi * seconds, int(8000 * seconds)))
        return (8000, tone * 0.5), str(clip)

    page = open_with(gr.Interface(media, gr.Number(label="seconds"),
                                  [gr.Audio(label="tone"), gr.Video(label="clip")]),
                     allowed_paths=[str(tmp_path)])
    page.get_by_label("seconds").fill("0.25")
    page.get_by_role("button", name="Submit").click()
    audio = page.locator("audio[aria-label=tone]")
    expect(audio).to_have_attribute("src", re.compile(r"/gradio_api/file=.*/audio\.wav$"))
    response = page.request.get(audio.get_attribute("src"))
    assert response.headers["content-type"] == "audio/wav" and response.body()[:4] == b"RIFF"
    video = page.locator("video[aria-label=clip]")
    expect(video).to_be_attached()
    assert video.get_attribute("src").endswith("clip.mp4")


def test_a_gallery_shows_images_with_captions(open_with: OpenApp, png: Path) -> None:
    def variants(image: np.ndarray) -> list[tuple[np.ndarray, str]]:
        return [(image, "as is"), (image[::-1], "upside down"), (image[:, ::-1], "mirrored")]

    page = open_with(gr.Interface(variants, gr.Image(label="photo"),
                                  gr.Gallery(label="variants", columns=3)))
    page.get_by_label("photo").set_input_files(png)
    expect(page.get_by_role("img", name="photo")).to_be_visible()
    page.get_by_role("button", name="Submit").click()
    tiles = page.locator(".porch-gallery li")
    expect(tiles).to_have_count(3)
    expect(page.locator(".porch-gallery-caption")).to_have_text(
        ["as is", "upside down", "mirrored"])
    upside_down = page.get_by_role("img", name="upside down")
    assert np.array_equal(pixels_at(page, upside_down.get_attribute("src")), PIXELS[::-1])
    page.get_by_role("button", name="mirrored").click()
    expect(page.locator(".porch-gallery-preview img")).to_be_visible()


def test_click_to_upload_and_drag_and_drop(open_with: OpenApp, png: Path) -> None:
    page = open_with(gr.Interface(lambda files: len(files or []),
                                  gr.File(file_count="multiple", label="docs"), "number"))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Drop files here or click to upload").click()
    chooser.value.set_files(png)
    expect(page.get_by_role("link", name="in.png")).to_be_visible()
    # The upload reported its progress on a stream of its own, for the same upload id.
    upload_ids = {url.split("upload_id=")[1] for url in requests if "upload_id=" in url}
    assert len(upload_ids) == 1
    assert any("/gradio_api/upload_progress?" in url for url in requests)
    dropped = page.evaluate_handle(
        "() => { const dt = new DataTransfer();"
        " dt.items.add(new File(['dropped text'], 'dropped.txt', {type: 'text/plain'}));"
        " return dt; }")
    page.locator(".porch-drop").dispatch_event("drop", {"dataTransfer": dropped})
    expect(page.get_by_role("link", name="dropped.txt")).to_be_visible()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_label("output")).to_have_value("2")


def test_selecting_a_gallery_item_sends_its_index(open_with: OpenApp, tmp_path: Path) -> None:
    tiles = []
    for k in range(3):
        tiles.append(tmp_path / f"tile{k}.png")
        PILImage.fromarray(np.full((4, 4, 3), 60 * k, np.uint8)).save(tiles[-1])

    def picked(evt: gr.SelectData) -> str:
        return f"picked {evt.index}"

    with gr.Blocks() as demo:
        gallery = gr.Gallery([(str(t), f"tile {k}") for k, t in enumerate(tiles)],
                             label="tiles", columns=3)
        shown = gr.Textbox(label="choice")
        gallery.select(picked, None, shown)
    page = open_with(demo, allowed_paths=[str(tmp_path)])
    page.get_by_role("button", name="tile 2").click()
    expect(page.get_by_label("choice")).to_have_value("picked 2")
