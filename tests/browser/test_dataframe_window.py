"""A long Dataframe draws only the rows in view: few row elements, true scrolling, true events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser
ROWS = 10_000


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        rows = [[i, f"name {i}", i * 0.5] for i in range(ROWS)]
        table = gr.Dataframe(rows, headers=["i", "name", "half"], label="Big",
                             interactive=False, type="array")
        picked = gr.Textbox(label="picked")

        def cell(evt: gr.SelectData) -> str:
            return f"{evt.index} {evt.value}"

        table.select(cell, None, picked)
        edit = gr.Dataframe(rows[:500], headers=["i", "name", "half"], label="Edit",
                            interactive=True, type="array")
        total = gr.Textbox(label="total")
        edit.change(lambda rows: str(sum(int(r[0]) for r in rows)), edit, total)
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(build())


@pytest.fixture
def app(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def test_a_long_table_draws_a_window_and_scrolls_to_the_last_row(app: Page) -> None:
    table = app.get_by_role("table", name="Big")
    expect(table.locator("tbody tr:not(.porch-table-spacer)").first.locator("td")).to_have_text(
        ["0", "name 0", "0"])
    expect(table).to_have_attribute("aria-rowcount", str(ROWS + 1))
    assert table.locator("tbody tr").count() < 200
    table.locator("xpath=..").evaluate("box => { box.scrollTop = box.scrollHeight; }")
    last = table.locator(f'tr[aria-rowindex="{ROWS + 1}"] td')
    expect(last).to_have_text([str(ROWS - 1), f"name {ROWS - 1}", str((ROWS - 1) * 0.5)])
    assert table.locator("tbody tr").count() < 200
    expect(table.locator('tr[aria-rowindex="2"]')).to_have_count(0)


def test_a_click_far_down_selects_the_right_row(app: Page) -> None:
    table = app.get_by_role("table", name="Big")
    expect(table.locator('tr[aria-rowindex="2"]')).to_have_count(1)
    box = table.locator("xpath=..")
    height = box.evaluate("box => box.scrollHeight")
    box.evaluate(f"box => {{ box.scrollTop = {height * 0.7}; }}")
    target = table.get_by_role("cell", name="name 7000", exact=True)
    expect(target).to_be_visible()
    target.click()
    expect(app.get_by_label("picked")).to_have_value("(7000, 1) name 7000")


def test_editing_in_a_long_table_still_reaches_the_function(app: Page) -> None:
    table = app.get_by_role("table", name="Edit")
    box = table.locator("xpath=..")
    box.evaluate("box => { box.scrollTop = box.scrollHeight; }")
    cell = app.get_by_label("i, row 500")
    expect(cell).to_have_value("499")
    cell.fill("1499")
    expect(app.get_by_label("total")).to_have_value(str(sum(range(500)) + 1000))
    assert table.locator("tbody tr").count() < 200
