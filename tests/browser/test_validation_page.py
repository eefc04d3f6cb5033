"""An event's `validator=` in the browser: refused inputs say why next to themselves, the
function does not run, and the messages clear once the inputs are valid."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def check(name: str, age: float) -> list[dict[str, Any]]:
    return [gr.validate(bool(name.strip()), "Give a name"),
            gr.validate(0 <= age <= 150, "An age is between 0 and 150")]


def validated_app() -> gr.Blocks:
    with gr.Blocks() as demo:
        name = gr.Textbox(label="name", elem_id="name")
        age = gr.Number(label="age", value=200, elem_id="age")
        out = gr.Textbox(label="out", elem_id="out")
        gr.Button("Go").click(lambda n, a: f"{n} is {int(a)}", [name, age], out, validator=check)
    return demo


def test_refused_inputs_show_their_messages_and_the_function_does_not_run(
        open_app: Callable[[Any], Page]) -> None:
    page = open_app(validated_app())
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#name .porch-invalid-message")).to_have_text("Give a name")
    expect(page.locator("#age .porch-invalid-message")).to_have_text(
        "An age is between 0 and 150")
    expect(page.locator("#name")).to_have_class(re.compile(r"\bporch-invalid\b"))
    expect(page.locator("#out textarea, #out input").first).to_have_value("")

    page.locator("#name textarea, #name input").first.fill("Ada")
    page.locator("#age input").first.fill("36")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#out textarea, #out input").first).to_have_value("Ada is 36")
    expect(page.locator(".porch-invalid-message")).to_have_count(0)
