"""Walkthrough in the browser: numbered steps, moved on by an event, picked by a click."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def test_steps_advance_and_report_selection(open_app: Callable[[Any], Page]) -> None:
    with gr.Blocks() as demo:
        picked = gr.Textbox(label="picked")
        changes = gr.Number(0, label="changes")
        with gr.Walkthrough(selected=0) as walk:
            with gr.Step("Name", id=0):
                name = gr.Textbox(label="name")
                nxt = gr.Button("Next")
            with gr.Step("Done", id=1):
                greeting = gr.Textbox(label="greeting")
        nxt.click(lambda n: (gr.Walkthrough(selected=1), f"Hi {n}"), name, [walk, greeting])

        def chosen(evt: gr.SelectData) -> str:
            return f"{evt.index} {evt.value}"

        walk.select(chosen, None, picked)
        walk.change(lambda c: c + 1, changes, changes)
    page = open_app(demo)
    steps = page.get_by_role("tab")
    expect(steps).to_have_text(["Name", "Done"])
    expect(steps.first).to_have_attribute("aria-selected", "true")
    # numbered by a CSS counter on the step bar
    number = steps.nth(1).evaluate("b => getComputedStyle(b, '::before').content")
    assert number == "counter(porch-step)"
    page.get_by_role("textbox", name="name").fill("Ada")
    page.get_by_role("button", name="Next").click()
    expect(steps.nth(1)).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("greeting")).to_have_value("Hi Ada")
    expect(page.get_by_label("greeting")).to_be_visible()
    expect(page.get_by_role("textbox", name="name")).to_be_hidden()
    steps.first.click()
    expect(page.get_by_label("picked")).to_have_value("0 Name")
    expect(page.get_by_role("textbox", name="name")).to_be_visible()
    expect(page.get_by_label("changes")).to_have_value("2")
