"""Multipage apps in the browser: the navbar, each page's own blocks and events, back and
forward, and deep links that restore a page's inputs from its URL."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def multipage_app() -> gr.Blocks:
    with gr.Blocks(title="pages") as demo:
        gr.Markdown("Welcome home")
        name = gr.Textbox(label="Name", elem_id="name")
        greeting = gr.Textbox(label="Greeting")
        name.change(lambda n: f"Hello {n}", name, greeting)
    with demo.route("Settings"):
        steps = gr.Slider(1, 50, value=10, step=1, label="Steps", elem_id="steps")
        model = gr.Dropdown(["small", "large"], value="small", label="Model", elem_id="model")
        loud = gr.Checkbox(label="Loud", elem_id="loud")
        secret = gr.Textbox(label="Secret", type="password", elem_id="secret")
        summary = gr.Textbox(label="Summary")
        gr.Button("Summarise").click(lambda s, m, lo: f"{m} x{int(s)} loud={lo}",
                                     [steps, model, loud], summary)
        loaded = gr.Textbox(label="Loaded")
        demo.load(lambda: "settings loaded", None, loaded)
        del secret
    with demo.route("Hidden", "/secret-page", show_in_navbar=False):
        gr.Markdown("Only by link")
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(multipage_app())


def ready(page: Page, address: str) -> Page:
    page.goto(address)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def test_each_page_shows_its_own_blocks_and_the_navbar_moves_between_them(
        page: Page, url: str) -> None:
    ready(page, url)
    nav = page.get_by_role("navigation", name="Pages")
    expect(nav.get_by_role("link")).to_have_text(["Home", "Settings"])
    expect(nav.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Welcome home")).to_be_visible()
    expect(page.get_by_label("Steps")).to_have_count(0)
    nav.get_by_role("link", name="Settings").click()
    page.wait_for_url(url + "settings")
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.get_by_text("Welcome home")).to_have_count(0)
    # The page's own load event ran; home's change event has nothing to do here.
    expect(page.get_by_label("Loaded")).to_have_value("settings loaded")
    page.get_by_role("button", name="Summarise").click()
    expect(page.get_by_label("Summary")).to_have_value("small x10 loud=False")
    page.go_back()
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.get_by_text("Welcome home")).to_be_visible()
    page.go_forward()
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.get_by_role("button", name="Summarise")).to_be_visible()


def test_a_page_left_out_of_the_navbar_is_reachable_by_its_path(page: Page, url: str) -> None:
    ready(page, url + "secret-page")
    expect(page.get_by_text("Only by link")).to_be_visible()
    expect(page.get_by_role("navigation", name="Pages").get_by_role("link")).to_have_text(
        ["Home", "Settings"])


def test_a_deep_link_restores_the_inputs_and_the_url_follows_changes(page: Page, url: str
                                                                    ) -> None:
    ready(page, url + "settings?steps=25&model=large&loud=true&secret=leak")
    expect(page.get_by_label("Steps").first).to_have_value("25")
    expect(page.get_by_label("Loud")).to_be_checked()
    # A password field never takes a value from (or gives one to) the URL.
    expect(page.get_by_label("Secret")).to_have_value("")
    page.get_by_role("button", name="Summarise").click()
    expect(page.get_by_label("Summary")).to_have_value("large x25 loud=True")
    page.get_by_label("Loud").uncheck()
    expect(page).not_to_have_url(re.compile(r"loud="))
    query = parse_qs(urlsplit(page.url).query)
    assert query["steps"] == ["25"] and query["model"] == ["large"]
    # The URL now is a link to what the page shows: a new visitor gets the same page.
    other = page.context.new_page()
    ready(other, page.url)
    expect(other.get_by_label("Steps").first).to_have_value("25")
    expect(other.get_by_label("Loud")).not_to_be_checked()
    other.close()


def test_typing_on_home_writes_the_link_and_runs_the_change_event(page: Page, url: str) -> None:
    ready(page, url + "?name=Ada")
    expect(page.get_by_label("Name")).to_have_value("Ada")
    expect(page.get_by_label("Greeting")).to_have_value("Hello Ada")
    page.get_by_label("Name").fill("Grace")
    expect(page.get_by_label("Greeting")).to_have_value("Hello Grace")
    expect(page).to_have_url(url + "?name=Grace")
