"""A layout-heavy app in the browser: tabs, accordion, sidebar, updates of props, select
events, gr.on with several triggers, @render, and the theme. One server for the module."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def layout_app() -> gr.Blocks:
    with gr.Blocks(theme=gr.themes.Base(primary_hue="green")) as demo:
        with gr.Sidebar(label="Settings") as side:
            name = gr.Textbox(label="Your name")
        with gr.Tabs(selected="second") as tabs:
            with gr.Tab("First", id="first") as first:
                secret = gr.Textbox(label="secret text", value="hello", interactive=True)
                with gr.Row():
                    hide = gr.Button("Hide it")
                    show = gr.Button("Show it")
                    relabel = gr.Button("Relabel it")
            with gr.Tab("Second", id="second") as second:
                gr.Markdown("The second page")
                to_first = gr.Button("Go to first")
            with gr.Tab("Later", visible=False) as later:
                gr.Markdown("Not yet")
            with gr.Tab("Locked", interactive=False):
                gr.Markdown("Locked page")
        with gr.Row():
            quiet = gr.Button("Quiet work")
            far = gr.Button("Far work")
            reveal = gr.Button("Reveal later")
        quiet_out = gr.Textbox(label="quiet out")
        with gr.Accordion("Details", open=False) as details:
            count = gr.Number(label="count", value=2)
        choice = gr.Dropdown(["x", "y"], label="choice")
        new_choices = gr.Button("New choices")
        log = gr.Textbox(label="log")
        joined = gr.Textbox(label="joined")

        hide.click(lambda: gr.Textbox(visible=False), None, secret)
        show.click(lambda: gr.update(visible=True), None, secret)
        relabel.click(lambda: gr.Textbox(label="renamed text"), None, secret)
        to_first.click(lambda: gr.Tabs(selected="first"), None, tabs)
        new_choices.click(lambda: gr.update(choices=["p", ("Queen", "q")], value="q"), None,
                          choice)

        def tab_picked(evt: gr.SelectData) -> str:
            return f"tab {evt.index} {evt.value}"

        first.select(tab_picked, None, log)
        second.select(tab_picked, None, log)
        details.expand(lambda: "opened", None, log)
        details.collapse(lambda: "closed", None, log)
        side.collapse(lambda: "sidebar closed", None, log)
        side.expand(lambda: "sidebar opened", None, log)

        def chose(value: str, evt: gr.SelectData) -> str:
            return f"chose {value} at {evt.index} ({evt.selected})"

        choice.select(chose, choice, log)
        gr.on([name.submit, choice.change], lambda n, c: f"{n}/{c}", [name, choice], joined)

        def slow() -> str:
            time.sleep(0.6)
            return "quiet done"

        quiet.click(slow, None, quiet_out, show_progress="hidden")
        reveal.click(lambda: gr.Tab(visible=True), None, later)
        gr.HTML("<div style='height: 2400px'></div>")
        far_out = gr.Textbox(label="far out")
        far.click(lambda: "far done", None, far_out, scroll_to_output=True)

        @gr.render(inputs=count)
        def boxes(n: float) -> None:
            made = [gr.Textbox(label=f"box {i}", key=f"box{i}") for i in range(int(n or 0))]
            if made:
                gr.Button("Join boxes").click(lambda *v: "+".join(v), made, joined)
    return demo


@pytest.fixture(scope="module")
def app_url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(layout_app())


@pytest.fixture
def app(page: Page, app_url: str) -> Page:
    page.goto(app_url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def test_tabs_switch_by_click_and_by_update(app: Page) -> None:
    page = app
    expect(page.get_by_role("tab", name="Second")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("The second page")).to_be_visible()
    expect(page.get_by_label("secret text")).to_be_hidden()
    page.get_by_role("tab", name="First").click()
    expect(page.get_by_label("secret text")).to_be_visible()
    expect(page.get_by_text("The second page")).to_be_hidden()
    expect(page.get_by_label("log")).to_have_value("tab 0 First")
    page.get_by_role("tab", name="Second").click()
    expect(page.get_by_label("log")).to_have_value("tab 1 Second")
    page.get_by_role("button", name="Go to first").click()
    expect(page.get_by_role("tab", name="First")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("secret text")).to_be_visible()


def test_updates_hide_show_and_relabel_a_component(app: Page) -> None:
    page = app
    page.get_by_role("tab", name="First").click()
    box = page.get_by_label("secret text")
    box.fill("typed by me")
    page.get_by_role("button", name="Hide it").click()
    expect(box).to_be_hidden()
    page.get_by_role("button", name="Show it").click()
    expect(box).to_be_visible()
    page.get_by_role("button", name="Relabel it").click()
    renamed = page.get_by_label("renamed text")
    expect(renamed).to_be_visible()
    # An update that names other props keeps what the user typed.
    expect(renamed).to_have_value("typed by me")


def test_accordion_toggles_and_fires_expand_and_collapse(app: Page) -> None:
    page = app
    header = page.get_by_role("button", name="Details")
    expect(header).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_label("count")).to_be_hidden()
    header.click()
    expect(page.get_by_label("count")).to_be_visible()
    expect(page.get_by_label("log")).to_have_value("opened")
    header.click()
    expect(page.get_by_label("count")).to_be_hidden()
    expect(page.get_by_label("log")).to_have_value("closed")


def test_dropdown_choices_change_by_update_and_select_sends_its_data(app: Page) -> None:
    page = app
    choice = page.get_by_label("choice")
    choice.select_option("y")
    expect(page.get_by_label("log")).to_have_value("chose y at 1 (True)")
    page.get_by_role("button", name="New choices").click()
    expect(choice.locator("option", has_text="Queen")).to_have_count(1)
    expect(choice.locator("option", has_text="y")).to_have_count(0)
    expect(choice.locator("option:checked")).to_have_text("Queen")
    # The server checks later inputs against the new choices.
    choice.select_option("p")
    expect(page.get_by_label("log")).to_have_value("chose p at 0 (True)")


def test_on_runs_for_each_of_its_triggers(app: Page) -> None:
    page = app
    page.get_by_role("button", name="Close sidebar").click()
    page.get_by_role("button", name="Open sidebar").click()
    name = page.get_by_label("Your name")
    name.fill("Ann")
    name.press("Enter")
    expect(page.get_by_label("joined")).to_have_value("Ann/x")  # x: the first choice
    page.get_by_label("choice").select_option("y")
    expect(page.get_by_label("joined")).to_have_value("Ann/y")


def test_render_draws_as_many_boxes_as_the_number_and_keeps_typed_values(app: Page) -> None:
    page = app
    expect(page.get_by_label("box 1")).to_be_visible()
    expect(page.get_by_label("box 2")).to_have_count(0)
    page.get_by_role("button", name="Details").click()
    page.get_by_label("box 0").fill("a")
    page.get_by_label("count").fill("3")
    expect(page.get_by_label("box 2")).to_be_visible()
    expect(page.get_by_label("box 0")).to_have_value("a")  # same key: kept
    page.get_by_label("box 1").fill("b")
    page.get_by_label("box 2").fill("c")
    page.get_by_role("button", name="Join boxes").click()
    expect(page.get_by_label("joined")).to_have_value("a+b+c")
    page.get_by_label("count").fill("1")
    expect(page.get_by_label("box 1")).to_have_count(0)
    expect(page.get_by_role("button", name="Join boxes")).to_have_count(1)


def test_sidebar_folds_away_and_is_a_drawer_on_a_phone(app: Page) -> None:
    page = app
    panel = page.locator(".porch-sidebar-panel")
    field = page.get_by_label("Your name")
    expect(field).to_be_in_viewport()
    page.get_by_role("button", name="Close sidebar").click()
    expect(page.get_by_label("log")).to_have_value("sidebar closed")
    expect(field).not_to_be_in_viewport()
    page.get_by_role("button", name="Open sidebar").click()
    expect(field).to_be_in_viewport()
    expect(page.get_by_label("log")).to_have_value("sidebar opened")
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    page.wait_for_selector("html[data-porch=ready]")
    expect(panel).to_have_attribute("aria-hidden", "true")  # closed at first on a phone
    page.get_by_role("button", name="Open sidebar").click()
    expect(page.get_by_label("Your name")).to_be_in_viewport()
    box = panel.bounding_box()
    assert box is not None and box["width"] <= 390 * 0.86
    page.locator(".porch-sidebar-backdrop").click(position={"x": 370, "y": 400})
    expect(panel).to_have_attribute("aria-hidden", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_theme_variables_apply(app: Page) -> None:
    page = app
    assert page.evaluate("document.documentElement.dataset.theme") == "base"
    accent = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--porch-accent').trim()")
    assert accent in ("#16a34a", "#4ade80")  # green, light or dark page


def test_hidden_and_locked_tabs_and_revealing_one(app: Page) -> None:
    page = app
    expect(page.get_by_role("tab", name="Later")).to_be_hidden()
    expect(page.get_by_role("tab", name="Locked")).to_be_disabled()
    page.get_by_role("button", name="Reveal later").click()
    page.get_by_role("tab", name="Later").click()
    expect(page.get_by_text("Not yet")).to_be_visible()


def test_show_progress_hidden_shows_no_status_and_scroll_to_output_scrolls(app: Page) -> None:
    page = app
    page.get_by_role("button", name="Quiet work").click()
    out = page.locator(".porch-block-textbox", has=page.get_by_label("quiet out"))
    expect(out).to_have_attribute("aria-busy", "true")
    expect(out.locator(".porch-status")).to_have_count(0)
    expect(out).not_to_have_class(re.compile(r"\bporch-pending\b"))
    expect(page.get_by_label("quiet out")).to_have_value("quiet done")
    far = page.get_by_label("far out")
    expect(far).not_to_be_in_viewport()
    page.get_by_role("button", name="Far work").click()
    expect(far).to_have_value("far done")
    expect(far).to_be_in_viewport()
