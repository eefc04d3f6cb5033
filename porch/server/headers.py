"""Security headers on every response, and the page's Content-Security-Policy.

The page runs only its own module scripts (no inline script, no eval), so `script-src 'self'`
holds even if an attacker got markup into it. Styles need `'unsafe-inline'` because an app's
`css=` goes into a `<style>` element. Images and media come from the app, from `data:` and
`blob:` (previews of files being uploaded), and from http(s) URLs, because URL outputs and
Markdown images are shown by the browser itself (the server never fetches them on a page's
behalf). Scripts may talk only to the app (`connect-src 'self'`).

Embedding (`launch(allow_embedding=...)`): False (default) lets only the app's own origin
frame it (clickjacking); True lets any site; a list of origins lets those sites.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import SplitResult, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from porch.errors import ConfigError

Embedding = bool | tuple[str, ...]

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: http: https:; media-src 'self' data: blob: http: https:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'"
)


def embedding_option(value: bool | Sequence[str] | None) -> Embedding:
    """Check `allow_embedding=`: a bool or a list of origins (`https://host[:port]`)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        value = [value]
    origins = []
    for origin in value:
        parts: SplitResult | None = None
        try:
            parts = urlsplit(origin) if isinstance(origin, str) else None
            hostname = parts.hostname if parts is not None else None
        except ValueError:
            hostname = None
        if parts is None or parts.scheme not in ("http", "https") or not hostname or \
                parts.path not in ("", "/") or parts.query or parts.fragment or \
                parts.username or any(c in origin for c in " ;,'\"\r\n\t"):
            raise ConfigError(
                f"allow_embedding= takes True, False or origins like 'https://example.com'; "
                f"got {origin!r}.")
        origins.append(origin.rstrip("/"))
    return tuple(origins)


def page_policy_with_nonce(nonce: str, embedding: Embedding) -> str:
    """The page's policy, letting scripts that carry `nonce` run too (the app's own head=
    and js= scripts, when the author opted in with allow_app_scripts=True)."""
    policy = PAGE_POLICY.replace("script-src 'self'", f"script-src 'self' 'nonce-{nonce}'", 1)
    return f"{policy}; frame-ancestors {frame_ancestors(embedding)}"


def frame_ancestors(embedding: Embedding) -> str:
    if embedding is True:
        return "*"
    if embedding is False:
        return "'self'"
    return " ".join(("'self'", *embedding))


class SecurityHeaders:
    """Adds the headers to every response (a route's own value wins)."""

    def __init__(self, app: ASGIApp, *, embedding: Embedding = False) -> None:
        self.app = app
        ancestors = f"frame-ancestors {frame_ancestors(embedding)}"
        self.page_policy = f"{PAGE_POLICY}; {ancestors}".encode()
        self.other_policy = ancestors.encode()
        self.common = [(b"x-content-type-options", b"nosniff"),
                       (b"referrer-policy", b"no-referrer")]
        if embedding is False:
            # For browsers that predate frame-ancestors; it cannot express a list.
            self.common.append((b"x-frame-options", b"SAMEORIGIN"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                policy = self.page_policy if content_type.startswith(b"text/html") \
                    else self.other_policy
                for name, value in (*self.common, (b"content-security-policy", policy)):
                    if name not in present:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
