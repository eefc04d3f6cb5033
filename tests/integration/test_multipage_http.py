"""Multipage apps over HTTP: each page's path, the config's pages, route() rules, and the
official gradio_client calling an endpoint defined on another page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from gradio_client import Client

import porch as gr
from porch.errors import ConfigError
from tests.conftest import launched


def app(**launch: object) -> gr.Blocks:
    with gr.Blocks() as demo:
        a = gr.Textbox()
        gr.Button("up").click(lambda s: s.upper(), a, a, api_name="upper")
    with demo.route("Second Page"):
        n = gr.Number()
        gr.Button("inc").click(lambda v: v + 1, n, n, api_name="increment")
    with demo.route("Config"):  # a path the server answers itself: moved aside
        gr.Markdown("a page named like a route")
    return demo


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with launched(app()) as address:
        yield address


def test_the_config_lists_the_pages_and_what_is_on_each(url: str) -> None:
    config = httpx.get(url + "/config").json()
    assert config["pages"] == [["", "Home", True], ["second-page", "Second Page", True],
                               ["_config", "Config", True]]
    second = config["page"]["second-page"]
    names = {d["api_name"]: d["id"] for d in config["dependencies"]}
    assert second["dependencies"] == [names["increment"]]
    assert config["page"][""]["dependencies"] == [names["upper"]]
    assert len(second["layout"]["children"]) == 2
    # Every endpoint stays in the one config: clients see the whole app.
    assert set(names) == {"upper", "increment"}


def test_each_page_has_its_path_and_a_trailing_slash_is_sent_there(url: str) -> None:
    page = httpx.get(url + "/second-page")
    assert page.status_code == 200
    assert '<meta name="porch-page" content="second-page">' in page.text
    moved = httpx.get(url + "/second-page/?x=1")
    assert moved.status_code == 301 and moved.headers["location"] == "../second-page?x=1"
    assert httpx.get(url + "/_config").status_code == 200
    assert httpx.get(url + "/no-such-page").status_code == 404
    assert httpx.get(url + "/config").headers["content-type"].startswith("application/json")


def test_gradio_client_calls_endpoints_of_every_page(url: str) -> None:
    client = Client(url + "/", verbose=False)
    assert client.predict("abc", api_name="/upper") == "ABC"
    assert client.predict(41, api_name="/increment") == 42


def test_route_rules() -> None:
    with gr.Blocks() as demo:
        gr.Textbox()
        with pytest.raises(ConfigError, match="inside a Blocks"):
            demo.route("Nope")
    with pytest.raises(ConfigError, match="characters"):
        demo.route("Bad", "/a b")
    with pytest.raises(ConfigError, match="gives no path"):
        demo.route("!!!")
    demo.route("Twice")
    demo.route("Twice")
    assert [p for p, _, _ in demo.pages] == ["", "twice", "_twice"]
    assert demo.route("Slashes", "/x/").current_page == "x"


def test_behind_a_login_every_page_shows_the_login_form() -> None:
    with launched(app(), auth=("u", "p")) as base:
        assert httpx.get(base + "/second-page").status_code == 200  # the shell, with its form
        assert httpx.get(base + "/config").status_code == 401
        assert httpx.get(base + "/second-page/x").status_code == 401
