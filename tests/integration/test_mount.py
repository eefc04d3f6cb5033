"""`porch.mount`: a porch app at /demo inside a FastAPI application, with its own login, file
rules and guard, its lifespan run by the host's, and the host's own routes untouched."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from gradio_client import Client, handle_file

import porch
import porch as gr
from porch.errors import ConfigError
from porch.server.serve import Server

AUTH = ("ann", "s3cret-pw")


def app() -> gr.Blocks:
    with gr.Blocks(delete_cache=(3600, 3600)) as demo:
        text, out = gr.Textbox(), gr.Textbox()
        file_in, file_out = gr.File(), gr.File()
        button = gr.Button()
        button.click(lambda x: x[::-1], text, out, api_name="reverse")
        button.click(lambda f: f, file_in, file_out, api_name="echo_file")
        button.click(lambda name: str(Path(ALLOWED[0]) / name), text, file_out,
                     api_name="read_granted")
    return demo


ALLOWED: list[str] = []


@contextlib.contextmanager
def serving(asgi: Any) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = Server(asgi, sock, url)
    server.start()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any, list[str]]]:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path / "cache"))
    granted = tmp_path / "granted"
    granted.mkdir()
    (granted / "ok.txt").write_text("granted")
    (tmp_path / "secret.txt").write_text("secret")
    ALLOWED[:] = [str(granted)]
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("host up")
        yield
        events.append("host down")

    api = FastAPI(lifespan=lifespan)

    @api.get("/")
    def root() -> dict[str, str]:
        return {"app": "host"}

    mounted = porch.mount(api, app(), path="/demo", auth=AUTH, allowed_paths=[str(granted)],
                          max_file_size="1kb")
    with serving(api) as url:
        yield url, mounted, events
    assert events == ["host up", "host down"]


def test_the_host_app_keeps_its_routes(host: tuple[str, Any, list[str]]) -> None:
    url, _, events = host
    assert httpx.get(url + "/").json() == {"app": "host"}
    assert httpx.get(url + "/config").status_code == 404  # porch lives at /demo only
    assert events == ["host up"]


def test_mounted_app_needs_the_login_and_names_its_own_root(
        host: tuple[str, Any, list[str]]) -> None:
    url, _, _ = host
    assert httpx.get(url + "/demo/config").status_code == 401
    redirect = httpx.get(url + "/demo")
    assert redirect.status_code == 307 and redirect.headers["location"].endswith("/demo/")
    assert httpx.get(url + "/demo/").headers["content-security-policy"]
    with httpx.Client() as http:
        login = http.post(url + "/demo/login", data={"username": AUTH[0], "password": AUTH[1]})
        assert "Path=/demo/" in login.headers["set-cookie"]
        config = http.get(url + "/demo/config").json()
        assert config["root"] == url + "/demo" and config["username"] == "ann"
        # The guard still applies inside the host app.
        refused = http.post(url + "/demo/gradio_api/upload", headers={"Origin": "https://x.example"},
                            files={"files": ("a.txt", b"x")})
        assert refused.status_code == 403
        assert http.get(url + "/demo/gradio_api/file=" + str(Path(ALLOWED[0]) / "ok.txt")
                        ).text == "granted"
        secret = str(Path(ALLOWED[0]).parent / "secret.txt")
        assert http.get(url + "/demo/gradio_api/file=" + secret).status_code == 403


def test_gradio_client_through_the_mount(host: tuple[str, Any, list[str]],
                                         tmp_path: Path) -> None:
    url, _, _ = host
    client = Client(url + "/demo/", auth=AUTH, verbose=False, download_files=str(tmp_path))
    assert client.predict("abc", api_name="/reverse") == "cba"
    small = tmp_path / "small.txt"
    small.write_text("small")
    assert Path(client.predict(handle_file(str(small)), api_name="/echo_file")).read_text() \
        == "small"
    assert Path(client.predict("ok.txt", api_name="/read_granted")).read_text() == "granted"
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 4096)  # over the mount's max_file_size
    with pytest.raises(Exception, match="(?i)large|size|413"):
        client.predict(handle_file(str(big)), api_name="/echo_file")


def test_the_mounted_lifespan_runs_inside_the_hosts(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path))
    api = FastAPI()
    mounted = porch.mount(api, app(), path="/demo")
    cache = Path(mounted.state.runtime.cache.root)
    with serving(api) as url:
        assert httpx.get(url + "/demo/config").status_code == 200
        assert cache.is_dir()
    # The app's shutdown (with delete_cache, removing its cache folder) ran when the host's
    # lifespan ended: Starlette alone would never have run it.
    assert not cache.exists()


def test_mount_checks_its_arguments() -> None:
    with pytest.raises(ConfigError, match="path like"):
        porch.mount(FastAPI(), app(), path="demo")
    with pytest.raises(ConfigError, match="Starlette or FastAPI"):
        porch.mount(object(), app())
