"""Playwright fixtures: one headless Debian chromium per module, a fresh page per test, and
`serve(demo)` to launch an app on a free port for the test's duration."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an asyncio loop marked as
    # running in this thread while it lives, and later tests that call asyncio.run() fail.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in its own context; the test fails if the page's scripts threw."""
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            errors.append(message.text)

    page.on("console", console)
    yield page
    context.close()
    assert not errors, f"the page logged errors: {errors}"


def _server() -> Iterator[Callable[[Any], str]]:
    launched: list[Any] = []

    def start(demo: Any) -> str:
        port = free_port()
        demo.launch(prevent_thread_lock=True, server_port=port, quiet=True)
        launched.append(demo)
        return f"http://127.0.0.1:{port}/"

    yield start
    for demo in launched:
        demo.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Any], str]]:
    """`serve(demo)` launches the app on a free port and returns its URL."""
    yield from _server()


@pytest.fixture(scope="module")
def serve_for_module() -> Iterator[Callable[[Any], str]]:
    """As `serve`, for apps that a whole module's tests share."""
    yield from _server()


@pytest.fixture
def open_app(page: Page, serve: Callable[[Any], str]) -> Callable[[Any], Page]:
    """`open_app(demo)`: serve the app and load it in the page, ready to use."""

    def open_(demo: Any) -> Page:
        page.goto(serve(demo))
        try:
            page.wait_for_selector("html[data-porch=ready]")
        except Error as exc:  # pragma: no cover - reported with the page's own message
            raise AssertionError(page.inner_text("body")) from exc
        return page

    return open_
