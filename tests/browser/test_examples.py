"""The demo apps in examples/, served and driven in chromium as a person would use them."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"porch_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def urls(serve_for_module: Callable[[Any], str]) -> dict[str, str]:
    names = ("calculator", "image_filter", "chatbot", "layout_blocks")
    return {name: serve_for_module(load(name).demo) for name in names}


def open_page(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def test_calculator_examples_submit_and_error(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["calculator"])
    page.locator(".porch-sample").nth(2).click()  # 144 multiply 2.5
    expect(page.get_by_role("spinbutton", name="a", exact=True)).to_have_value("144")
    expect(page.get_by_label("multiply")).to_be_checked()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("spinbutton", name="result")).to_have_value("360")
    page.get_by_role("spinbutton", name="b", exact=True).fill("0")
    page.get_by_label("divide").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert").filter(has_text="Cannot divide by zero!")).to_be_visible()


def test_image_filter_tones_the_example_sepia(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["image_filter"])
    example = page.locator(".porch-sample img")
    expect(example).to_be_visible()  # the example's thumbnail, served from the cache
    assert "/gradio_api/file=" in (example.get_attribute("src") or "")
    page.locator(".porch-sample").first.click()
    expect(page.locator(".porch-block-image").first.locator("img.porch-image")).to_be_visible()
    page.get_by_role("button", name="Submit").click()
    result = page.locator(".porch-block-image").nth(1).locator("img.porch-image")
    expect(result).to_be_visible()
    # The output is a real image the page can decode.
    width = result.evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert width == 260


def test_chatbot_streams_words_and_keeps_turns(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["chatbot"])
    box = page.get_by_role("textbox", name="Message")
    box.fill("hello porch")
    box.press("Enter")
    expect(box).to_have_value("")
    user = page.locator(".porch-msg-user")
    expect(user).to_have_text(["hello porch"])
    reply = page.locator(".porch-msg-assistant").last
    expect(reply).to_have_text("(turn 1) You said: hello porch")
    page.locator(".porch-sample", has_text="What can you do?").click()
    expect(page.locator(".porch-msg-assistant").last).to_have_text(
        "(turn 2) You said: What can you do?")
    # Undo takes the last turn back into the box; Clear empties the conversation.
    page.get_by_role("button", name="Undo the last message").click()
    expect(box).to_have_value("What can you do?")
    expect(page.locator(".porch-msg")).to_have_count(2)
    page.get_by_role("button", name="Clear the conversation").click()
    expect(page.locator(".porch-msg")).to_have_count(0)


def test_chatbot_renders_markdown_safely(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["chatbot"])
    box = page.get_by_role("textbox", name="Message")
    box.fill("**bold** <img src=x onerror=alert(1)>")
    box.press("Enter")
    reply = page.locator(".porch-msg-assistant").last
    expect(reply).to_contain_text("onerror")  # shown as text, never parsed as HTML
    expect(reply.locator("strong")).to_have_text("bold")
    assert page.locator(".porch-chat img").count() == 0


def test_layout_tabs_and_visibility(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["layout_blocks"])
    page.get_by_label("Name").fill("Ada")
    page.get_by_label("Excited").check()
    page.get_by_role("button", name="Greet").click()
    expect(page.get_by_label("Result")).to_have_value("Hello, Ada!")
    page.get_by_role("tab", name="Settings").click()
    level = page.get_by_role("slider", name="Level")
    expect(level).to_be_visible()
    page.get_by_label("Show advanced options").uncheck()
    expect(level).to_be_hidden()
    page.get_by_label("Show advanced options").check()
    expect(level).to_be_visible()
    level.fill("8")
    expect(page.get_by_label(re.compile(r"Note \(level 8\)"))).to_have_value("Level 8 of 10")
