"""Dialogue in the browser: lines edited as rows or as text reach the function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def test_edits_reach_the_function(open_app: Callable[[Any], Page]) -> None:
    with gr.Blocks() as demo:
        talk = gr.Dialogue([{"speaker": "Ann", "text": "Hi"}], speakers=["Ann", "Bo"],
                           submit_btn="Send", color_map={"Ann": "#ff0000"})
        out = gr.Textbox(label="out")
        shown = gr.Dialogue(label="shown", interactive=False)
        talk.submit(lambda d: d, talk, out)
        talk.change(lambda d: [{"speaker": "echo", "text": d.replace("\n", " / ")}], talk, shown)
    page = open_app(demo)
    expect(page.get_by_label("text, line 1")).to_have_value("Hi")
    expect(page.get_by_role("listitem").first).to_have_css("border-left-color", "rgb(255, 0, 0)")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("speaker, line 2")).to_have_value("Bo")
    page.get_by_label("text, line 2").fill("Hello there")
    page.get_by_label("text, line 2").press("Enter")
    expect(page.get_by_label("out")).to_have_value("[Ann] Hi\n[Bo] Hello there")
    expect(page.locator(".porch-dialogue-said", has_text="[Ann] Hi / [Bo] Hello there")
           ).to_be_visible()
    # the same dialogue as text; a line without [speaker] goes to the first speaker
    page.get_by_role("button", name="Edit as text").click()
    text = page.get_by_role("textbox", name="Dialogue")
    expect(text).to_have_value("[Ann] Hi\n[Bo] Hello there")
    text.fill("[Bo] Bye\nSee you")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_label("out")).to_have_value("[Bo] Bye\n[Ann] See you")
