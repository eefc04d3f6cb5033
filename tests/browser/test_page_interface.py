"""An Interface in the browser: submit, stream, errors, toasts, busy state, clear, labels."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser

OpenApp = Callable[[Any], Page]


def greet(name: str) -> str:
    return f"Hello {name}!"


def test_greet_with_the_submit_button(open_app: OpenApp) -> None:
    page = open_app(gr.Interface(greet, "text", "text"))
    page.get_by_label("name").fill("Ada")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_label("output")).to_have_value("Hello Ada!")


def test_enter_in_the_textbox_submits(open_app: OpenApp) -> None:
    page = open_app(gr.Interface(greet, "text", "text"))
    page.get_by_label("name").fill("Grace")
    page.get_by_label("name").press("Enter")
    expect(page.get_by_label("output")).to_have_value("Hello Grace!")


def test_a_generator_updates_the_output_live(open_app: OpenApp) -> None:
    release = threading.Event()

    def spell(word: str) -> Iterator[str]:
        yield f"{word}: 1"
        release.wait(10)
        yield f"{word}: 1 2"
        yield f"{word}: 1 2 3, done"

    page = open_app(gr.Interface(spell, "text", "text"))
    page.get_by_label("word").fill("count")
    page.get_by_role("button", name="Submit").click()
    output = page.get_by_label("output")
    # The function is parked after its first yield, so this value can only come from a
    # process_generating message shown while the event still runs.
    expect(output).to_have_value("count: 1")
    expect(page.locator(".porch-block[aria-busy=true]")).to_have_count(1)
    release.set()
    expect(output).to_have_value("count: 1 2 3, done")
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


def test_gr_error_shows_an_alert_and_the_page_keeps_working(open_app: OpenApp) -> None:
    def check(name: str) -> str:
        if name == "bad":
            raise gr.Error("bad input")
        return f"ok {name}"

    page = open_app(gr.Interface(check, "text", "text"))
    page.get_by_label("name").fill("bad")
    page.get_by_role("button", name="Submit").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("bad input")
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    page.get_by_label("name").fill("good")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_label("output")).to_have_value("ok good")


def test_an_unexpected_exception_shows_a_generic_alert(open_app: OpenApp) -> None:
    def crash(name: str) -> str:
        raise RuntimeError("secret detail")

    page = open_app(gr.Interface(crash, "text", "text"))
    page.get_by_label("name").fill("x")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("An error occurred")
    expect(page.get_by_role("alert")).not_to_contain_text("secret detail")


def test_info_and_warning_toasts(open_app: OpenApp) -> None:
    def chatty(name: str) -> str:
        gr.Info(f"hello {name}")
        gr.Warning("careful now")
        return name

    page = open_app(gr.Interface(chatty, "text", "text"))
    page.get_by_label("name").fill("Lin")
    page.get_by_role("button", name="Submit").click()
    statuses = page.get_by_role("status")
    expect(statuses.filter(has_text="hello Lin")).to_have_count(1)
    expect(statuses.filter(has_text="careful now")).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("output")).to_have_value("Lin")


def test_the_output_is_busy_while_a_slow_function_runs(open_app: OpenApp) -> None:
    release = threading.Event()

    def slow(name: str) -> str:
        release.wait(10)
        return name.upper()

    page = open_app(gr.Interface(slow, "text", "text"))
    page.get_by_label("name").fill("slow")
    page.get_by_role("button", name="Submit").click()
    busy = page.locator(".porch-block[aria-busy=true]")
    expect(busy).to_have_count(1)
    expect(busy.get_by_label("output")).to_be_visible()
    expect(busy).to_have_class(re.compile(r"\bporch-pending\b"))
    release.set()
    expect(page.get_by_label("output")).to_have_value("SLOW")
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


def test_repeat_clicks_while_running_are_ignored(open_app: OpenApp) -> None:
    release = threading.Event()
    calls: list[str] = []

    def once(name: str) -> str:
        calls.append(name)
        release.wait(10)
        return f"{name} {len(calls)}"

    page = open_app(gr.Interface(once, "text", "text"))
    page.get_by_label("name").fill("run")
    submit = page.get_by_role("button", name="Submit")
    submit.click()
    expect(page.locator(".porch-block[aria-busy=true]")).to_have_count(1)
    submit.click()
    submit.click()
    release.set()
    expect(page.get_by_label("output")).to_have_value("run 1")
    # Give ignored triggers time to show up if they had been sent.
    page.wait_for_timeout(500)
    expect(page.get_by_label("output")).to_have_value("run 1")
    assert calls == ["run"]


def test_clear_empties_inputs_and_outputs(open_app: OpenApp) -> None:
    def add(a: float, text: str) -> tuple[float, str]:
        return a + 1, text * 2

    page = open_app(gr.Interface(add, [gr.Number(label="a"), gr.Textbox(label="text")],
                                 [gr.Number(label="next"), gr.Textbox(label="twice")]))
    page.get_by_label("a", exact=True).fill("4")
    page.get_by_label("text", exact=True).fill("ab")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_label("twice")).to_have_value("abab")
    expect(page.get_by_label("next")).to_have_value("5")
    page.get_by_role("button", name="Clear").click()
    for label in ("a", "text", "next", "twice"):
        expect(page.get_by_label(label, exact=True)).to_have_value("")


def test_every_input_is_found_by_its_label(open_app: OpenApp) -> None:
    def describe(name: str, age: float, secret: str, bio: str, hidden: str) -> str:
        return "ok"

    page = open_app(gr.Interface(
        describe,
        [gr.Textbox(label="name"), gr.Number(label="age"),
         gr.Textbox(label="secret", type="password"), gr.Textbox(label="bio", lines=4),
         gr.Textbox(label="unlabelled", show_label=False)],
        gr.Textbox(label="result"),
    ))
    for label in ("name", "age", "secret", "bio", "unlabelled", "result"):
        expect(page.get_by_label(label, exact=True)).to_have_count(1)
    expect(page.get_by_label("secret")).to_have_attribute("type", "password")
    expect(page.get_by_label("bio")).to_have_js_property("tagName", "TEXTAREA")
    expect(page.get_by_label("unlabelled")).to_have_attribute("aria-label", "unlabelled")
    expect(page.locator("label", has_text="unlabelled")).to_be_hidden()
    # Inputs are editable; an output with interactive=None is read-only.
    expect(page.get_by_label("name")).to_be_editable()
    expect(page.get_by_label("result")).not_to_be_editable()
    # Nothing on the page that takes input lacks an accessible name.
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input, textarea, select, button')]
              .filter((el) => !el.labels?.length && !el.getAttribute('aria-label')
                              && !el.textContent.trim())
              .map((el) => el.outerHTML)"""
    )
    assert unnamed == []
