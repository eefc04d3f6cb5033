"""`gr.load_chat` against a small real OpenAI-compatible server (streamed and not), and
`gr.load_openapi` against a small real API with its OpenAPI document; the apps they make are
served and driven by the official gradio_client."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from gradio_client import Client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

import porch as gr
from tests.conftest import free_port

pytestmark = pytest.mark.compat
SEEN: list[dict[str, Any]] = []


async def completions(request: Request) -> Response:
    body = await request.json()
    SEEN.append({"auth": request.headers.get("authorization"), **body})
    last = body["messages"][-1]["content"]
    text = last if isinstance(last, str) else last[0]["text"]
    reply = f"echo: {text}"
    if not body.get("stream"):
        return JSONResponse({"choices": [{"message": {"role": "assistant", "content": reply}}]})

    async def chunks() -> Iterator[bytes]:  # type: ignore[misc]
        for word in reply.split(" "):
            delta = {"choices": [{"delta": {"content": word + " "}}]}
            yield f"data: {json.dumps(delta)}\n\n".encode()
        yield b"data: [DONE]\n\n"

    return StreamingResponse(chunks(), media_type="text/event-stream")


SPEC = {
    "openapi": "3.0.0", "info": {"title": "Books"},
    "paths": {
        "/books/{book_id}": {"get": {
            "operationId": "get_book", "summary": "A book",
            "parameters": [{"name": "book_id", "in": "path", "schema": {"type": "integer"}},
                           {"name": "shout", "in": "query", "schema": {"type": "boolean"}}]}},
        "/books": {"post": {
            "operationId": "add_book", "summary": "Add a book",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}},
        "/internal/stats": {"get": {"operationId": "stats"}},
    },
}


async def book(request: Request) -> Response:
    title = f"book {request.path_params['book_id']}"
    if request.query_params.get("shout") == "true":
        title = title.upper()
    return JSONResponse({"title": title, "auth": request.headers.get("authorization")})


async def add_book(request: Request) -> Response:
    return JSONResponse({"added": (await request.json())["title"]})


async def spec(request: Request) -> Response:
    return JSONResponse(SPEC)


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    app = Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"]),
                            Route("/books/{book_id}", book), Route("/books", add_book,
                                                                   methods=["POST"]),
                            Route("/openapi.json", spec)])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/openapi.json", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(10)


@pytest.mark.parametrize("streaming", [True, False])
def test_load_chat_answers_through_the_endpoint(api: str, serve: Callable[..., str],
                                                streaming: bool) -> None:
    SEEN.clear()
    chat = gr.load_chat(api + "/v1/", model="tiny", token="sk-test", file_types=None,
                        system_message="Be brief.", streaming=streaming)
    client = Client(serve(chat), verbose=False)
    assert client.predict("hello there", api_name="/chat").strip() == "echo: hello there"
    sent = SEEN[-1]
    assert sent["model"] == "tiny" and sent["auth"] == "Bearer sk-test"
    assert sent["stream"] is streaming
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}


def test_load_chat_sends_an_uploaded_text_file_with_the_message(
        api: str, serve: Callable[..., str], tmp_path) -> None:
    SEEN.clear()
    note = tmp_path / "note.txt"
    note.write_text("the cake is in the fridge")
    chat = gr.load_chat(api + "/v1/", model="tiny", streaming=False)
    client = Client(serve(chat), verbose=False)
    from gradio_client import handle_file

    answer = client.predict({"text": "read this", "files": [handle_file(str(note))]},
                            api_name="/chat")
    assert "the cake is in the fridge" in SEEN[-1]["messages"][-1]["content"]
    assert "echo: read this" in str(answer)


def test_load_openapi_makes_one_endpoint_per_operation(api: str,
                                                       serve: Callable[..., str]) -> None:
    demo = gr.load_openapi(api + "/openapi.json", api, exclude_paths=[".*internal.*"],
                           auth_token="t0k")
    client = Client(serve(demo), verbose=False)
    names = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(names) == {"/get_book", "/add_book"}
    got = client.predict(7, True, api_name="/get_book")
    assert got == {"title": "BOOK 7", "auth": "Bearer t0k"}
    assert client.predict({"title": "Dune"}, api_name="/add_book") == {"added": "Dune"}


def test_a_spec_that_cannot_be_read_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(gr.errors.ConfigError, match="Cannot read the OpenAPI document"):
        gr.load_openapi(str(tmp_path / "missing.json"), "http://127.0.0.1:1")
