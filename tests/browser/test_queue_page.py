"""The queue in the browser: progress bars, queue position, the stop button, timers, load
events, direct (queue=False) events, event chains, and the "Use via API" page."""

from __future__ import annotations

import itertools
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser

gate = threading.Event()
ticks = itertools.count(1)
load_ticks = itertools.count(1)


def steps(n: float, progress: gr.Progress = gr.Progress()) -> str:
    for _ in progress.tqdm(range(int(n)), desc="Crunching numbers"):
        time.sleep(0.15)
    return "crunched"


def blocker(x: str) -> str:
    gate.wait(20)
    return "unblocked " + x


def endless(n: float) -> Iterator[str]:
    text = ""
    for i in range(int(n)):
        text += f"{i} "
        yield text
        time.sleep(0.05)


def greet(name: str, excited: bool = False) -> str:
    return f"Hello {name}{'!' if excited else '.'}"


def check(text: str) -> str:
    if text == "bad":
        raise gr.Error("bad input")
    return "checked " + text


def app() -> gr.Blocks:
    with gr.Blocks(title="queue page") as demo:
        n = gr.Number(label="n", value=8)
        name = gr.Textbox(label="name", value="porch")
        progress_out = gr.Textbox(label="progress out")
        queued_out = gr.Textbox(label="queued out")
        stream_out = gr.Textbox(label="stream out")
        tick_out = gr.Number(label="ticks")
        loaded = gr.Textbox(label="loaded")
        every_out = gr.Number(label="every")
        direct_out = gr.Textbox(label="direct out")
        chain_in = gr.Textbox(label="chain in")
        chain_out = gr.Textbox(label="chain out")
        follow = gr.Textbox(label="follow")
        gr.Button("Crunch").click(steps, n, progress_out, api_name="steps")
        gr.Button("Wait").click(blocker, name, queued_out, api_name="blocker")
        streaming = gr.Button("Stream").click(endless, gr.Number(value=400, visible=False),
                                              stream_out, api_name="endless")
        gr.Button("Halt").click(None, None, None, cancels=[streaming])
        timer = gr.Timer(0.2)
        timer.tick(lambda: next(ticks), None, tick_out, api_name="tick")
        demo.load(lambda: "loaded on open", None, loaded, api_name="on_load")
        demo.load(lambda: next(load_ticks), None, every_out, every=0.2, api_name="every")
        gr.Button("Direct").click(lambda s: s[::-1], name, direct_out, queue=False,
                                  api_name="reverse")
        checked = gr.Button("Check").click(check, chain_in, chain_out, api_name="check")
        checked.success(lambda: "went well", None, follow)
        checked.failure(lambda: "went wrong", None, follow)
        gr.Button("Greet").click(greet, name, direct_out, api_name="greet")
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(app())


