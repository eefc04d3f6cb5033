"""Value pickers in the browser: slider (number.js), colorpicker and datetime (picker.js)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        speed = gr.Slider(0, 10, value=4, step=1, label="Speed")
        tint = gr.ColorPicker("#ff8800", label="Tint")
        when = gr.DateTime("2024-05-01 12:30:00", label="When", type="string")
        day = gr.DateTime(label="Day", include_time=False, type="string")
        out = gr.Textbox(label="out")
        released = gr.Textbox(label="released")
        for component in (speed, tint, when, day):
            component.change(lambda v: json.dumps(v), component, out)
        speed.release(lambda v: f"released at {v}", speed, released)
        gr.Button("Set").click(lambda: (7, "#00ff00", "2020-01-02 03:04:05"), None,
                               [speed, tint, when])
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(build())


@pytest.fixture
def app(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def test_slider_track_and_box(app: Page) -> None:
    track = app.get_by_role("slider", name="Speed")
    expect(track).to_have_value("4")
    track.focus()
    track.press("ArrowRight")
    expect(app.get_by_label("out")).to_have_value("5")
    box = app.get_by_label("Speed value")
    expect(box).to_have_value("5")
    box.fill("8")
    box.press("Enter")
    expect(track).to_have_value("8")
    expect(app.get_by_label("out")).to_have_value("8")
    expect(app.get_by_label("released")).to_have_value("released at 8")
    box.fill("99")  # clamped to the maximum
    box.press("Enter")
    expect(track).to_have_value("10")


def test_colorpicker(app: Page) -> None:
    swatch = app.get_by_label("Tint")
    expect(swatch).to_have_value("#ff8800")
    swatch.fill("#123456")
    expect(app.get_by_label("out")).to_have_value('"#123456"')


def test_datetime_text_and_native_picker(app: Page) -> None:
    when = app.get_by_label("When")
    expect(when).to_have_value("2024-05-01 12:30:00")
    when.fill("now - 2h")
    when.press("Enter")
    expect(app.get_by_label("out")).to_have_value('"now - 2h"')
    day = app.get_by_label("Day")
    app.locator(".porch-block-datetime").nth(1).get_by_label("calendar").fill("2021-02-03")
    expect(day).to_have_value("2021-02-03")
    expect(app.get_by_label("out")).to_have_value('"2021-02-03"')


def test_outputs_set_the_pickers(app: Page) -> None:
    app.get_by_role("button", name="Set").click()
    expect(app.get_by_role("slider", name="Speed")).to_have_value("7")
    expect(app.get_by_label("Tint")).to_have_value("#00ff00")
    expect(app.get_by_label("When")).to_have_value("2020-01-02 03:04:05")
    expect(app.locator(".porch-block-datetime").first.get_by_label("calendar")).to_have_value(
        "2020-01-02T03:04:05")
