"""The page routes: the app's HTML, its config, and the frontend's files."""

from __future__ import annotations

from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from porch.server.auth import username_of
from porch.server.clients import give_cookie
from porch.server.routes.common import root_url, runtime_of

FRONTEND = resources.files("porch") / "frontend"


@cache
def _index_html() -> str:
    return (FRONTEND / "index.html").read_text(encoding="utf-8")


async def index(request: Request) -> Response:
    runtime = runtime_of(request)
    head = runtime.head
    # The app's own `head=` HTML (trusted, as the app's code is); the page's CSP still
    # applies to it, so inline scripts in it do not run.
    page = _index_html().replace("</head>", f"{head}\n</head>", 1) if head else _index_html()
    return give_cookie(request, HTMLResponse(page), runtime.client_cookie)


async def config(request: Request) -> Response:
    runtime = runtime_of(request)
    config = runtime.config(root_url(request))
    config["username"] = username_of(request)
    # The footer's "Log out" control: only for a password login (an outside identity,
    # auth_dependency=, is not porch's to end).
    auth = runtime.settings.auth
    config["porch_logout"] = config["username"] is not None and auth is not None and \
        auth.credentials is not None
    return give_cookie(request, JSONResponse(config), runtime.client_cookie)
