"""Behind Debian's nginx at /apps/demo/: every URL porch emits names the proxy, uploads and
downloads go through it, the login cookie is scoped to the prefix, and event streams are not
held back on the way."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file

import porch as gr
from tests.conftest import free_port
from tests.proxies import PREFIX, behind_nginx

AUTH = ("ann", "s3cret-pw")
RELEASE = threading.Event()


def app() -> gr.Blocks:
    def gated() -> Iterator[str]:
        yield "first"
        # Stays here until the test has seen "first" through nginx: a buffered stream
        # would only show it after this generator ends, so ordering, not timing, decides.
        yield "released" if RELEASE.wait(timeout=60) else "timed out"

    with gr.Blocks() as demo:
        text, out = gr.Textbox(), gr.Textbox()
        file_in, file_out = gr.File(), gr.File()
        gr.State(0)
        button = gr.Button()
        button.click(lambda x: x.upper(), text, out, api_name="shout")
        button.click(lambda f: f, file_in, file_out, api_name="echo_file")
        button.click(gated, None, out, api_name="gated")
    return demo


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORCH_TEMP_DIR", str(tmp_path_factory.mktemp("cache")))
        with behind_nginx(app(), tmp_path_factory.mktemp("nginx"), auth=AUTH) as url:
            yield url


@pytest.fixture(scope="module")
def client(public: str, tmp_path_factory: pytest.TempPathFactory) -> Client:
    return Client(public, auth=AUTH, verbose=False,
                  download_files=str(tmp_path_factory.mktemp("downloads")))


@contextlib.contextmanager
def logged_in(public: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=public) as http:
        assert http.post("login", data={"username": AUTH[0], "password": AUTH[1]}
                         ).status_code == 200
        yield http


def test_config_root_and_cookie_path_name_the_proxy(public: str) -> None:
    with httpx.Client(base_url=public) as http:
        response = http.post("login", data={"username": AUTH[0], "password": AUTH[1]})
        assert f"Path={PREFIX}/" in response.headers["set-cookie"]
        config = http.get("config").json()
    assert config["root"] == public.rstrip("/")
    assert config["username"] == "ann"


def test_the_prefix_without_its_slash_is_redirected(public: str) -> None:
    response = httpx.get(public.rstrip("/"))
    assert response.status_code in (301, 302, 307, 308)
    assert response.headers["location"].endswith(f"{PREFIX}/")
    page = httpx.get(public.rstrip("/"), follow_redirects=True)
    assert page.status_code == 200 and './assets/porch.js' in page.text


def test_the_page_and_its_assets_come_through(public: str) -> None:
    page = httpx.get(public)
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert httpx.get(public + "assets/porch.js").status_code == 200


def test_gradio_client_calls_and_uploads_through_the_proxy(client: Client,
                                                           tmp_path: Path) -> None:
    assert client.predict("abc", api_name="/shout") == "ABC"
    source = tmp_path / "notes.txt"
    source.write_text("through nginx")
    assert Path(client.predict(handle_file(str(source)), api_name="/echo_file")).read_text() \
        == "through nginx"


def test_file_urls_name_the_proxy(public: str) -> None:
    with logged_in(public) as http:
        check_file_urls(public, http)


def check_file_urls(public: str, http: httpx.Client) -> None:
    uploaded = http.post("gradio_api/upload", files={"files": ("a.txt", b"abc")}).json()[0]
    event = http.post("gradio_api/call/echo_file",
                      json={"data": [{"path": uploaded, "meta": {"_type": "gradio.FileData"}}]})
    stream = http.get(f"gradio_api/call/echo_file/{event.json()['event_id']}").text
    assert f'"url": "{public}gradio_api/file=' in stream.replace('":"', '": "')
    url = stream.split('"url": "' if '"url": "' in stream else '"url":"', 1)[1].split('"')[0]
    assert url.startswith(public)
    assert http.get(url).content == b"abc"
    assert httpx.get(url).status_code == 401  # the file route needs the session too


def test_event_stream_is_not_buffered_by_the_proxy(client: Client) -> None:
    RELEASE.clear()
    job = client.submit(api_name="/gated")
    deadline = time.monotonic() + 30
    while not job.outputs() and time.monotonic() < deadline:
        time.sleep(0.05)
    seen_before_release = list(job.outputs())
    RELEASE.set()
    assert seen_before_release == ["first"]
    assert job.result() == "released"


def test_porch_answers_a_proxy_that_keeps_the_prefix(tmp_path_factory: pytest.TempPathFactory,
                                                     ) -> None:
    # Some proxies pass /apps/demo/... on unchanged: the same routes answer.
    port = free_port()
    demo = gr.Interface(lambda x: x, "text", "text")
    demo.launch(prevent_thread_lock=True, quiet=True, server_port=port, root_path=PREFIX)
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}{PREFIX}/config").json()["root"] == f"{base}{PREFIX}"
        assert httpx.get(f"{base}/config").json()["root"] == f"{base}{PREFIX}"
        redirect = httpx.get(f"{base}{PREFIX}?x=1")
        assert redirect.status_code == 307 and redirect.headers["location"] == f"{PREFIX}/?x=1"
        client = Client(f"{base}{PREFIX}/", verbose=False)
        assert client.predict("hi", api_name="/predict") == "hi"
    finally:
        demo.close()
