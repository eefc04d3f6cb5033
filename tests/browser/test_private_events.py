"""The page runs its UI-only events (api_visibility="private") with the proof the page shell
carries, while a script on the same page without it is refused; a login-only event tells an
anonymous visitor to sign in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

import porch as gr
from tests.browser.conftest import free_port


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        box, out = gr.Textbox(label="in", value="hi"), gr.Textbox(label="out")
        gr.Button("Secret").click(lambda x: "secret " + x, box, out, api_name="secret",
                                  api_visibility="private")
        gr.Button("Direct").click(lambda x: "direct " + x, box, out, api_name="direct",
                                  api_visibility="private", queue=False)
        gr.Button("Members").click(lambda x: "members " + x, box, out, api_name="members",
                                   requires_login=True)
    return demo


def test_the_page_runs_private_events_and_a_bare_fetch_cannot(
        page: Page, serve: Callable[[Any], str]) -> None:
    url = serve(app())
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    page.get_by_role("button", name="Secret").click()
    expect(page.get_by_label("out", exact=True)).to_have_value("secret hi")
    page.get_by_role("button", name="Direct").click()  # queue=False: run/<name>
    expect(page.get_by_label("out", exact=True)).to_have_value("direct hi")
    # The same call from a script in the page, without the page's proof: refused.
    status = page.evaluate(
        """async () => (await fetch("./gradio_api/run/direct", {method: "POST",
             headers: {"content-type": "application/json"},
             body: JSON.stringify({data: ["x"]})})).status""")
    assert status == 403
    # The Use via API page does not list them.
    page.goto(url + "#api")
    dialog = page.get_by_role("dialog", name="Use via API")
    expect(dialog.locator("section[data-endpoint='/members']")).to_have_count(1)
    expect(dialog.locator("section[data-endpoint='/secret']")).to_have_count(0)
    expect(dialog.locator("section[data-endpoint='/direct']")).to_have_count(0)


def test_a_login_only_event_asks_an_anonymous_visitor_to_sign_in(
        page: Page, serve: Callable[[Any], str]) -> None:
    url = serve(app())
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    page.get_by_role("button", name="Members").click()
    expect(page.get_by_role("alert").filter(has_text="needs a login")).to_be_visible()
    expect(page.get_by_label("out", exact=True)).to_have_value("")


def test_an_optional_login_is_offered_in_the_footer(page: Page) -> None:
    demo = app()
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_port=port, quiet=True,
                auth=("ada", "lovelace"), login_optional=True)
    try:
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("html[data-porch=ready]")
        page.get_by_role("button", name="Secret").click()  # the app is public
        expect(page.get_by_label("out", exact=True)).to_have_value("secret hi")
        page.get_by_role("button", name="Members").click()
        expect(page.get_by_role("alert").filter(has_text="needs a login")).to_be_visible()
        page.get_by_role("button", name="Log in").click()
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill("lovelace")
        page.locator("form.porch-login button[type=submit]").click()
        page.wait_for_selector("html[data-porch=ready]")
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        page.get_by_role("button", name="Members").click()
        expect(page.get_by_label("out", exact=True)).to_have_value("members hi")
    finally:
        demo.close()
