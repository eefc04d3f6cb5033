"""gr.I18n in Chromium: each browser language sees its own text, and the fallbacks hold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

import porch as gr
from tests.conftest import launched

pytestmark = pytest.mark.browser

I18N = gr.I18n(
    en={"name": "Name", "greet": "Say hello", "title": "Greeter", "only_en": "English only",
        "hello": "Hello"},
    de={"name": "Name (de)", "greet": "Hallo sagen", "title": "Grüßer", "hello": "Hallo",
        "saved": "Gespeichert"},
    **{"fr-CA": {"name": "Nom (CA)", "greet": "Saluer"}},
)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with gr.Blocks(title=I18N("title")) as demo:
        name = gr.Textbox(label=I18N("name"), placeholder=I18N("name"))
        gr.Markdown(I18N("only_en"), elem_id="note")
        gr.Markdown(I18N("missing_everywhere"), elem_id="missing")
        button = gr.Button(I18N("greet"))
        out = gr.Markdown(elem_id="out")
        # An event's output may be a token too, and so may a toast's message: the page
        # translates them on arrival.
        def hello(_: str) -> str:
            gr.Info(I18N("saved"))
            return I18N("hello")

        button.click(hello, name, out)
    with launched(demo, i18n=I18N) as served:
        yield served


def open_in(browser: Browser, url: str, locale: str) -> Iterator[Page]:
    context = browser.new_context(locale=locale)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url + "/")
    page.wait_for_selector("html[data-porch=ready]")
    yield page
    context.close()
    assert not errors


def test_a_german_browser_sees_german(browser: Browser, url: str) -> None:
    for page in open_in(browser, url, "de-DE"):
        expect(page.get_by_label("Name (de)")).to_be_visible()
        expect(page.get_by_placeholder("Name (de)")).to_be_visible()
        expect(page.get_by_role("button", name="Hallo sagen")).to_be_visible()
        assert page.title() == "Grüßer"
        # A key German lacks falls back to English, one no table has shows the key.
        expect(page.locator("#note")).to_contain_text("English only")
        expect(page.locator("#missing")).to_contain_text("missing_everywhere")
        page.get_by_role("button", name="Hallo sagen").click()
        expect(page.locator("#out")).to_contain_text("Hallo")
        expect(page.locator(".porch-toast")).to_contain_text("Gespeichert")
        assert "__i18n__" not in page.content()


def test_a_region_falls_back_to_its_language(browser: Browser, url: str) -> None:
    for page in open_in(browser, url, "de-AT"):
        expect(page.get_by_role("button", name="Hallo sagen")).to_be_visible()
    # A table for one region serves the language's other regions too.
    for page in open_in(browser, url, "fr-FR"):
        expect(page.get_by_role("button", name="Saluer")).to_be_visible()
        expect(page.get_by_label("Nom (CA)")).to_be_visible()


def test_an_unknown_language_gets_english(browser: Browser, url: str) -> None:
    for page in open_in(browser, url, "ja-JP"):
        expect(page.get_by_role("button", name="Say hello")).to_be_visible()
        expect(page.get_by_label("Name", exact=True)).to_be_visible()
        page.get_by_role("button", name="Say hello").click()
        expect(page.locator("#out")).to_contain_text("Hello")
