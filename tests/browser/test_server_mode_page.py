"""examples/server_mode.py in chromium: the author's own page (not porch's) calls a
`@server.api()` endpoint from its own script, under porch's Content-Security-Policy and
request guard."""

from __future__ import annotations

import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

EXAMPLE = Path(__file__).parents[2] / "examples" / "server_mode.py"


def test_the_authors_page_calls_its_endpoint(page: Page, serve: Callable[[Any], str]) -> None:
    server = runpy.run_path(str(EXAMPLE))["server"]
    url = serve(server)
    page.goto(url)
    expect(page.get_by_role("heading")).to_have_text("Greeter")
    page.get_by_label("Name").fill("Bo")
    page.get_by_role("button", name="Greet").click()
    expect(page.locator("#greeting")).to_have_text("Hello Bo!")


def test_an_inline_script_on_the_authors_page_does_not_run(
        browser: Browser, serve: Callable[[Any], str]) -> None:
    server = runpy.run_path(str(EXAMPLE))["server"]

    @server.get("/inline")
    def inline() -> Any:
        from fastapi.responses import HTMLResponse

        return HTMLResponse("<p id='x'>before</p><script>"
                            "document.getElementById('x').textContent='ran'</script>")

    url = serve(server)
    page = browser.new_page()  # not the `page` fixture: this page is meant to log the refusal
    said: list[str] = []
    page.on("console", lambda message: said.append(message.text))
    try:
        page.goto(url + "inline")
        expect(page.locator("#x")).to_have_text("before")
        assert any("Content Security Policy" in line for line in said)
    finally:
        page.close()
