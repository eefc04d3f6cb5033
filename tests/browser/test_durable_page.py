"""Durable jobs in the browser (docs/durable-jobs.md): a long streaming event goes on to its
final value after the page reloads mid-stream, and after the network drops for a moment."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr
from tests.relay import CuttingProxy

pytestmark = pytest.mark.browser

TOKENS = 40
FINAL = "".join(f"t{i} " for i in range(TOKENS))


def slow_tokens(n: float) -> Iterator[str]:
    text = ""
    for i in range(int(n)):
        time.sleep(0.1)
        text += f"t{i} "
        yield text


def app() -> gr.Blocks:
    with gr.Blocks(title="durable page") as demo:
        n = gr.Number(label="n", value=TOKENS)
        out = gr.Textbox(label="tokens")
        gr.Button("Run").click(slow_tokens, n, out)
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(app())


def watch_until_final(page: Page, seconds: float = 20.0) -> list[str]:
    """Every value the output shows until the final one (each must be a prefix of it)."""
    output = page.get_by_label("tokens", exact=True)
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = output.input_value()
        if not seen or seen[-1] != value:
            seen.append(value)
        if value == FINAL:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"the output stopped at {seen[-1]!r}")


def test_a_reload_mid_stream_picks_the_event_up_again(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Run").click()
    output = page.get_by_label("tokens", exact=True)
    deadline = time.monotonic() + 10
    while "t5 " not in output.input_value() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "t5 " in output.input_value()
    page.reload()
    expect(page.locator("html[data-porch=ready]")).to_be_attached()
    seen = watch_until_final(page)
    assert all(FINAL.startswith(v) for v in seen), seen  # no token twice, none skipped
    # Well before the event's own end: it went on running while the page reloaded.
    assert any(v and v != FINAL for v in seen)
    assert page.evaluate("sessionStorage.length") == 0  # done: nothing left to follow


def test_a_dropped_connection_is_reattached(page: Page, url: str) -> None:
    relay = CuttingProxy(int(url.rstrip("/").rsplit(":", 1)[1]))
    try:
        page.goto(f"http://127.0.0.1:{relay.port}/")
        page.get_by_role("button", name="Run").click()
        output = page.get_by_label("tokens", exact=True)
        deadline = time.monotonic() + 10
        while "t3 " not in output.input_value() and time.monotonic() < deadline:
            time.sleep(0.05)
        relay.cut()  # every connection of the page drops mid-stream
        seen = watch_until_final(page)
        assert all(FINAL.startswith(v) for v in seen), seen
        assert any(v and v != FINAL for v in seen[1:])  # it streamed on after the cut
    finally:
        relay.close()
