"""`porch.Server` (Gradio's server mode) on a real uvicorn server: `@server.api()` endpoints
called through gradio_client 2.7.2 (predict, a streaming generator, files in and out through
the gate), the author's own FastAPI routes and lifespan, and porch's guard and login in front
of both. Also `porch.api` in a Blocks."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

import porch
import porch as gr
from porch.errors import ConfigError
from tests.conftest import free_port

FILE = {"_type": "gradio.FileData"}


class AuthorHeader:
    """The author's own middleware: it wraps porch's routes as well as theirs."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def tagged(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], (b"x-author", b"yes")]}
            await send(message)

        await self.app(scope, receive, tagged if scope["type"] == "http" else send)


def build_server(granted: Path, secret: Path, events: list[str]) -> porch.Server:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("up")
        yield
        events.append("down")

    server = porch.Server(title="Greeter", lifespan=lifespan)

    @server.api(name="hello")
    def hello(name: str, punctuation: str = "!") -> str:
        """Greets someone.

        More words the API page does not need."""
        return f"Hello {name}{punctuation}"

    @server.api()
    def count(n: int) -> Iterator[str]:
        for i in range(n):
            yield f"step {i}"

    @server.api(name="split")
    def split(text: str) -> tuple[str, int]:
        return text.upper(), len(text)

    @server.api(name="shout_file")
    def shout_file(document: porch.FileData) -> porch.FileData:
        text = Path(document["path"]).read_text()  # type: ignore[index]
        out = granted / f"loud-{document['orig_name']}"  # type: ignore[index]
        out.write_text(text.upper())
        return {"path": str(out), "meta": FILE}  # type: ignore[return-value]

    @server.api(name="leak")
    def leak(name: str) -> dict[str, Any]:
        return {"path": str(secret), "meta": FILE}

    @server.get("/")
    def root() -> dict[str, str]:
        return {"message": "my own frontend"}

    server.add_middleware(AuthorHeader)

    @server.post("/notes")
    def add_note(note: dict[str, str]) -> dict[str, str]:
        return {"saved": note["text"]}

    return server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str], Path]]:
    root = tmp_path_factory.mktemp("server-mode")
    granted, secret = root / "granted", root / "secret.txt"
    granted.mkdir()
    secret.write_text("do not serve")
    events: list[str] = []
    server = build_server(granted, secret, events)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORCH_TEMP_DIR", str(root / "cache"))
        _, url, _ = server.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                                  server_port=free_port(), quiet=True,
                                  allowed_paths=[str(granted)], blocked_paths=[str(secret)])
        try:
            yield url.rstrip("/"), events, root
        finally:
            server.close()
    assert events == ["up", "down"]


@pytest.fixture(scope="module")
def client(served: tuple[str, list[str], Path]) -> Client:
    return Client(served[0], verbose=False, download_files=str(served[2] / "downloads"))


def test_the_server_is_a_fastapi_application() -> None:
    server = porch.Server()
    assert isinstance(server, FastAPI) and isinstance(server, porch.Server)
    assert server.title == "FastAPI" and server.docs_url == "/docs"
    assert server.mcp.tool is porch.mcp.tool


def test_an_endpoint_answers_predict_with_its_default(client: Client) -> None:
    assert client.predict("Ann", api_name="/hello") == "Hello Ann!"
    assert client.predict(name="Bo", punctuation="?", api_name="/hello") == "Hello Bo?"


def test_the_api_description_comes_from_the_type_hints(client: Client) -> None:
    info = client.view_api(return_format="dict", print_info=False)
    hello = info["named_endpoints"]["/hello"]
    assert [p["parameter_name"] for p in hello["parameters"]] == ["name", "punctuation"]
    assert hello["parameters"][0]["type"] == {"type": "string"}
    assert hello["parameters"][1]["parameter_default"] == "!"
    assert hello["description"] == "Greets someone."
    assert [r["python_type"]["type"] for r in info["named_endpoints"]["/split"]["returns"]] \
        == ["str", "int"]


def test_a_tuple_return_is_one_output_per_item(client: Client) -> None:
    assert client.predict("abc", api_name="/split") == ("ABC", 3)


def test_a_generator_streams_through_submit(client: Client) -> None:
    job = client.submit(3, api_name="/count")
    assert list(job) == ["step 0", "step 1", "step 2"]
    assert job.outputs() == ["step 0", "step 1", "step 2"]


def test_a_file_goes_in_and_comes_out_through_the_gate(
        client: Client, served: tuple[str, list[str], Path]) -> None:
    source = served[2] / "note.txt"
    source.write_text("quiet words")
    result = client.predict(handle_file(str(source)), api_name="/shout_file")
    assert Path(result).read_text() == "QUIET WORDS"


def test_a_returned_blocked_file_is_refused(client: Client) -> None:
    with pytest.raises(AppError):
        client.predict("x", api_name="/leak")


def test_a_file_input_must_be_one_this_app_issued(served: tuple[str, list[str], Path]) -> None:
    url, _, root = served
    named = {"path": str(root / "secret.txt"), "meta": FILE}
    posted = httpx.post(f"{url}/gradio_api/call/shout_file", json={"data": [named]})
    assert posted.status_code == 200
    stream = httpx.get(f"{url}/gradio_api/call/shout_file/{posted.json()['event_id']}")
    assert "event: error" in stream.text and "do not serve" not in stream.text


