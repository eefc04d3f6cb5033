"""@render in the browser: drawn when the page loads with working events inside, and async
render functions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def render_app() -> gr.Blocks:
    with gr.Blocks() as demo:
        count = gr.Number(value=2, label="count", precision=0)
        log = gr.Textbox(label="log")

        @gr.render(inputs=count)
        def boxes(n: float) -> None:
            for i in range(int(n)):
                box = gr.Textbox(value=f"box {i}", label=f"Box {i}")
                gr.Button(f"Use {i}").click(lambda text: f"used {text}", box, log)

        @gr.render(inputs=count)
        async def slow(n: float) -> None:
            await asyncio.sleep(0.05)  # awaits on the loop: no thread held meanwhile
            gr.Markdown(f"async render saw {int(n)}")
            gr.Button("Async button").click(lambda: "async event ran", None, log)
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(render_app())


def test_a_render_drawn_on_load_has_working_events(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.get_by_label("Box 1")).to_have_value("box 1")
    page.get_by_role("button", name="Use 1").click()
    expect(page.get_by_label("log")).to_have_value("used box 1")
    page.get_by_label("count").fill("3")
    page.get_by_label("count").press("Enter")
    expect(page.get_by_label("Box 2")).to_have_value("box 2")
    page.get_by_role("button", name="Use 2").click()
    expect(page.get_by_label("log")).to_have_value("used box 2")


def test_an_async_render_draws_and_wires_its_events(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.get_by_text("async render saw 2")).to_be_visible()
    page.get_by_role("button", name="Async button").click()
    expect(page.get_by_label("log")).to_have_value("async event ran")
    page.get_by_label("count").fill("5")
    page.get_by_label("count").press("Enter")
    expect(page.get_by_text("async render saw 5")).to_be_visible()


def test_a_generator_cannot_be_a_render_function() -> None:
    from porch.errors import ConfigError

    with gr.Blocks(), pytest.raises(ConfigError, match="not a generator"):
        @gr.render()
        def drip() -> Any:
            yield gr.Textbox()
