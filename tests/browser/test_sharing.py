"""Sharing in a real browser: the login page, and an app behind nginx at /apps/demo/ used
end to end (login, upload, output file) under the page's Content-Security-Policy. The `page`
fixture fails a test on any console error, CSP violations included."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage
from playwright.sync_api import Browser, Page, expect

import porch as gr
from tests.conftest import free_port
from tests.proxies import behind_nginx

pytestmark = pytest.mark.browser

AUTH = ("ann", "s3cret-pw")
PIXELS = np.arange(8 * 6 * 3, dtype=np.uint8).reshape(8, 6, 3)


def flip_app() -> gr.Interface:
    return gr.Interface(lambda image: image[::-1], gr.Image(label="photo"),
                        gr.Image(label="flipped"))


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORCH_TEMP_DIR", str(tmp_path_factory.mktemp("cache")))
        with behind_nginx(flip_app(), tmp_path_factory.mktemp("nginx"), auth=AUTH,
                          auth_message="Ask Ann.") as url:
            yield url


def log_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_login_then_upload_and_download_behind_nginx(page: Page, public: str,
                                                     tmp_path: Path) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(public)
    page.wait_for_selector("html[data-porch=login]")
    expect(page.get_by_text("Ask Ann.")).to_be_visible()
    log_in(page, "ann", "wrong")
    expect(page.get_by_role("alert")).to_have_text("Incorrect username or password.")
    log_in(page, *AUTH)
    page.wait_for_selector("html[data-porch=ready]")

    png = tmp_path / "in.png"
    PILImage.fromarray(PIXELS).save(png)
    page.get_by_label("photo").set_input_files(png)
    expect(page.get_by_role("img", name="photo")).to_be_visible()
    page.get_by_role("button", name="Submit").click()
    output = page.get_by_role("img", name="flipped")
    expect(output).to_be_visible()
    src = output.get_attribute("src") or ""
    assert src.startswith(public + "gradio_api/file=")
    response = page.request.get(src)  # the context's cookie goes along
    with PILImage.open(io.BytesIO(response.body())) as image:
        assert np.array_equal(np.asarray(image.convert("RGB")), PIXELS[::-1])
    # Nothing the page asked for left the prefix.
    stray = [url for url in requested
             if not url.startswith((public, "blob:", "data:"))]
    assert stray == []
    # Logging out under the prefix: a POST to the app's own /logout, then its login page.
    page.locator(".porch-footer").get_by_role("button", name="Log out").click()
    page.wait_for_selector("html[data-porch=login]")
    assert page.url == public and page.request.get(public + "config").status == 401


def test_the_login_page_and_logout_on_a_direct_app(page: Page) -> None:
    with gr.Blocks() as demo:
        name, out = gr.Textbox(label="name"), gr.Textbox(label="out")
        gr.Button("Greet").click(lambda x: f"hi {x}", name, out)
    port = free_port()
    demo.launch(prevent_thread_lock=True, quiet=True, server_port=port, auth=[AUTH])
    try:
        url = f"http://127.0.0.1:{port}/"
        page.goto(url)
        page.wait_for_selector("html[data-porch=login]")
        log_in(page, *AUTH)
        page.wait_for_selector("html[data-porch=ready]")
        page.get_by_label("name").fill("Ann")
        page.get_by_role("button", name="Greet").click()
        expect(page.get_by_label("out")).to_have_value("hi Ann")
        page.locator(".porch-footer").get_by_role("button", name="Log out").click()
        page.wait_for_selector("html[data-porch=login]")
        assert page.url == url
    finally:
        demo.close()


def test_the_browser_enforces_the_pages_policy(browser: Browser) -> None:
    # An injected inline script must not run: the CSP, not the page's care, stops it.
    with gr.Blocks() as demo:
        gr.Textbox(label="name")
    port = free_port()
    demo.launch(prevent_thread_lock=True, quiet=True, server_port=port)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("html[data-porch=ready]")
        outcome = page.evaluate("""() => new Promise((resolve) => {
            document.addEventListener("securitypolicyviolation",
                (e) => resolve(`blocked by ${e.effectiveDirective}`));
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.head.appendChild(script);
            setTimeout(() => resolve(window.injected ? "ran" : "silent"), 2000);
        })""")
        assert outcome == "blocked by script-src-elem"
    finally:
        context.close()
        demo.close()