@pytest.fixture
def page_at(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def block_of(page: Page, label: str) -> Any:
    """The block of the field labelled `label` (the innermost block holding it)."""
    return page.locator(".porch-block", has=page.get_by_label(label, exact=True)).last


def test_progress_bar_shows_the_description(page_at: Page) -> None:
    page = page_at
    page.get_by_role("button", name="Crunch").click()
    bar = block_of(page, "progress out").get_by_role("progressbar")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("aria-label", re.compile(r"Crunching numbers [1-7]/8 steps"))
    expect(block_of(page, "progress out").locator(".porch-status-text")).to_contain_text(
        "Crunching numbers")
    expect(page.get_by_label("progress out", exact=True)).to_have_value("crunched")
    expect(bar).to_have_count(0)


def test_queue_position_is_shown_while_waiting(page_at: Page, url: str) -> None:
    page = page_at
    gate.clear()
    config = httpx.get(url + "config").json()
    index = next(d["id"] for d in config["dependencies"] if d["api_name"] == "blocker")
    # Another visitor holds the only slot (concurrency_limit 1 by default).
    other = httpx.post(url + "gradio_api/queue/join",
                       json={"data": ["first"], "fn_index": index, "session_hash": "other"})
    assert other.status_code == 200
    try:
        page.get_by_role("button", name="Wait").click()
        status = block_of(page, "queued out").locator(".porch-status-text")
        expect(status).to_have_text("queued 1/1")
    finally:
        gate.set()
    expect(page.get_by_label("queued out", exact=True)).to_have_value("unblocked porch")


def test_stop_button_cancels_a_running_generator(page_at: Page) -> None:
    page = page_at
    page.get_by_role("button", name="Stream").click()
    output = page.get_by_label("stream out", exact=True)
    page.wait_for_function("(el) => el.value.startsWith('0 1 2 3 ')",
                           arg=output.element_handle())
    stop = block_of(page, "stream out").get_by_role("button", name="Stop this event")
    expect(stop).to_be_visible()
    stop.click()
    expect(stop).to_have_count(0)
    stopped_at = output.input_value()
    time.sleep(0.4)  # a running generator would have added several more numbers by now
    assert output.input_value() == stopped_at
    assert not stopped_at.startswith("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20")


def test_an_event_with_cancels_stops_the_listed_event(page_at: Page) -> None:
    page = page_at
    page.get_by_role("button", name="Stream").click()
    output = page.get_by_label("stream out", exact=True)
    page.wait_for_function("(el) => el.value.startsWith('0 1 2 ')", arg=output.element_handle())
    with page.expect_request(lambda r: r.url.endswith("/gradio_api/cancel")) as request:
        page.get_by_role("button", name="Halt").click()
    assert request.value.post_data_json["fn_index"] is not None
    expect(block_of(page, "stream out").locator(".porch-status")).to_have_count(0)
    stopped_at = output.input_value()
    time.sleep(0.4)
    assert output.input_value() == stopped_at


def test_a_timer_ticks_an_output(page_at: Page) -> None:
    box = page_at.get_by_label("ticks", exact=True)
    page_at.wait_for_function(
        "(el) => Number(el.value) >= 1", arg=box.element_handle())
    first = float(box.input_value())
    page_at.wait_for_function(
        f"(el) => Number(el.value) >= {first + 2}", arg=box.element_handle())
    assert float(box.input_value()) >= first + 2  # it kept ticking


def test_load_events_fill_outputs_on_open_and_every_repeats(page_at: Page) -> None:
    expect(page_at.get_by_label("loaded", exact=True)).to_have_value("loaded on open")
    box = page_at.get_by_label("every", exact=True)
    page_at.wait_for_function("(el) => Number(el.value) >= 1", arg=box.element_handle())
    first = float(box.input_value())
    page_at.wait_for_function(f"(el) => Number(el.value) >= {first + 2}",
                              arg=box.element_handle())


def test_queue_false_event_calls_run_directly(page_at: Page) -> None:
    page = page_at
    with page.expect_request(lambda r: "/gradio_api/run/reverse" in r.url) as request:
        page.get_by_role("button", name="Direct").click()
    assert request.value.method == "POST"
    expect(page.get_by_label("direct out", exact=True)).to_have_value("hcrop")


def test_success_and_failure_chains_follow_the_outcome(page_at: Page) -> None:
    page = page_at
    page.get_by_label("chain in", exact=True).fill("fine")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_label("follow", exact=True)).to_have_value("went well")
    page.get_by_label("chain in", exact=True).fill("bad")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_label("follow", exact=True)).to_have_value("went wrong")
    expect(page.get_by_role("alert").filter(has_text="bad input")).to_be_visible()


