"""Data components in the browser: json tree, label, highlightedtext, dataframe and plot."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser
pd = pytest.importorskip("pandas", reason="install the test extras")
matplotlib = pytest.importorskip("matplotlib", reason="install the test extras")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402


def draw(n: float) -> Figure:
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().plot(range(int(n) + 2))
    return fig


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        data = gr.JSON({"a": [1, 2, {"deep": {"deeper": True}}], "s": "x"}, label="Data")
        gr.JSON(["p", "q"], label="Indexed", show_indices=True, open=True)
        classes = gr.Label({"cat": 0.75, "dog": 0.25}, label="Class")
        tags = gr.HighlightedText([("The ", None), ("fox", "noun"), (" ran", "verb")],
                                  label="Tags", show_legend=True, color_map={"noun": "red"})
        table = gr.Dataframe([[1, "a"], [2, "b"]], headers=["n", "s"],
                             datatype=["number", "str"], label="Table", interactive=True)
        total = gr.Textbox(label="total")
        picked = gr.Textbox(label="picked")
        result = gr.Dataframe(label="Result")
        plot = gr.Plot(label="Chart")
        points = gr.Number(3, label="points")
        table.change(lambda df: str(df["n"].sum()), table, total)

        def cell(evt: gr.SelectData) -> str:
            return f"{evt.index} {evt.value} {evt.row_value}"

        table.select(cell, None, picked)
        table.change(lambda df: df.describe().reset_index(), table, result)
        classes.select(lambda: "label clicked", None, picked)
        tags.select(lambda: "token clicked", None, picked)
        gr.Button("Draw").click(draw, points, plot)
        gr.Button("More").click(lambda: {"b": None}, None, data)
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(build())


@pytest.fixture
def app(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def test_json_tree_opens_and_closes(app: Page) -> None:
    tree = app.get_by_role("region", name="Data")
    expect(tree).to_contain_text('"a": [')
    expect(tree.locator(".porch-json-number")).to_have_text(["1", "2"])
    # Below the first two levels a branch starts closed, its children not drawn yet.
    closed = tree.locator("details:not([open])")
    expect(closed).to_have_count(1)
    expect(tree).not_to_contain_text('"deep"')
    closed.locator("summary").click()
    expect(tree).to_contain_text('"deep": {')
    tree.locator("details:not([open]) > summary").click()
    expect(tree.locator(".porch-json-boolean")).to_have_text("true")
    tree.locator("summary").first.click()  # collapse the whole value
    expect(tree.locator(".porch-json-string")).to_be_hidden()
    indexed = app.get_by_role("region", name="Indexed")
    expect(indexed).to_contain_text('0: "p"')
    app.get_by_role("button", name="More").click()
    expect(tree).to_contain_text('"b": null')


def test_label_shows_top_class_and_bars(app: Page) -> None:
    group = app.get_by_role("group", name="Class")
    expect(group.locator(".porch-class-top")).to_have_text("cat")
    cat = group.get_by_role("button", name="cat 75%")
    expect(cat.locator(".porch-confidence-bar")).to_have_attribute("style", "--porch-bar: 75%;")
    cat.click()
    expect(app.get_by_label("picked")).to_have_value("label clicked")


def test_highlighted_text_with_legend(app: Page) -> None:
    group = app.get_by_role("group", name="Tags")
    expect(group).to_contain_text("The fox")
    expect(group.locator("mark .porch-token-class")).to_have_text(["noun", "verb"])
    expect(group.locator("mark").first).to_have_css("background-color", "color(srgb 1 0 0 / 0.28)")
    expect(app.get_by_role("list", name="legend").locator("li")).to_have_text(["noun", "verb"])
    group.locator("mark").first.click()
    expect(app.get_by_label("picked")).to_have_value("token clicked")


def test_dataframe_edits_reach_the_function_as_pandas(app: Page) -> None:
    cell = app.get_by_label("n, row 2")
    expect(cell).to_have_value("2")
    cell.focus()
    expect(app.get_by_label("picked")).to_have_value("(1, 0) 2 [2, 'b']")
    cell.fill("40")
    expect(app.get_by_label("total")).to_have_value("41")
    app.get_by_role("button", name="Add row").click()
    app.get_by_label("n, row 3").fill("9")
    expect(app.get_by_label("total")).to_have_value("50")
    result = app.get_by_role("table", name="Result")
    expect(result.locator("thead th")).to_have_text(["index", "n"])
    expect(result.locator("tbody tr").first.locator("td")).to_have_text(["count", "3"])


def test_plot_shows_the_served_image(app: Page) -> None:
    app.get_by_role("button", name="Draw").click()
    image = app.get_by_role("img", name="Chart")
    expect(image).to_be_visible()
    loaded = image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert loaded
    src = image.get_attribute("src") or ""
    assert "/gradio_api/file=" in src and src.endswith(".png")
    assert json.dumps(src)  # a plain URL, not a data: blob
