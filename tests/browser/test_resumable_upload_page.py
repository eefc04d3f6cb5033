"""The page sends a large file by tus (chunked PATCHes) with a progress bar, and a PATCH the
network drops is resumed from the server's offset: the function gets the right bytes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Request, Route, expect

import porch as gr
from tests.browser.conftest import free_port

pytestmark = pytest.mark.browser
MIB = 1024 * 1024
SIZE = 9 * MIB  # over the page's 8 MiB tus threshold: five 2 MiB chunks

# Every percent the upload bar shows, in order (the bar is rewritten, not replaced).
WATCH_BAR = """() => {
  window.percents = [];
  const bar = document.querySelector('.porch-upload-progress');
  new MutationObserver(() => {
    const now = bar.getAttribute('aria-valuenow');
    if (!bar.hidden && now !== null) window.percents.push(Number(now));
  }).observe(bar, { attributes: true, attributeFilter: ['aria-valuenow', 'hidden'] });
}"""


def digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture
def opened(page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path / "cache"))
    demo = gr.Interface(digest, gr.File(label="document"), gr.Textbox(label="sha256"))
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_port=port, quiet=True)
    page.goto(f"http://127.0.0.1:{port}/")
    page.wait_for_selector("html[data-porch=ready]")
    try:
        yield page
    finally:
        demo.close()


def big_file(tmp_path: Path) -> tuple[Path, str]:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(SIZE))
    return source, hashlib.sha256(source.read_bytes()).hexdigest()


def requests_to(page: Page, part: str) -> list[str]:
    seen: list[str] = []

    def keep(request: Request) -> None:
        if part in request.url:
            seen.append(request.method)

    page.on("request", keep)
    return seen


def test_a_large_file_goes_by_tus_with_a_progress_bar(opened: Page, tmp_path: Path) -> None:
    source, sha = big_file(tmp_path)
    tus = requests_to(opened, "/gradio_api/upload/tus")
    plain = requests_to(opened, "/gradio_api/upload?")
    opened.evaluate(WATCH_BAR)
    opened.get_by_label("document").set_input_files(source)
    opened.get_by_role("button", name="Submit").click()
    expect(opened.get_by_label("sha256")).to_have_value(sha, timeout=30_000)
    assert tus.count("PATCH") == 5 and tus.count("POST") == 1 and not plain
    percents: list[Any] = opened.evaluate("window.percents")
    assert any(0 < p < 100 for p in percents), percents
    assert percents == sorted(percents) and percents[-1] == 100


@pytest.mark.parametrize("failure", ["network", "503"])
def test_a_failed_patch_is_resumed_from_the_servers_offset(opened: Page, tmp_path: Path,
                                                           failure: str) -> None:
    source, sha = big_file(tmp_path)
    tus = requests_to(opened, "/gradio_api/upload/tus/")
    patches = 0

    def fail_the_third_patch_once(route: Route) -> None:
        nonlocal patches
        if route.request.method == "PATCH":
            patches += 1
            if patches == 3 and failure == "network":
                route.abort("connectionreset")
                return
            if patches == 3:
                route.fulfill(status=503, body="busy")
                return
        route.continue_()

    opened.route("**/gradio_api/upload/tus/*", fail_the_third_patch_once)
    opened.get_by_label("document").set_input_files(source)
    opened.get_by_role("button", name="Submit").click()
    expect(opened.get_by_label("sha256")).to_have_value(sha, timeout=30_000)
    # The failed chunk went again from the offset HEAD gave: 5 chunks, one of them twice.
    assert tus.count("HEAD") == 1 and tus.count("PATCH") == 6
    expect(opened.locator(".porch-upload-error")).to_be_hidden()


def test_without_tus_a_large_file_keeps_the_plain_upload(opened: Page, tmp_path: Path) -> None:
    source, sha = big_file(tmp_path)
    tus = requests_to(opened, "/gradio_api/upload/tus")
    plain = requests_to(opened, "/gradio_api/upload?")
    # A server without tus (a Gradio app) answers its OPTIONS 404.
    opened.route("**/gradio_api/upload/tus", lambda route: route.fulfill(status=404))
    opened.get_by_label("document").set_input_files(source)
    opened.get_by_role("button", name="Submit").click()
    expect(opened.get_by_label("sha256")).to_have_value(sha, timeout=30_000)
    assert tus == ["OPTIONS"] and plain == ["POST"]
