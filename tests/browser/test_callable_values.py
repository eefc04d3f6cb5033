"""`value=` given a function: it runs each time a page opens, and with `every=` (seconds or a
gr.Timer) again while the page stays open; `inputs=` feed it. Gradio's clock demos do this."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr
from porch.errors import ConfigError

pytestmark = pytest.mark.browser


def test_a_function_value_runs_on_load_and_refreshes_every_tick(
        open_app: Callable[[Any], Page]) -> None:
    ticks = itertools.count(1)
    visits = itertools.count(1)
    with gr.Blocks() as demo:
        gr.Textbox(lambda: f"visit {next(visits)}", label="once")
        gr.Textbox(lambda: f"tick {next(ticks)}", label="clock", every=0.3)
        timer = gr.Timer(0.3)
        gr.Number(lambda n: n * 2, inputs=[gr.Number(21, visible=False)], label="double",
                  every=timer)
    page = open_app(demo)
    expect(page.get_by_label("once")).to_have_value("visit 1")
    expect(page.get_by_label("double")).to_have_value("42")
    first = page.get_by_label("clock").input_value()
    assert first.startswith("tick ")
    # The clock moves on while the page is open; the once-only value does not.
    expect(page.get_by_label("clock")).not_to_have_value(first, timeout=5000)
    expect(page.get_by_label("once")).to_have_value("visit 1")
    page.reload()
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.get_by_label("once")).to_have_value("visit 2")


def test_every_without_a_function_value_is_a_clear_error() -> None:
    with gr.Blocks(), pytest.raises(ConfigError, match="every= and inputs= apply to a value "
                                                       "given as a function"):
        gr.Textbox("fixed", every=1)


def test_html_attributes_are_set_on_the_text_field(open_app: Callable[[Any], Page]) -> None:
    with gr.Blocks() as demo:
        gr.Textbox(label="word", html_attributes=gr.InputHTMLAttributes(
            spellcheck=False, autocorrect="off", lang="fr"))
    page = open_app(demo)
    field = page.get_by_label("word")
    expect(field).to_have_attribute("spellcheck", "false")
    expect(field).to_have_attribute("autocorrect", "off")
    expect(field).to_have_attribute("lang", "fr")


def _wired_to_load_and_tick(demo: gr.Blocks, component: Any) -> bool:
    return any(component in dep.outputs and {event for _, event in dep.targets} ==
               {"load", "tick"} for dep in demo.dependencies)


@pytest.mark.parametrize("make", [
    lambda fn, **kw: gr.AnnotatedImage(fn, **kw),
    lambda fn, **kw: gr.ImageSlider(fn, **kw),
    lambda fn, **kw: gr.Audio(fn, **kw),
    lambda fn, **kw: gr.ImageEditor(fn, **kw),
    lambda fn, **kw: gr.DuplicateButton(fn, **kw),
    lambda fn, **kw: gr.LoginButton(fn, **kw),
    lambda fn, **kw: gr.BarPlot(fn, **kw),
    lambda fn, **kw: gr.ParamViewer(fn, **kw),
], ids=["AnnotatedImage", "ImageSlider", "Audio", "ImageEditor", "DuplicateButton",
        "LoginButton", "BarPlot", "ParamViewer"])
def test_every_component_runs_a_function_value_on_load_and_each_tick(
        make: Callable[..., Any]) -> None:
    with gr.Blocks() as demo:
        seed = gr.Number(1, visible=False)
        component = make(lambda n: None, every=0.5, inputs=[seed])
    assert _wired_to_load_and_tick(demo, component)
    dep = next(d for d in demo.dependencies if component in d.outputs)
    assert dep.inputs == [seed]


def test_a_button_label_from_a_function_refreshes_every_tick(
        open_app: Callable[[Any], Page]) -> None:
    ticks = itertools.count(1)
    with gr.Blocks() as demo:
        gr.DuplicateButton(lambda: f"Duplicate {next(ticks)}", every=0.3, elem_id="dup")
    page = open_app(demo)
    button = page.locator("#dup button, button#dup").first
    expect(button).to_have_text(re.compile(r"Duplicate \d+"))
    first = button.inner_text()
    expect(button).not_to_have_text(first, timeout=5000)
