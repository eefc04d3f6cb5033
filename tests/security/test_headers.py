"""Security headers: the page's CSP, framing rules, referrer and nosniff on every answer."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

import porch as gr
from porch.errors import ConfigError
from porch.server.headers import embedding_option


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        gr.Textbox()
    return demo


def policy(response: httpx.Response) -> dict[str, str]:
    directives = [d.strip() for d in response.headers["content-security-policy"].split(";")]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in directives if d}


def test_page_headers(serve: Callable[..., str]) -> None:
    url = serve(app())
    page = httpx.get(url + "/")
    csp = policy(page)
    assert csp["script-src"] == "'self'"  # no inline script, no eval
    assert csp["style-src"] == "'self' 'unsafe-inline'"  # app css= goes in a <style>
    assert csp["connect-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'self'"
    assert "data:" in csp["img-src"] and "blob:" in csp["media-src"]
    assert csp["frame-ancestors"] == "'self'"
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/config", "/assets/porch.js", "/gradio_api/info", "/nope"])
def test_every_answer_has_the_common_headers(serve: Callable[..., str], path: str) -> None:
    response = httpx.get(serve(app()) + path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert policy(response) == {"frame-ancestors": "'self'"}


def test_guard_refusals_have_them_too(serve: Callable[..., str]) -> None:
    response = httpx.get(serve(app()) + "/config", headers={"Host": "evil.example"})
    assert response.status_code == 421
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_embedding_anywhere(serve: Callable[..., str]) -> None:
    page = httpx.get(serve(app(), allow_embedding=True) + "/")
    assert policy(page)["frame-ancestors"] == "*"
    assert "x-frame-options" not in page.headers


def test_embedding_in_listed_sites(serve: Callable[..., str]) -> None:
    page = httpx.get(serve(app(), allow_embedding=["https://blog.example",
                                                   "http://localhost:3000/"]) + "/")
    assert policy(page)["frame-ancestors"] == \
        "'self' https://blog.example http://localhost:3000"
    assert "x-frame-options" not in page.headers


@pytest.mark.parametrize("bad", ["blog.example", "https://a.example; script-src *",
                                 "javascript:alert(1)", "https://a.example/path",
                                 "https://user@a.example", "https://a.example\r\nX: y", "",
                                 "http://["])
def test_bad_embedding_origins_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="allow_embedding"):
        embedding_option([bad])


def test_the_page_has_no_inline_script() -> None:
    # The CSP's script-src 'self' would block one: keep the page free of them.
    from porch.server.routes.pages import FRONTEND

    html = (FRONTEND / "index.html").read_text()
    for start in range(len(html)):
        if html.startswith("<script", start):
            tag = html[start:html.index(">", start)]
            assert "src=" in tag, tag
    assert "onload=" not in html and "onclick=" not in html
