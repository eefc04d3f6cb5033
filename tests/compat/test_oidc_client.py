"""gradio_client 2.7.2 against an app whose functions ask who signed in.

gradio_client cannot sign in with an OpenID Connect issuer (no browser), so: an
`OAuthProfile | None` parameter gets None, a required `OAuthProfile` fails with Gradio's
message, and `Client(oauth_token=...)` reaches an `OAuthToken` parameter (and only where
`/info` says the endpoint takes one), as with Gradio.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

import porch as gr

pytestmark = pytest.mark.compat


def greet(name: str, profile: gr.OAuthProfile | None) -> str:
    return f"{name}: " + ("signed out" if profile is None else profile.username)


def members_only(name: str, profile: gr.OAuthProfile) -> str:
    return f"{name}: {profile.username}"


def token_scope(name: str, token: gr.OAuthToken | None) -> str:
    return f"{name}: " + ("no token" if token is None else f"{token.token}/{token.scope!r}")


def needs_token(token: gr.OAuthToken) -> str:
    return token.token


@pytest.fixture
def url(serve: Callable[..., str]) -> str:
    with gr.Blocks() as demo:
        gr.LoginButton()
        name, out = gr.Textbox(), gr.Textbox()
        button = gr.Button()
        button.click(greet, name, out, api_name="greet")
        button.click(members_only, name, out, api_name="members")
        button.click(token_scope, name, out, api_name="token_scope")
        button.click(needs_token, None, out, api_name="needs_token")
    return serve(demo)


def test_an_optional_profile_is_none_for_the_client(url: str) -> None:
    client = Client(url, verbose=False)
    assert client.predict("ada", api_name="/greet") == "ada: signed out"
    # The injected parameter is no API input.
    info = client.view_api(return_format="dict", print_info=False)
    assert [p["parameter_name"] for p in info["named_endpoints"]["/greet"]["parameters"]] \
        == ["name"]


def test_a_required_profile_fails_clearly(url: str) -> None:
    client = Client(url, verbose=False)
    with pytest.raises(AppError, match="This action requires a logged in user. "
                                       "Please sign in and retry."):
        client.predict("ada", api_name="/members")


def test_the_clients_own_token_reaches_an_oauth_token_parameter(url: str) -> None:
    anonymous = Client(url, verbose=False)
    assert anonymous.predict("ada", api_name="/token_scope") == "ada: no token"
    with pytest.raises(AppError, match="requires a logged in user"):
        anonymous.predict(api_name="/needs_token")
    info = anonymous.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert info["/needs_token"]["oauth_token"] == "required"
    assert info["/token_scope"]["oauth_token"] == "optional"
    assert "oauth_token" not in info["/greet"]
    client = Client(url, verbose=False, oauth_token="hf_own_token")
    assert client.predict("ada", api_name="/token_scope") == "ada: hf_own_token/''"
    assert client.predict(api_name="/needs_token") == "hf_own_token"
    # The token never stands in for a profile: porch vouches only for whom it signed in.
    assert client.predict("ada", api_name="/greet") == "ada: signed out"
