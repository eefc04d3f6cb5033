"""Buttons, ClearButton, BrowserState and the arguments every component shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        with gr.Row():
            gr.Button("Primary", variant="primary", size="sm")
            gr.Button("Stop", variant="stop", size="md")
            gr.Button("Docs", link="/config", link_target="_self")
        text = gr.Textbox("typed", label="Text")
        ticked = gr.Checkbox(True, label="Ticked")
        many = gr.CheckboxGroup(["a", "b"], value=["a"], label="Many")
        level = gr.Slider(0, 10, value=5, label="Level")
        table = gr.Dataframe([[1, 2]], label="Grid", interactive=True)
        counter = gr.State(0)
        count = gr.Number(label="count")
        gr.Button("Bump").click(lambda n: (n + 1, n + 1), counter, [counter, count])
        gr.ClearButton([text, ticked, many, level, table, counter], value="Reset all")
        visits = gr.BrowserState(0, storage_key="porch-test-visits")
        seen = gr.Number(label="visits")
        gr.Button("Visit").click(lambda n: (n + 1, n + 1), visits, [visits, seen])
        gr.Textbox(label="Locked", interactive=False, info="Read only", elem_id="locked",
                   elem_classes=["tall", "odd"])
        gr.Radio(["x"], label="Hidden radio", visible=False)
        gr.Slider(label="Quiet", show_label=False)
        gr.Dropdown(["p"], label="Frozen", interactive=False)
        gr.Checkbox(label="Bare", container=False)
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(build())


@pytest.fixture
def app(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def test_button_variants_sizes_and_link(app: Page) -> None:
    expect(app.get_by_role("button", name="Primary")).to_have_class(
        "porch-button porch-primary porch-size-sm")
    expect(app.get_by_role("button", name="Stop")).to_have_class(
        "porch-button porch-stop porch-size-md")
    app.get_by_role("button", name="Docs").click()
    app.wait_for_url("**/config")


def test_clear_button_clears_fields_and_resets_state(app: Page) -> None:
    app.get_by_role("button", name="Bump").click()
    app.get_by_role("button", name="Bump").click()
    expect(app.get_by_label("count")).to_have_value("2")
    app.get_by_role("button", name="Reset all").click()
    expect(app.get_by_label("Text")).to_have_value("")
    expect(app.get_by_label("Ticked")).not_to_be_checked()
    expect(app.get_by_label("a", exact=True)).not_to_be_checked()
    expect(app.get_by_role("slider", name="Level")).to_have_value("0")
    # An empty input table offers blank rows to type into.
    expect(app.get_by_role("table", name="Grid").locator("tbody input").first).to_have_value("")
    # The server-side State went back to its starting value too.
    app.get_by_role("button", name="Bump").click()
    expect(app.get_by_label("count")).to_have_value("1")


def test_browser_state_survives_a_reload(app: Page, url: str) -> None:
    app.evaluate("localStorage.clear()")
    app.reload()
    app.wait_for_selector("html[data-porch=ready]")
    app.get_by_role("button", name="Visit").click()
    expect(app.get_by_label("visits")).to_have_value("1")
    assert app.evaluate("localStorage.getItem('porch-test-visits')") == "1"
    app.reload()
    app.wait_for_selector("html[data-porch=ready]")
    app.get_by_role("button", name="Visit").click()
    expect(app.get_by_label("visits")).to_have_value("2")


def test_common_arguments_reach_the_page(app: Page) -> None:
    locked = app.get_by_label("Locked")
    expect(locked).to_have_attribute("readonly", "")
    expect(app.locator("#locked")).to_have_class("porch-block porch-block-textbox tall odd")
    expect(app.get_by_text("Read only")).to_be_visible()
    expect(app.get_by_role("group", name="Hidden radio")).to_be_hidden()
    quiet = app.get_by_role("slider", name="Quiet")
    expect(quiet).to_be_visible()  # still named for assistive tech, label not shown
    expect(app.get_by_label("Frozen")).to_be_disabled()
    bare = app.locator(".porch-block-checkbox.porch-plain > .porch-body")
    expect(bare).to_have_css("border-top-width", "0px")