def test_api_page_lists_endpoints_with_snippets(page_at: Page, url: str) -> None:
    page = page_at
    link = page.get_by_role("link", name="Use via API")
    link.click()
    dialog = page.get_by_role("dialog", name="Use via API")
    expect(dialog).to_be_visible()
    assert page.evaluate("location.hash") == "#api"
    expect(dialog.get_by_role("button", name="Close the API page")).to_be_focused()
    section = dialog.locator("section[data-endpoint='/greet']")
    expect(section.get_by_role("heading", name="/greet")).to_be_visible()
    table = section.get_by_role("table")
    expect(table).to_contain_text("name")
    expect(table).to_contain_text("str")
    expect(table).to_contain_text("Textbox")
    snippet = section.locator(".porch-api-snippet:not([hidden]) code")
    expect(snippet).to_contain_text("from porch import Client")
    expect(snippet).to_contain_text(f'client = Client("{url}")')
    expect(snippet).to_contain_text('api_name="/greet"')
    dialog.get_by_role("button", name="Python · gradio_client").click()
    expect(snippet).to_contain_text("from gradio_client import Client")
    dialog.get_by_role("button", name="curl").click()
    expect(snippet).to_contain_text(f"{url}gradio_api/call/greet")
    expect(snippet).to_contain_text("curl -N")
    # Progress parameters are filled in by porch: never listed as inputs.
    steps_table = dialog.locator("section[data-endpoint='/steps']").get_by_role("table")
    expect(steps_table).not_to_contain_text("progress")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    page.wait_for_function("() => location.hash === ''")  # the #api address is left too
    expect(link).to_be_focused()


def test_api_page_snippets_run_against_the_app(page_at: Page, url: str) -> None:
    page = page_at
    page.goto(url + "#api")  # the address opens it directly
    dialog = page.get_by_role("dialog", name="Use via API")
    code = dialog.locator("section[data-endpoint='/greet'] .porch-api-snippet"
                          "[data-language=porch] code").inner_text()
    namespace: dict[str, Any] = {}
    printed: list[Any] = []
    namespace["print"] = printed.append
    exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 - our own snippet
    assert len(printed) == 1 and printed[0].startswith("Hello ")
    page.go_back()  # to the app without #api: the page closes, nothing reloads
    expect(dialog).to_have_count(0)
    assert page.evaluate("window.porch !== undefined")


def snippet(page: Page, endpoint: str, language: str) -> str:
    code: str = page.locator(f"section[data-endpoint='{endpoint}'] .porch-api-snippet"
                             f"[data-language={language}] code").inner_text()
    return code


def test_every_api_page_snippet_runs_as_shown(page_at: Page, url: str) -> None:
    page = page_at
    page.goto(url + "#api")
    dialog = page.get_by_role("dialog", name="Use via API")
    expect(dialog.get_by_role("link", name="OpenAPI 3.1 document")).to_have_attribute(
        "href", f"{url}gradio_api/openapi.json")
    dialog.get_by_role("button", name="JavaScript · fetch").click()
    expect(dialog.locator("section[data-endpoint='/greet'] .porch-api-snippet"
                          ":not([hidden]) code")).to_contain_text("await fetch(")
    # JavaScript: the snippet as shown, in the page (console.log is what it prints).
    js = snippet(page, "/greet", "js")
    assert "import" not in js and "require(" not in js  # no library
    printed = page.evaluate(
        "async (code) => { const out = []; const console = { log: (v) => out.push(v) };"
        " await eval(`(async () => { ${code} })()`); return out; }", js)
    assert printed == [["Hello Hello!!."]]
    # curl: the snippet as shown, by the real curl, in a shell.
    curl = subprocess.run(["bash", "-c", snippet(page, "/greet", "curl")], capture_output=True,
                          text=True, timeout=30, check=True)
    assert "event: complete" in curl.stdout and '["Hello Hello!!."]' in curl.stdout
    # Python: both clients' snippets, run as shown.
    for language in ("porch", "gradio"):
        namespace: dict[str, Any] = {}
        results: list[Any] = []
        namespace["print"] = results.append
        exec(compile(snippet(page, "/greet", language), "<snippet>", "exec"),  # noqa: S102
             namespace)
        assert results == ["Hello Hello!!."], language
