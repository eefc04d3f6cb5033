"""A scriptable stand-in for a Gradio server, for the cases real servers rarely produce.

It serves one endpoint, `/echo` (Textbox -> Textbox), through httpx.ASGITransport. Each
test says what the queue stream carries for an event (`script`), and how `queue/join`
answers (`join_reply`). httpx's ASGI transport hands a response over only once it is
complete, so every stream here is finite.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from porch import protocol
from porch.client import Client

URL = "http://127.0.0.1/"

Frames = list[dict[str, Any] | bytes]


def echo_script(event_id: str, data: list[Any]) -> Frames:
    return [
        protocol.estimation(event_id, 0, 1, None),
        protocol.process_starts(event_id, None),
        protocol.completed(event_id, protocol.success_output(
            [f"echo:{data[0]}"], generating=False, duration=0.0, average=None), success=True),
    ]


class FakeServer:
    def __init__(self, **config: Any) -> None:
        self.config: dict[str, Any] = {
            "version": "6.31.0", "protocol": "sse_v3", "api_prefix": "/gradio_api",
            "connect_heartbeat": False, "max_file_size": None,
            "components": [{"id": 1, "type": "textbox"}, {"id": 2, "type": "textbox"}],
            "dependencies": [{"id": 0, "api_name": "echo", "inputs": [1], "outputs": [2],
                              "backend_fn": True, "api_visibility": "public"}],
            **config,
        }
        self.info: dict[str, Any] = {"named_endpoints": {"/echo": {
            "parameters": [{"label": "text", "parameter_name": "text",
                            "parameter_has_default": False, "parameter_default": None,
                            "python_type": {"type": "str", "description": ""},
                            "component": "Textbox"}],
            "returns": [{"label": "out", "python_type": {"type": "str", "description": ""},
                         "component": "Textbox"}],
            "api_visibility": "public"}}, "unnamed_endpoints": {}}
        self.script: Callable[[str, list[Any]], Frames] = echo_script
        self.join_reply: Callable[[dict[str, Any]], Response | None] = lambda body: None
        # Called at the start of each queue/data request, with its number (from 1).
        self.before_stream: Callable[[int], Awaitable[None]] | None = None
        self.close_stream = True
        self.join_delay = 0.0
        self.password: str | None = None
        self.files: dict[str, bytes] = {}
        self.joins: list[dict[str, Any]] = []
        self.cancels: list[dict[str, Any]] = []
        self.heartbeats: list[str] = []
        self.uploads: list[str] = []
        self._unsent: list[tuple[str, list[Any]]] = []
        self._ids = itertools.count(1)
        self._streams = itertools.count(1)
        self.joined = asyncio.Event()

    # ---- routes -------------------------------------------------------------------------------
    def _authorized(self, request: Request) -> bool:
        return self.password is None or request.cookies.get("fake-token") == "ok"

    async def _config(self, request: Request) -> Response:
        if not self._authorized(request):
            return JSONResponse({"detail": {"error": "Not authenticated"}}, status_code=401)
        return JSONResponse(self.config)

    async def _info(self, request: Request) -> Response:
        return JSONResponse(self.info)

    async def _login(self, request: Request) -> Response:
        async with request.form() as form:
            password = form.get("password")
        if password != self.password:
            return JSONResponse({"detail": "Incorrect credentials."}, status_code=400)
        response = JSONResponse({"success": True})
        response.set_cookie("fake-token", "ok", httponly=True)
        return response

    async def _join(self, request: Request) -> Response:
        if not self._authorized(request):
            return JSONResponse({"detail": {"error": "Not authenticated"}}, status_code=401)
        body = await request.json()
        self.joins.append(body)
        await asyncio.sleep(self.join_delay)
        reply = self.join_reply(body)
        if reply is not None:
            return reply
        event_id = f"e{next(self._ids)}"
        self._unsent.append((event_id, body["data"]))
        self.joined.set()
        return JSONResponse({"event_id": event_id})

    async def _data(self, request: Request) -> Response:
        number = next(self._streams)
        if self.before_stream is not None:
            await self.before_stream(number)
        unsent, self._unsent = self._unsent, []
        body = b""
        for event_id, data in unsent:
            for frame in self.script(event_id, data):
                body += frame if isinstance(frame, bytes) else protocol.sse_data(frame)
        if self.close_stream:
            body += protocol.sse_data(protocol.CLOSE_STREAM)
        return Response(body, media_type="text/event-stream")

    async def _heartbeat(self, request: Request) -> Response:
        self.heartbeats.append(request.path_params["session_hash"])
        return Response(b"data: ALIVE\n\n", media_type="text/event-stream")

    async def _cancel(self, request: Request) -> Response:
        self.cancels.append(await request.json())
        return JSONResponse({"success": True})

    async def _upload(self, request: Request) -> Response:
        paths = []
        async with request.form() as form:
            for item in form.getlist("files"):
                assert not isinstance(item, str)
                path = f"/uploaded/{item.filename}"
                self.files[path] = await item.read()
                self.uploads.append(path)
                paths.append(path)
        return JSONResponse(paths)

    async def _file(self, request: Request) -> Response:
        path = "/" + request.path_params["path"].lstrip("/")
        if path not in self.files:
            return JSONResponse({"detail": "File not allowed"}, status_code=403)
        return Response(self.files[path])

    def app(self) -> Starlette:
        p = "/gradio_api"
        return Starlette(routes=[
            Route("/config", self._config),
            Route("/login", self._login, methods=["POST"]),
            Route(f"{p}/info", self._info),
            Route(f"{p}/queue/join", self._join, methods=["POST"]),
            Route(f"{p}/queue/data", self._data),
            Route(f"{p}/heartbeat/{{session_hash}}", self._heartbeat),
            Route(f"{p}/cancel", self._cancel, methods=["POST"]),
            Route(f"{p}/reset", self._cancel, methods=["POST"]),
            Route(f"{p}/upload", self._upload, methods=["POST"]),
            Route(f"{p}/file={{path:path}}", self._file),
            Route("/", lambda request: PlainTextResponse("not an app")),
        ])

    def client(self, **options: Any) -> Client:
        options.setdefault("verbose", False)
        return Client(URL, transport=httpx.ASGITransport(app=self.app()), **options)
