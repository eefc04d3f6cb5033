"""The workflow canvas in Chromium: the graph's cards and wires are drawn, and running it
from the page puts the result on the result card."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def clean(text: str) -> str:
    return " ".join(text.split()).upper()


def test_the_canvas_draws_the_graph_and_runs_it(open_app: Callable[[Any], Page],
                                                tmp_path: Path) -> None:
    demo = gr.Workflow(str(tmp_path / "workflow.json"), bind=[clean])
    page = open_app(demo)
    board = page.locator(".porch-wf-board")
    expect(board.locator(".porch-wf-node")).to_have_count(3)  # input, step, result
    expect(board.locator("path.porch-wf-wire")).to_have_count(2)
    field = board.locator(".porch-wf-reference .porch-wf-field")
    field.fill("  hello   porch ")
    field.dispatch_event("change")
    page.get_by_role("button", name="Run workflow").click()
    expect(board.locator(".porch-wf-subject .porch-wf-result")).to_have_text("HELLO PORCH")
