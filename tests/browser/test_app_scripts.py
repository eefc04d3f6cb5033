"""The app's own `head=` and `js=` scripts: blocked by the page's CSP unless the author opts
in with `launch(allow_app_scripts=True)`; then they run under a fresh nonce per page, the
CSP stays, and a script that is not the author's (HTML a function returned) still does not."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

import porch as gr
from tests.conftest import free_port

pytestmark = pytest.mark.browser

HEAD = "<script>document.documentElement.dataset.head = 'ran';</script>"
JS = "() => { document.documentElement.dataset.js = document.querySelectorAll('textarea').length; }"


def app() -> gr.Blocks:
    with gr.Blocks(head=HEAD, js=JS) as demo:
        box = gr.Textbox(label="name")
        out = gr.HTML()
        box.submit(lambda x: f"<img src=x onerror=\"document.documentElement.dataset.xss=1\">"
                             f"<script>document.documentElement.dataset.xss = 1</script>{x}",
                   box, out)
    return demo


@pytest.fixture
def launched() -> Iterator[Callable[..., str]]:
    apps: list[Any] = []

    def start(**options: Any) -> str:
        demo = app()
        _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True,
                                **options)
        apps.append(demo)
        return url

    yield start
    for demo in apps:
        demo.close()


def fresh_page(browser: Browser) -> Page:
    # Not the `page` fixture: the blocked scripts make the browser log CSP errors, which
    # that fixture counts as page errors.
    return browser.new_context().new_page()


def test_without_the_opt_in_the_csp_blocks_the_apps_scripts(browser: Browser,
                                                            launched: Callable[..., str]) -> None:
    url = launched()
    policy = httpx.get(url).headers["content-security-policy"]
    assert "script-src 'self';" in policy and "nonce" not in policy
    page = fresh_page(browser)
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    assert page.evaluate("document.documentElement.dataset.head") is None
    assert page.evaluate("document.documentElement.dataset.js") is None


def test_with_the_opt_in_the_authors_scripts_run_and_nothing_else(
        browser: Browser, launched: Callable[..., str]) -> None:
    url = launched(allow_app_scripts=True)
    first = httpx.get(url).headers["content-security-policy"]
    second = httpx.get(url).headers["content-security-policy"]
    assert "'nonce-" in first and "default-src 'self'" in first and "object-src 'none'" in first
    assert first != second  # a fresh nonce for every page
    page = fresh_page(browser)
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    page.wait_for_function("document.documentElement.dataset.js !== undefined")
    assert page.evaluate("document.documentElement.dataset.head") == "ran"
    assert page.evaluate("Number(document.documentElement.dataset.js)") >= 1  # after drawing
    box = page.get_by_label("name")
    box.fill("hi")
    box.press("Enter")
    page.wait_for_timeout(500)
    assert page.evaluate("document.documentElement.dataset.xss") is None
