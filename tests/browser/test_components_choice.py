"""Choice components in the browser: checkbox, checkboxgroup, radio and dropdown."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def shown(value: Any) -> str:
    return json.dumps(value)


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        agree = gr.Checkbox(label="Agree", info="Required")
        colours = gr.CheckboxGroup(["red", ("Bright blue", "blue")], label="Colours",
                                   show_select_all=True)
        size = gr.Radio(["small", "large"], label="Size")
        pet = gr.Dropdown(["cat", ("Doggo", "dog")], label="Pet")
        tags = gr.Dropdown(["a", "b", "c"], multiselect=True, max_choices=2, label="Tags")
        free = gr.Dropdown(["x"], allow_custom_value=True, value=None, label="Free")
        out = gr.Textbox(label="out")
        picked = gr.Textbox(label="picked")
        for component in (agree, colours, size, pet, tags, free):
            component.change(shown, component, out)

        def chosen(value: str, evt: gr.SelectData) -> str:
            return f"selected {evt.value} at {evt.index} ({value})"

        size.select(chosen, size, picked)

        def toggled(evt: gr.SelectData) -> str:
            return f"{evt.value} {'on' if evt.selected else 'off'}"

        colours.select(toggled, None, picked)
        pet.input(lambda v: f"input {v}", pet, picked)
        gr.Button("Set").click(
            lambda: (False, ["blue"], "large", "cat", ["c"]), None,
            [agree, colours, size, pet, tags])
        gr.Button("New choices").click(lambda: gr.Radio(choices=["tiny", "huge"]), None, size)
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(build())


@pytest.fixture
def app(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def test_checkbox(app: Page) -> None:
    box = app.get_by_label("Agree")
    expect(box).not_to_be_checked()
    box.check()
    expect(app.get_by_label("out")).to_have_value("true")
    expect(app.get_by_text("Required")).to_be_visible()


def test_checkbox_group_is_a_labelled_fieldset(app: Page) -> None:
    group = app.get_by_role("group", name="Colours")
    group.get_by_label("Bright blue").check()
    expect(app.get_by_label("out")).to_have_value('["blue"]')
    expect(app.get_by_label("picked")).to_have_value("blue on")
    group.get_by_label("Select all").check()
    expect(app.get_by_label("out")).to_have_value('["red", "blue"]')
    group.get_by_label("red").uncheck()
    expect(app.get_by_label("out")).to_have_value('["blue"]')
    expect(group.get_by_label("Select all")).not_to_be_checked()


def test_radio_sends_change_and_select(app: Page) -> None:
    group = app.get_by_role("group", name="Size")
    group.get_by_label("large").check()
    expect(app.get_by_label("out")).to_have_value('"large"')
    expect(app.get_by_label("picked")).to_have_value("selected large at 1 (large)")


def test_dropdown_single_by_label_sends_the_value(app: Page) -> None:
    pet = app.get_by_label("Pet")
    expect(pet).to_have_value("0")  # the first choice is the default
    pet.select_option(label="Doggo")
    expect(app.get_by_label("out")).to_have_value('"dog"')
    expect(app.get_by_label("picked")).to_have_value("input dog")


def test_dropdown_multiselect_chips(app: Page) -> None:
    tags = app.get_by_label("Tags", exact=True)
    tags.fill("b")
    expect(app.get_by_label("out")).to_have_value('["b"]')
    tags.fill("zz")
    tags.press("Enter")
    expect(tags).to_have_attribute("aria-invalid", "true")  # not a choice
    tags.fill("a")
    expect(app.get_by_label("out")).to_have_value('["b", "a"]')
    expect(tags).to_be_disabled()  # max_choices reached
    app.get_by_role("button", name="Remove b").click()
    expect(app.get_by_label("out")).to_have_value('["a"]')


def test_dropdown_custom_value(app: Page) -> None:
    free = app.get_by_label("Free")
    free.fill("anything")
    free.press("Enter")
    free.blur()
    expect(app.get_by_label("out")).to_have_value('"anything"')


def test_outputs_and_updates_set_the_choices(app: Page) -> None:
    app.get_by_label("Agree").check()
    app.get_by_role("button", name="Set").click()
    expect(app.get_by_label("Agree")).not_to_be_checked()
    expect(app.get_by_label("Bright blue")).to_be_checked()
    expect(app.get_by_label("large")).to_be_checked()
    expect(app.get_by_label("Pet")).to_have_value("0")
    expect(app.get_by_role("button", name="Remove c")).to_be_visible()
    app.get_by_role("button", name="New choices").click()
    expect(app.get_by_label("huge")).to_be_visible()
    expect(app.get_by_label("small")).to_have_count(0)

