"""Blocks apps in the browser: layout, numbers, several outputs, state, markdown."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser

OpenApp = Callable[[Any], Page]


def arithmetic_app() -> gr.Blocks:
    with gr.Blocks() as demo:
        with gr.Row():
            with gr.Column():
                a = gr.Number(label="a", value=2)
                b = gr.Number(label="b", value=3)
                go = gr.Button("Compute", variant="primary")
            with gr.Column():
                total = gr.Number(label="sum")
                words = gr.Textbox(label="words")
        go.click(lambda x, y: (x + y, f"{x:g} plus {y:g}"), [a, b], [total, words])
    return demo


def test_row_of_columns_with_a_number_input_and_two_outputs(open_app: OpenApp) -> None:
    page = open_app(arithmetic_app())
    expect(page.get_by_label("a", exact=True)).to_have_value("2")
    page.get_by_label("b", exact=True).fill("4.5")
    page.get_by_role("button", name="Compute").click()
    expect(page.get_by_label("sum")).to_have_value("6.5")
    expect(page.get_by_label("words")).to_have_value("2 plus 4.5")
    # The two columns sit side by side on a wide screen...
    left = page.get_by_label("a", exact=True).bounding_box()
    right = page.get_by_label("sum").bounding_box()
    assert left is not None and right is not None
    assert right["x"] > left["x"] + left["width"]
    assert abs(right["y"] - left["y"]) < 5


def test_rows_wrap_at_phone_width(open_app: OpenApp) -> None:
    page = open_app(arithmetic_app())
    page.set_viewport_size({"width": 390, "height": 800})
    left = page.get_by_label("a", exact=True).bounding_box()
    right = page.get_by_label("sum").bounding_box()
    assert left is not None and right is not None
    assert right["y"] > left["y"] + left["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_scale_and_min_width_shape_a_row(open_app: OpenApp) -> None:
    with gr.Blocks() as demo:
        with gr.Row():
            gr.Textbox(label="wide", scale=3)
            gr.Textbox(label="narrow", scale=1)
            gr.Textbox(label="fixed", scale=0, min_width=200)
    page = open_app(demo)
    wide = page.get_by_label("wide").bounding_box()
    narrow = page.get_by_label("narrow").bounding_box()
    fixed = page.get_by_label("fixed").bounding_box()
    assert wide and narrow and fixed
    assert 2.5 < wide["width"] / narrow["width"] < 3.5
    assert fixed["width"] < narrow["width"]


def test_state_carries_a_counter_across_clicks(open_app: OpenApp) -> None:
    with gr.Blocks() as demo:
        count = gr.State(0)
        shown = gr.Number(label="count")
        add = gr.Button("Add one")

        def bump(n: int) -> tuple[int, int]:
            return n + 1, n + 1

        add.click(bump, count, [count, shown])
    page = open_app(demo)
    button = page.get_by_role("button", name="Add one")
    button.click()
    expect(page.get_by_label("count")).to_have_value("1")
    button.click()
    expect(page.get_by_label("count")).to_have_value("2")


def test_markdown_output_is_rendered_and_never_runs_scripts(open_app: OpenApp) -> None:
    hostile = (
        "# Title\n\nsome **bold** and *soft* text with `code`\n\n"
        "<script>window.__pwned = 'script'</script>\n\n"
        '<img src="x" onerror="window.__pwned = \'img\'">\n\n'
        "[click](javascript:window.__pwned='link') and [site](https://example.com/x)\n\n"
        "- one\n- two\n"
    )
    with gr.Blocks() as demo:
        source = gr.Textbox(label="source")
        out = gr.Markdown()
        gr.Button("Render").click(lambda s: s, source, out)
    page = open_app(demo)
    page.get_by_label("source").fill(hostile)
    page.get_by_role("button", name="Render").click()
    prose = page.locator(".porch-block-markdown .porch-prose")
    expect(prose.locator("strong")).to_have_text("bold")
    expect(prose.locator("em")).to_have_text("soft")
    expect(prose.locator("h1")).to_have_text("Title")
    expect(prose.locator("li")).to_have_count(2)
    # Raw HTML stays text: no element is created from it, and nothing runs.
    expect(prose).to_contain_text("<script>window.__pwned = 'script'</script>")
    expect(prose.locator("script, img, iframe")).to_have_count(0)
    link = prose.get_by_role("link", name="site")
    expect(link).to_have_attribute("href", "https://example.com/x")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(prose.get_by_role("link", name="click")).to_have_count(0)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None


def test_chained_events_follow_success_and_failure(open_app: OpenApp) -> None:
    with gr.Blocks() as demo:
        text = gr.Textbox(label="text")
        first = gr.Textbox(label="first")
        after = gr.Textbox(label="after")
        failed = gr.Textbox(label="failed")

        def check(s: str) -> str:
            if s == "no":
                raise gr.Error("refused")
            return s

        run = gr.Button("Run").click(check, text, first)
        run.success(lambda s: f"then {s}", text, after)
        run.failure(lambda s: f"failed {s}", text, failed)
    page = open_app(demo)
    page.get_by_label("text", exact=True).fill("yes")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_label("after")).to_have_value("then yes")
    expect(page.get_by_label("failed")).to_have_value("")
    page.get_by_label("text", exact=True).fill("no")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_label("failed")).to_have_value("failed no")
    expect(page.get_by_label("after")).to_have_value("then yes")


def test_queue_position_and_a_full_queue(open_app: OpenApp) -> None:
    release = threading.Event()

    def wait(name: str) -> str:
        release.wait(10)
        return f"{name} done"

    with gr.Blocks() as demo:
        outs = {}
        for name in ("first", "second", "third"):
            outs[name] = gr.Textbox(label=f"{name} out")
            gr.Button(f"Run {name}").click(
                lambda n=name: wait(n), None, outs[name], concurrency_id="shared",
                concurrency_limit=1)
    demo.queue(max_size=1)
    page = open_app(demo)
    page.get_by_role("button", name="Run first").click()
    expect(page.locator(".porch-block[aria-busy=true]")).to_have_count(1)
    page.get_by_role("button", name="Run second").click()
    queued = page.locator(".porch-block[aria-busy=true]", has=page.get_by_label("second out"))
    expect(queued.locator(".porch-status-text")).to_contain_text("queued")
    page.get_by_role("button", name="Run third").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The app is busy")
    expect(alert).to_contain_text("Queue is full")
    release.set()
    expect(page.get_by_label("first out")).to_have_value("first done")
    expect(page.get_by_label("second out")).to_have_value("second done")
    expect(page.get_by_label("third out")).to_have_value("")
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


def test_change_and_input_events_run_as_the_user_types(open_app: OpenApp) -> None:
    with gr.Blocks() as demo:
        text = gr.Textbox(label="text")
        length = gr.Number(label="length")
        typed = gr.Textbox(label="typed")
        echoed = gr.Textbox(label="echoed")
        text.input(lambda s: len(s), text, length, trigger_mode="always_last")
        text.change(lambda s: s.upper(), text, typed, trigger_mode="always_last")
        # An output update fires `change` too, so events can chain through outputs.
        typed.change(lambda s: f"<{s}>", typed, echoed, trigger_mode="always_last")
    page = open_app(demo)
    page.get_by_label("text", exact=True).press_sequentially("abc", delay=30)
    expect(page.get_by_label("length")).to_have_value("3")
    expect(page.get_by_label("typed")).to_have_value("ABC")
    expect(page.get_by_label("echoed")).to_have_value("<ABC>")


def test_title_css_hidden_blocks_and_unknown_types(open_app: OpenApp) -> None:
    from porch.components.base import Component

    class Gizmo(Component):
        block_type = "gizmo"

    with gr.Blocks(title="My tools", css=".loud textarea { text-transform: uppercase; }") as demo:
        gr.Textbox(label="shown", elem_classes="loud", elem_id="shown-box")
        gr.Textbox(label="secret", visible=False)
        Gizmo(label="gizmo")
        data = gr.JSON(label="data", value={"a": [1, 2]})
        gr.Button("Clear data").click(lambda: {"b": None}, None, data)
    page = open_app(demo)
    expect(page).to_have_title("My tools")
    expect(page.locator("#shown-box")).to_have_class("porch-block porch-block-textbox loud")
    expect(page.get_by_label("shown")).to_have_css("text-transform", "uppercase")
    expect(page.get_by_label("secret")).to_be_hidden()
    expect(page.get_by_role("note")).to_contain_text('"gizmo" is not supported')
    data_view = page.get_by_role("region", name="data")
    expect(data_view).to_contain_text('"a": [')
    expect(data_view.locator(".porch-json-number")).to_have_text(["1", "2"])
    page.get_by_role("button", name="Clear data").click()
    expect(data_view).to_contain_text('"b": null')
    expect(page.locator("footer")).to_have_text("Use via API · Built with porch")


def test_apps_with_state_keep_a_heartbeat_open(open_app: OpenApp, page: Page) -> None:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    with gr.Blocks() as demo:
        gr.State(0)
        gr.Textbox(label="t")
    open_app(demo)
    page.wait_for_timeout(200)
    assert any("/gradio_api/heartbeat/" in url for url in seen), seen
