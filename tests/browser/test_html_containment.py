"""HTML a function returns stays inside its component: it cannot cover or hijack the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

OVERLAYS = {
    "fixed": '<div id="overlay" style="position:fixed;inset:0;z-index:99999;'
             'background:red">gotcha</div>',
    # The value's own stylesheet tries to lift the containment off the component's host.
    "unhosted": '<style>:host{contain:none !important;overflow:visible !important;'
                'transform:none !important}</style><div id="overlay" style="position:fixed;'
                'top:0;left:0;width:100vw;height:100vh;z-index:99999;background:red">x</div>',
    "absolute": '<div id="overlay" style="position:absolute;top:-500px;left:-500px;'
                'width:5000px;height:5000px;z-index:99999;background:red">x</div>',
}


@pytest.mark.browser
@pytest.mark.parametrize("kind", sorted(OVERLAYS))
def test_returned_html_cannot_cover_the_page(page: Page, serve: Callable[[Any], str],
                                             kind: str) -> None:
    clicks: list[int] = []

    def count() -> str:
        clicks.append(1)
        return f"clicked {len(clicks)}"

    with gr.Blocks() as demo:
        status = gr.Textbox(label="Status")
        button = gr.Button("Press me")
        shown = gr.HTML(OVERLAYS[kind], min_height=60)
        button.click(count, None, status)
    page.goto(serve(demo))
    overlay = page.locator("#overlay")
    overlay.wait_for()
    frame = page.locator(".porch-html").first.bounding_box()
    box = overlay.bounding_box()
    assert frame is not None and box is not None
    # What paints is clipped to the component: the overlay's visible part lies within it.
    visible = page.evaluate("""() => {
        const el = document.querySelector('.porch-html').shadowRoot.querySelector('#overlay');
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(5, 5);
        return {hitIsHtml: !!hit && !!hit.closest('.porch-html'), w: innerWidth, h: innerHeight,
                top: r.top, left: r.left};
    }""")
    assert not visible["hitIsHtml"], f"the component's HTML paints over the page: {visible}"
    # The page's own controls stay usable: a normal click (no force) reaches the button.
    page.get_by_role("button", name="Press me").click()
    expect(page.get_by_label("Status")).to_have_value("clicked 1")
    assert clicks == [1]
    assert shown is not None
