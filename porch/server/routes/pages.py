"""The page routes: the app's HTML, its config, and the frontend's files."""

from __future__ import annotations

from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from porch.server.routes.api import root_url, runtime_of

FRONTEND = resources.files("porch") / "frontend"


@cache
def _index_html() -> str:
    return (FRONTEND / "index.html").read_text(encoding="utf-8")


async def index(request: Request) -> Response:
    return HTMLResponse(_index_html())


async def config(request: Request) -> Response:
    return JSONResponse(runtime_of(request).config(root_url(request)))
