"""Signing in with an OpenID Connect issuer in a real browser: click the LoginButton, pass
through the test issuer (tests/oidc_issuer.py), land back on the page signed in, see a
function read the profile, sign out with the same button."""

from __future__ import annotations

import runpy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr
from tests.oidc_issuer import CLIENT_ID, CLIENT_SECRET, Issuer, running_issuer

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "login_oidc.py"


def whoami(profile: gr.OAuthProfile | None) -> str:
    return "nobody" if profile is None else f"{profile.name} ({profile.username})"


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with running_issuer() as issuer:
        gr.oidc.configure(issuer=issuer.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                          name="Test ID")
        try:
            yield issuer
        finally:
            gr.oidc.configure()


def test_sign_in_see_the_profile_and_sign_out(
        page: Page, issuer: Issuer, serve: Callable[[Any], str]) -> None:
    with gr.Blocks() as demo:
        gr.LoginButton()
        greeting = gr.Textbox(label="greeting")
        demo.load(whoami, None, greeting)
        out = gr.Textbox(label="out")
        gr.Button("Who am I").click(whoami, None, out)
    url = serve(demo)
    issuer.redirect_uris.add(url + "login/callback")

    page.goto(url + "?tab=2")
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.get_by_label("greeting")).to_have_value("nobody")
    page.get_by_role("button", name="Sign in with Test ID").click()
    # Through the issuer and back to the very page it left, query string included.
    page.wait_for_url(url + "?tab=2")
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.get_by_role("button", name="Logout (ada)")).to_be_visible()
    expect(page.get_by_label("greeting")).to_have_value("Ada Lovelace (ada)")
    page.get_by_role("button", name="Who am I").click()
    expect(page.get_by_label("out")).to_have_value("Ada Lovelace (ada)")
    assert not any(c["name"].startswith("porch-oidc-state-") for c in page.context.cookies())

    page.get_by_role("button", name="Logout (ada)").click()
    expect(page.get_by_role("button", name="Sign in with Test ID")).to_be_visible()
    expect(page.get_by_label("greeting")).to_have_value("nobody")
    page.get_by_role("button", name="Who am I").click()
    expect(page.get_by_label("out")).to_have_value("nobody")


def test_without_an_issuer_the_button_is_disabled(page: Page,
                                                  serve: Callable[[Any], str]) -> None:
    with gr.Blocks() as demo:
        gr.LoginButton()
    page.goto(serve(demo))
    page.wait_for_selector("html[data-porch=ready]")
    button = page.get_by_role("button", name="Sign in with Hugging Face")
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("title", "Signing in is not set up for this app.")


def test_the_example_app_greets_the_signed_in_user(
        page: Page, issuer: Issuer, serve: Callable[[Any], str]) -> None:
    demo = runpy.run_path(str(EXAMPLE))["demo"]
    url = serve(demo)
    issuer.redirect_uris.add(url + "login/callback")
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.get_by_text("Hello, stranger.")).to_be_visible()
    question = page.get_by_label("Question for members")
    question.fill("tea?")
    question.press("Enter")
    expect(page.get_by_text("This action requires a logged in user.")).to_be_visible()
    page.get_by_role("button", name="Sign in with Test ID").click()
    page.wait_for_url(url)
    page.wait_for_selector("html[data-porch=ready]")
    expect(page.get_by_text("Hello Ada Lovelace (ada).")).to_be_visible()
    question.fill("tea?")
    question.press("Enter")
    expect(page.get_by_label("Answer")).to_have_value("ada asked: tea?")
