"""ParamViewer in the browser: rows open to Markdown descriptions; updates redraw them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def test_rows_open_and_update(open_app: Callable[[Any], Page]) -> None:
    with gr.Blocks() as demo:
        viewer = gr.ParamViewer(
            {"x": {"type": "int", "description": "How *many* <b>times</b>.", "default": "1"}},
            anchor_links=True)
        gr.Button("More").click(
            lambda: {"a": {"type": "str", "description": "A.", "default": None},
                     "b": {"type": "float", "description": "B.", "default": "0.5"}},
            None, viewer)
    page = open_app(demo)
    rows = page.get_by_role("listitem")
    expect(rows).to_have_count(1)
    expect(page.get_by_role("heading", name="Parameters")).to_be_visible()
    expect(rows.first.locator("summary")).to_contain_text("x: int")
    description = rows.first.locator(".porch-paramviewer-description")
    expect(description).to_be_hidden()
    rows.first.locator("summary").click()
    expect(description.locator("em")).to_have_text("many")
    expect(description).to_contain_text("<b>times</b>")  # markup stays text
    expect(rows.first.locator(".porch-paramviewer-default")).to_have_text("default = 1")
    expect(page.get_by_label("link to x")).to_have_attribute("href", "#param-x")
    page.get_by_role("button", name="More").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("summary")).to_contain_text("b: float")
