"""Where the app is, as the outside world sees it: its public root URL and its path prefix.

Behind a reverse proxy at a path prefix (`root_path="/apps/demo"`), the proxy usually strips
the prefix before passing a request on, and some setups do not. Both are served: a request that
still carries the prefix has it moved into the ASGI `root_path`, so routes see the same paths
either way, and `/apps/demo` itself is redirected to `/apps/demo/`, because every URL the page
uses is relative to that.

Mounted in another app (`porch.mount`), the mount's path is already in the ASGI `root_path`.
The public root is `scheme://host` (from the request, after the guard applied a trusted proxy's
`X-Forwarded-Host/-Proto`) + `root_path` + the mount's path; a `root_path` that is a full URL
replaces `scheme://host`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from porch.server.auth import route_path

BASE_KEY = "porch.base"  # the ASGI root_path as it came, before a prefix was moved into it


def is_full_url(root_path: str) -> bool:
    return root_path.startswith(("http://", "https://"))


def prefix_of(root_path: str) -> str:
    """The path part of a `root_path` setting, without a trailing slash."""
    path = urlsplit(root_path).path if is_full_url(root_path) else root_path
    return path.rstrip("/")


def _host(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"host":
            return str(value.decode("latin-1"))
    server = scope.get("server")
    if server:
        host, port = server
        return f"{host}:{port}" if port else str(host)
    return "localhost"


def public_root(scope: Scope, root_path: str) -> str:
    """The app's public root URL (no trailing slash), as this request reached it."""
    base = scope.get(BASE_KEY, scope.get("root_path", ""))
    if is_full_url(root_path):
        return f"{root_path.rstrip('/')}{base}"
    return f"{scope.get('scheme', 'http')}://{_host(scope)}{root_path}{base}"


def public_path(scope: Scope, root_path: str) -> str:
    """The path of the app's root as the browser sees it, ending in `/` (cookies' Path)."""
    base = scope.get(BASE_KEY, scope.get("root_path", ""))
    return f"{prefix_of(root_path)}{base}/"


class PrefixRouting:
    """Serves requests that still carry the `root_path` prefix (proxies that do not strip it)."""

    def __init__(self, app: ASGIApp, *, root_path: str) -> None:
        self.app = app
        self.prefix = prefix_of(root_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.prefix and scope["type"] in ("http", "websocket"):
            path = route_path(scope)
            root = scope.get("root_path", "")
            if path == self.prefix and scope["type"] == "http":
                query = scope.get("query_string", b"")
                location = f"{root}{self.prefix}/".encode() + (b"?" + query if query else b"")
                await send({"type": "http.response.start", "status": 307,
                            "headers": [(b"location", location), (b"content-length", b"0")]})
                await send({"type": "http.response.body", "body": b""})
                return
            if path.startswith(self.prefix + "/"):
                scope = {**scope, BASE_KEY: root, "root_path": root + self.prefix}
        await self.app(scope, receive, send)