def test_the_authors_routes_answer_first(served: tuple[str, list[str], Path]) -> None:
    url = served[0]
    page = httpx.get(url + "/")
    assert page.json() == {"message": "my own frontend"}
    assert page.headers["x-content-type-options"] == "nosniff"  # porch's headers on it too
    assert httpx.post(url + "/notes", json={"text": "hi"}).json() == {"saved": "hi"}
    assert httpx.get(url + "/openapi.json").json()["info"]["title"] == "Greeter"
    assert httpx.get(url + "/config").json()["mode"] == "server"


def test_fastapis_docs_page_may_load_its_scripts_and_nothing_else_changes(
        served: tuple[str, list[str], Path]) -> None:
    url = served[0]
    docs = httpx.get(url + "/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    policy = docs.headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in policy and "frame-ancestors 'self'" in policy
    assert "cdn.jsdelivr.net" not in httpx.get(url + "/?x").headers.get(
        "content-security-policy", "")
    page = httpx.get(url + "/gradio_api/info")
    assert "cdn.jsdelivr.net" not in page.headers["content-security-policy"]


def test_the_authors_middleware_wraps_porchs_routes_too(
        served: tuple[str, list[str], Path]) -> None:
    url = served[0]
    assert httpx.get(url + "/").headers["x-author"] == "yes"
    assert httpx.get(url + "/gradio_api/info").headers["x-author"] == "yes"


def test_porchs_own_client_calls_the_endpoints(served: tuple[str, list[str], Path]) -> None:
    with porch.Client(served[0]) as client:
        assert client.predict("Cy", api_name="/hello") == "Hello Cy!"
        assert client.predict("ab", api_name="/split") == ("AB", 2)


def test_the_guard_stands_in_front_of_the_authors_routes(
        served: tuple[str, list[str], Path]) -> None:
    url = served[0]
    cross_site = httpx.post(url + "/notes", json={"text": "hi"},
                            headers={"Origin": "https://evil.example"})
    assert cross_site.status_code == 403
    rebound = httpx.get(url + "/", headers={"Host": "evil.example"})
    assert rebound.status_code == 421
    api_cross_site = httpx.post(url + "/gradio_api/call/hello", json={"data": ["x"]},
                                headers={"Origin": "https://evil.example"})
    assert api_cross_site.status_code == 403


def test_the_authors_lifespan_runs(served: tuple[str, list[str], Path]) -> None:
    assert served[1] == ["up"]


def test_launch_prints_the_url_and_a_login_covers_the_authors_routes(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path))
    server = porch.Server()

    @server.get("/private")
    def private() -> dict[str, str]:
        return {"secret": "yes"}

    @server.api(name="add")
    def add(a: int, b: int) -> int:
        return a + b

    _, url, share = server.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                                  server_port=free_port(), auth=("ann", "pw-1234"))
    try:
        assert share is None
        assert f"Running on {url}" in capsys.readouterr().out
        assert httpx.get(url + "/private").status_code == 401
        assert Client(url, auth=("ann", "pw-1234"), verbose=False).predict(
            2, 3, api_name="/add") == 5
    finally:
        server.close()


def test_a_server_launches_once_and_takes_endpoints_before(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           ) -> None:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path))
    server = porch.Server()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ConfigError, match="Cannot listen"):
            server.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                          server_port=taken.getsockname()[1], quiet=True)
    # A port that was taken is no launch: the same Server may try again.
    server.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(),
                  quiet=True)
    try:
        with pytest.raises(ConfigError, match="launched already"):
            server.launch(prevent_thread_lock=True, quiet=True)
        with pytest.raises(ConfigError, match="before launch"):
            server.api(lambda x: x)
    finally:
        server.close()


def test_an_endpoint_without_type_hints_is_refused_at_launch() -> None:
    server = porch.Server()

    @server.api()
    def untyped(x):  # type: ignore[no-untyped-def]
        return x

    with pytest.raises(ConfigError, match="type hint on every parameter.*`x`"):
        server.launch(prevent_thread_lock=True, quiet=True)


def test_without_fastapi_the_error_says_what_to_install() -> None:
    code = ("import sys; sys.modules['fastapi'] = None; import porch\n"
            "try:\n    porch.Server()\nexcept ImportError as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "pip install fastapi" in out


def test_gr_api_in_blocks_is_callable_through_gradio_client(serve: Any) -> None:
    with gr.Blocks() as demo:
        gr.Textbox()

        def total(values: list[float], scale: float = 1.0) -> float:
            return sum(values) * scale

        gr.api(total, api_name="total")

        @gr.api(api_name="written")
        def written(text: str) -> gr.FileData:
            path = Path(tempfile.mkdtemp()) / "out.txt"
            path.write_text(text)
            return {"path": str(path), "meta": FILE}  # type: ignore[return-value]

    client = Client(serve(demo), verbose=False)
    assert client.predict([1, 2, 3], api_name="/total") == 6.0
    assert client.predict(values=[1.5], scale=2, api_name="/total") == 3.0
    assert Path(client.predict("made here", api_name="/written")).read_text() == "made here"


def test_server_endpoints_are_mcp_tools_named_by_server_mcp(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           ) -> None:
    import asyncio

    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path))
    server = porch.Server()

    @server.mcp.tool(name="greet", description="Say hello.")
    @server.api(name="hello")
    def hello(name: str) -> str:
        return f"Hello {name}"

    _, url, _ = server.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                              server_port=free_port(), quiet=True, mcp_server=True)

    async def work() -> Any:
        async with streamable_http_client(url + "/gradio_api/mcp/") as (read, write, *_):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = {t.name: t for t in (await session.list_tools()).tools}
                called = await session.call_tool("greet", {"name": "Ann"})
                return tools, called

    try:
        tools, called = asyncio.run(work())
        assert tools["greet"].description == "Say hello."
        assert called.content[0].text == "Hello Ann"
    finally:
        server.close()
