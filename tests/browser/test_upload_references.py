"""The browser uploads, gets an opaque cache reference (no host path), sends it to a function
and downloads the result; a per-request cap's JSON 413 is shown as written."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect

import porch as gr
from tests.browser.conftest import free_port

pytestmark = pytest.mark.browser
OpenApp = Callable[..., Page]


@pytest.fixture
def open_with(page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenApp]:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path / "cache"))
    launched: list[Any] = []

    def open_(demo: Any, **options: Any) -> Page:
        port = free_port()
        demo.launch(prevent_thread_lock=True, server_port=port, quiet=True, **options)
        launched.append(demo)
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("html[data-porch=ready]")
        return page

    yield open_
    for demo in launched:
        demo.close()


def test_upload_then_download_the_result(open_with: OpenApp, tmp_path: Path) -> None:
    source = tmp_path / "quiet.txt"
    source.write_text("hello there")
    out = tmp_path / "out"
    out.mkdir()

    def shout(path: str) -> str:
        target = out / "shouted.txt"
        target.write_text(Path(path).read_text().upper())
        return str(target)

    page = open_with(gr.Interface(shout, gr.File(label="document"), gr.File(label="result")),
                     allowed_paths=[str(out)])
    answers: list[str] = []

    def keep(response: Response) -> None:
        if "/gradio_api/upload?" in response.url:
            answers.append(response.text())

    page.on("response", keep)
    page.get_by_label("document").set_input_files(source)
    page.get_by_role("button", name="Submit").click()
    link = page.get_by_role("link", name="shouted.txt")
    expect(link).to_be_visible()
    (answer,) = answers
    (reference,) = json.loads(answer)
    assert re.fullmatch(r"[0-9a-f]{32}/quiet\.txt", reference)
    assert str(tmp_path) not in answer
    href = link.get_attribute("href") or ""
    assert re.search(r"/gradio_api/file=[0-9a-f]{32}/shouted\.txt$", href), href
    assert str(tmp_path) not in page.content()
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_text() == "HELLO THERE"


def test_a_per_request_cap_shows_the_servers_message(open_with: OpenApp,
                                                     tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 3000)
    page = open_with(gr.Interface(lambda f: f, gr.File(label="document"), "file"),
                     max_upload_size="2kb")
    page.get_by_label("document").set_input_files(big)
    expect(page.get_by_role("alert")).to_have_text(
        "Upload exceeded the maximum allowed size of 2048 bytes per request.")
