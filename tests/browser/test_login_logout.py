"""Logging in and out in a real browser: the brake's message on the form, the footer's
control, a Gradio-style
`gr.Button(link="/logout")`, and the page that `GET /logout` shows. Logging out is a POST the
browser makes from the app's own page; a visit to /logout alone logs nobody out."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

import porch as gr
from porch.server.brake import MemoryLoginBrake
from tests.conftest import free_port

pytestmark = pytest.mark.browser

AUTH = ("ann", "s3cret-pw")


@pytest.fixture
def app_url(tmp_path_factory: pytest.TempPathFactory,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path_factory.mktemp("cache")))
    with gr.Blocks() as demo:
        name, out = gr.Textbox(label="name"), gr.Textbox(label="out")
        gr.Button("Greet").click(lambda x: f"hi {x}", name, out)
        gr.Button("Sign out", link="/logout")
    port = free_port()
    # Long delays, so that the slowest machine is still inside the first one.
    demo.launch(prevent_thread_lock=True, quiet=True, server_port=port, auth=[AUTH],
                login_brake=MemoryLoginBrake(first_delay=600))
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def submit(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-porch=login]")
    submit(page, *AUTH)
    page.wait_for_selector("html[data-porch=ready]")


def test_the_form_shows_why_a_login_waits(page: Page, app_url: str) -> None:
    page.goto(app_url)
    page.wait_for_selector("html[data-porch=login]")
    alert = page.get_by_role("alert")
    for attempt in range(3):
        with page.expect_response(lambda r: r.url.endswith("/login")) as answered:
            submit(page, "ann", f"wrong{attempt}")
        assert answered.value.status == 401
        expect(alert).to_have_text("Incorrect username or password.")
    with page.expect_response(lambda r: r.url.endswith("/login")) as answered:
        submit(page, *AUTH)
    assert answered.value.status == 429
    expect(alert).to_have_text(re.compile(
        r"^Too many failed logins for this user name; try again in \d+ s\.$"))
    expect(page.get_by_role("button", name="Log in")).to_be_enabled()


def session_cookies(page: Page) -> list[str]:
    return [c["name"] for c in page.context.cookies() if c["name"].startswith("porch-session-")]


def still_logged_in(page: Page, url: str) -> bool:
    return page.request.get(url + "config").status == 200


def test_log_in_through_the_form_and_out_through_the_footer(page: Page, app_url: str) -> None:
    log_in(page, app_url)
    page.get_by_label("name").fill("Ann")
    page.get_by_role("button", name="Greet").click()
    expect(page.get_by_label("out")).to_have_value("hi Ann")
    with page.expect_request(lambda r: r.url.endswith("/logout")) as sent:
        page.locator(".porch-footer").get_by_role("button", name="Log out").click()
    assert sent.value.method == "POST"
    page.wait_for_selector("html[data-porch=login]")
    assert page.url == app_url
    assert session_cookies(page) == []
    assert not still_logged_in(page, app_url)


def test_a_gradio_style_logout_link_button_posts(page: Page, app_url: str) -> None:
    log_in(page, app_url)
    with page.expect_request(lambda r: r.url.endswith("/logout")) as sent:
        page.get_by_role("button", name="Sign out").click()
    assert sent.value.method == "POST"
    page.wait_for_selector("html[data-porch=login]")
    assert not still_logged_in(page, app_url)


def test_visiting_logout_only_offers_a_button(page: Page, app_url: str) -> None:
    log_in(page, app_url)
    page.goto(app_url + "logout")
    expect(page.get_by_role("heading", name="Log out?")).to_be_visible()
    assert still_logged_in(page, app_url)  # the visit alone changed nothing
    page.get_by_role("button", name="Log out").click()
    page.wait_for_selector("html[data-porch=login]")
    assert page.url == app_url
    assert not still_logged_in(page, app_url)


def test_a_page_elsewhere_cannot_log_the_user_out(page: Page, app_url: str) -> None:
    log_in(page, app_url)
    # A page on another site carries a form aimed at the app's /logout.
    other = "http://evil.example"
    page.route(other + "/evil", lambda route: route.fulfill(
        content_type="text/html",
        body=f'<form method="post" action="{app_url}logout"><button>win</button></form>'))
    page.goto(other + "/evil")
    with page.expect_response(lambda r: r.url.endswith("/logout")) as answered:
        page.get_by_role("button", name="win").click()
    assert answered.value.status == 403
    assert still_logged_in(page, app_url)
