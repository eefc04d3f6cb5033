"""DeepLinkButton in Chromium: copy a link, open it in a new page, the values are back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

import porch as gr
from tests.conftest import launched

pytestmark = pytest.mark.browser


def test_a_copied_link_restores_inputs_and_outputs(browser: Browser) -> None:
    with gr.Blocks() as demo:
        name = gr.Textbox(label="Name")
        steps = gr.Slider(1, 50, value=10, step=1, label="Steps")
        mood = gr.Radio(["calm", "busy"], label="Mood")
        secret = gr.Textbox(label="Password", type="password")
        shout = gr.Button("Shout")
        out = gr.Textbox(label="Shouted")
        shout.click(lambda n, s, m, p: f"{n.upper()} x{int(s)} {m}", [name, steps, mood, secret],
                    out)
        gr.DeepLinkButton()
    with launched(demo) as url:
        context = browser.new_context()
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(url + "/")
        page.wait_for_selector("html[data-porch=ready]")
        page.get_by_label("Name").fill("ada")
        page.get_by_role("group", name="Mood").get_by_label("busy").check()
        page.get_by_label("Password").fill("hunter2")
        page.get_by_role("button", name="Shout").click()
        expect(page.get_by_label("Shouted")).to_have_value("ADA x10 busy")
        # Typed after the last event: a link still carries what the page shows now.
        page.get_by_label("Name").fill("grace")
        share = page.get_by_role("button", name="Share via Link")
        share.click()
        expect(page.get_by_role("button", name="Link Copied!")).to_be_visible()
        expect(page.get_by_role("button", name="Share via Link")).to_be_visible(timeout=5000)
        link = page.evaluate("navigator.clipboard.readText()")
        assert "deep_link=" in link
        assert page.locator("[data-porch-link]").get_attribute("data-porch-link") == link

        other = browser.new_context().new_page()
        other.goto(link)
        other.wait_for_selector("html[data-porch=ready]")
        expect(other.get_by_label("Name")).to_have_value("grace")
        expect(other.get_by_label("Shouted")).to_have_value("ADA x10 busy")
        expect(other.get_by_role("group", name="Mood").get_by_label("busy")).to_be_checked()
        # A password never goes in a link.
        expect(other.get_by_label("Password")).to_have_value("")
        # An id that names nothing opens the app as it starts.
        other.goto(url + "/?deep_link=nothing-here")
        other.wait_for_selector("html[data-porch=ready]")
        expect(other.get_by_label("Name")).to_have_value("")
        other.context.close()
        context.close()
