"""BarPlot, LinePlot and ScatterPlot in the browser: SVG marks per row, tooltips, legend,
aggregation, limits, updates from a function and select events back to one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser
pd = pytest.importorskip("pandas", reason="install the test extras")

SALES = pd.DataFrame({"fruit": ["apple", "pear", "plum", "fig"], "sold": [3, 7, 1, 5]})
SHOPS = pd.DataFrame({"fruit": ["apple", "apple", "pear", "pear", "plum"],
                      "shop": ["north", "south", "north", "south", "north"],
                      "sold": [2, 4, 6, 10, 1]})


def series(n: float) -> Any:
    count = int(n)
    return pd.DataFrame({"t": list(range(count)), "v": [i * i for i in range(count)]})


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        bars = gr.BarPlot(SALES, x="fruit", y="sold", title="Sales", elem_id="bars",
                          caption="Four fruits", sort="-y")
        stacked = gr.BarPlot(SHOPS, x="fruit", y="sold", color="shop", elem_id="stacked",
                             color_map={"north": "#ff0000"})
        means = gr.BarPlot(SHOPS, x="fruit", y="sold", y_aggregate="mean", elem_id="means")
        line = gr.LinePlot(series(5), x="t", y="v", elem_id="line", label="Squares")
        dots = gr.ScatterPlot(series(10), x="t", y="v", x_lim=[2, 6], elem_id="dots",
                              tooltip="none")
        binned = gr.BarPlot(series(10), x="t", y="v", x_bin=5, elem_id="binned")
        points = gr.Number(7, label="points")
        changed = gr.Textbox(label="changed")
        picked = gr.Textbox(label="picked")
        gr.Button("Redraw").click(series, points, line)
        line.change(lambda df: f"{len(df['data'])} rows", line, changed)

        def chosen(evt: gr.SelectData) -> str:
            return f"{evt.value}"

        bars.select(chosen, None, picked)
        del stacked, means, dots, binned
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(build())


@pytest.fixture
def app(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def test_one_bar_per_row_with_a_tooltip_on_hover(app: Page) -> None:
    plot = app.locator("#bars")
    bars = plot.locator("rect.porch-nativeplot-bar")
    expect(bars).to_have_count(4)
    expect(plot.locator(".porch-nativeplot-title")).to_have_text("Sales")
    expect(plot.locator(".porch-nativeplot-caption")).to_have_text("Four fruits")
    # sort="-y": the tallest bar first
    expect(plot.locator(".porch-nativeplot-xtick")).to_have_text(["pear", "fig", "apple", "plum"])
    expect(plot.locator(".porch-nativeplot-title-x")).to_have_text("fruit")
    tooltip = plot.get_by_role("tooltip")
    expect(tooltip).to_be_hidden()
    bars.first.hover()
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_text("fruit: pearsold: 7")
    app.mouse.move(0, 0)
    expect(tooltip).to_be_hidden()
    heights = [float(bars.nth(i).get_attribute("height") or 0) for i in range(4)]
    assert heights == sorted(heights, reverse=True) and heights[-1] > 0


def test_clicking_a_bar_selects_its_x(app: Page) -> None:
    app.locator("#bars rect.porch-nativeplot-bar").nth(2).click()
    expect(app.get_by_label("picked")).to_have_value("['apple', 'apple']")


def test_color_stacks_bars_and_draws_a_legend(app: Page) -> None:
    plot = app.locator("#stacked")
    expect(plot.locator("rect.porch-nativeplot-bar")).to_have_count(5)
    expect(plot.locator(".porch-nativeplot-legend-title")).to_have_text("shop")
    expect(plot.locator(".porch-nativeplot-legend-item")).to_have_text(["north", "south"])
    expect(plot.locator(".porch-nativeplot-swatch").first).to_have_css(
        "background-color", "rgb(255, 0, 0)")
    expect(plot.locator("rect.porch-nativeplot-bar").first).to_have_attribute("fill", "#ff0000")


def test_aggregate_and_bins_merge_rows(app: Page) -> None:
    means = app.locator("#means")
    expect(means.locator("rect.porch-nativeplot-bar")).to_have_count(3)
    means.locator("rect.porch-nativeplot-bar").nth(1).hover()
    expect(means.get_by_role("tooltip")).to_have_text("fruit: pearsold: 8")
    expect(means.locator(".porch-nativeplot-title-y")).to_have_text("mean of sold")
    binned = app.locator("#binned")
    expect(binned.locator("rect.porch-nativeplot-bar")).to_have_count(2)
    binned.locator("rect.porch-nativeplot-bar").nth(1).hover()
    # 25 + 36 + 49 + 64 + 81
    expect(binned.get_by_role("tooltip")).to_have_text("t: 5v: 255")


def test_scatter_keeps_points_inside_x_lim_and_can_hide_tooltips(app: Page) -> None:
    plot = app.locator("#dots")
    points = plot.locator("circle.porch-nativeplot-point")
    expect(points).to_have_count(5)  # t = 2..6
    points.first.hover()
    expect(plot.get_by_role("tooltip")).to_be_hidden()


def test_line_redraws_when_a_function_returns_a_frame(app: Page) -> None:
    plot = app.locator("#line")
    expect(plot.locator("path.porch-nativeplot-line")).to_have_count(1)
    expect(plot.locator("circle.porch-nativeplot-vertex")).to_have_count(5)
    expect(plot.locator(".porch-label")).to_have_text("Squares")
    app.get_by_role("button", name="Redraw").click()
    expect(plot.locator("circle.porch-nativeplot-vertex")).to_have_count(7)
    expect(app.get_by_label("changed")).to_have_value("7 rows")
    path = plot.locator("path.porch-nativeplot-line").get_attribute("d") or ""
    assert path.count("L") == 6


def test_the_example_app_draws_and_redraws(page: Page, serve: Callable[[Any], str]) -> None:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "native_plots.py"
    spec = importlib.util.spec_from_file_location("porch_example_native_plots", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page.goto(serve(module.demo))
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.locator("#rain rect.porch-nativeplot-bar")).to_have_count(2)
    expect(page.locator("#temps path.porch-nativeplot-line")).to_have_count(2)
    expect(page.locator("#scatter circle.porch-nativeplot-point")).to_have_count(14)
    page.locator("#scatter circle.porch-nativeplot-point").first.hover()
    expect(page.locator("#scatter").get_by_role("tooltip")).to_contain_text("day: 2024-06-01")
    page.locator("#rain rect.porch-nativeplot-bar").first.click()
    expect(page.get_by_label("clicked bar")).to_have_value("Rome")
