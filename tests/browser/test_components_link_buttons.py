"""DuplicateButton in the browser: drawn as Gradio draws it off the Hub; its link is followed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def test_duplicate_button_follows_its_link(open_app: Callable[[Any], Page]) -> None:
    with gr.Blocks() as demo:
        gr.DuplicateButton(link="/?from=duplicate")
        gr.DuplicateButton("No link", elem_id="plain")
    page = open_app(demo)
    plain = page.get_by_role("button", name="No link")
    expect(plain).to_be_visible()
    plain.click()  # no link, no Space: nothing happens, as in Gradio off the Hub
    page.wait_for_timeout(300)  # a navigation, had one started, would be under way
    expect(page).not_to_have_url(re.compile("from=duplicate"))
    page.get_by_role("button", name="Duplicate Space").click()
    page.wait_for_url("**/?from=duplicate")
