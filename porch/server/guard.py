"""Requests from elsewhere: the Host check, cross-site refusal and trusted proxy headers.

An app on a developer's laptop is reachable by every web page the developer visits: a page
can POST to `http://127.0.0.1:7860` (CSRF) or rebind its own DNS name to 127.0.0.1 (DNS
rebinding). So, as pure ASGI middleware in front of every route:

- bound to loopback, only local Host names are answered (421 otherwise);
- a state-changing request (anything but GET, HEAD, OPTIONS) whose Origin is not the app's
  own, or is `null`, or that the browser marks `Sec-Fetch-Site: cross-site`, gets 403;
- no CORS headers are ever added, so other origins cannot read responses;
- `X-Forwarded-*` headers are honoured only from `trusted_proxies` and stripped otherwise,
  so one client cannot change the URLs another client is sent. From a trusted proxy, the
  last `X-Forwarded-For` address (the one the proxy itself saw) becomes the client address,
  which the login brake counts failures by;
- `allowed_hosts` (and a share tunnel's public host) are answered besides local names.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("porch.server")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
FORWARDED = (b"x-forwarded-host", b"x-forwarded-proto", b"x-forwarded-for", b"forwarded",
             b"x-forwarded-port", b"x-forwarded-prefix")


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=256)
def split_host(value: str) -> tuple[str, int | None]:
    """`name[:port]` (IPv6 in brackets) -> (lower-case name, port). Cached: every request
    asks, and an app is reached under a handful of names."""
    try:
        parts = urlsplit("//" + value)
        return (parts.hostname or "").lower(), parts.port
    except ValueError:
        return "", None


def _is_local_name(name: str) -> bool:
    return name in LOCAL_NAMES or name.endswith(".localhost") or is_loopback(name)


class RequestGuard:
    def __init__(self, app: ASGIApp, *, bound_to_loopback: bool,
                 trusted_proxies: Iterable[str] = (), allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.bound_to_loopback = bound_to_loopback
        self.trusted_proxies = frozenset(trusted_proxies)
        self.allowed_hosts = frozenset(split_host(h)[0] or h.lower() for h in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer = (scope.get("client") or ("", 0))[0]
        trusted = peer in self.trusted_proxies
        scope = _with_forwarding(scope) if trusted else _without_forwarding(scope)
        headers = {k.lower(): v for k, v in scope["headers"]}
        host_header = headers.get(b"host", b"").decode("latin-1")
        name, port = split_host(host_header)
        # Behind a trusted proxy the public name is the proxy's business, not a rebinding.
        if self.bound_to_loopback and not trusted and not _is_local_name(name) \
                and name not in self.allowed_hosts:
            log.info("refused Host %r (not a local name; DNS rebinding? Behind a proxy, set "
                     "trusted_proxies=; to answer this name, allowed_hosts=)", host_header)
            await _refuse(send, 421, "This app only answers requests for a local host name.")
            return
        if scope["method"] not in SAFE_METHODS and not self._same_site(scope, headers, name, port):
            log.info("refused cross-site %s %s from Origin %r", scope["method"], scope["path"],
                     headers.get(b"origin"))
            await _refuse(send, 403, "Cross-site requests may not change this app's state.")
            return
        await self.app(scope, receive, send)

    def _same_site(self, scope: Scope, headers: dict[bytes, bytes], name: str,
                   port: int | None) -> bool:
        """Whether a state-changing request comes from the app's own origin.

        The Origin must name exactly the scheme, host and port the request reached (default
        ports spelled out); local names (localhost, 127.0.0.1, [::1]) stand for each other.
        """
        origins = [v for k, v in scope["headers"] if k.lower() == b"origin"]
        if len(origins) > 1:
            return False  # two Origins: a smuggling attempt, or a proxy gone wrong
        if not origins:
            # Old browsers and non-browser clients send no Origin; browsers that know better
            # say where the request came from.
            return headers.get(b"sec-fetch-site", b"") not in (b"cross-site", b"same-site")
        origin = parse_origin(origins[0].decode("latin-1"))
        if origin is None:
            return False  # `null` (sandboxed frames, file:// pages) or not an origin at all
        scheme = scope.get("scheme", "http")
        own_port = port if port is not None else DEFAULT_PORTS.get(scheme)
        origin_scheme, origin_name, origin_port = origin
        if origin_scheme != scheme or origin_port != own_port:
            return False
        if origin_name == name:
            return True
        return _is_local_name(origin_name) and _is_local_name(name)


DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(text: str) -> tuple[str, str, int] | None:
    """`scheme://host[:port]` -> (scheme, lower-case host, port), or None if it is not one.

    An Origin header is exactly that serialisation: anything with a path, query, fragment,
    credentials or another scheme is not an origin a browser sends.
    """
    text = text.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.username is not None \
            or parts.password is not None or parts.path or parts.query or parts.fragment \
            or "?" in text or "#" in text:
        return None
    return scheme, parts.hostname.lower(), port if port is not None else DEFAULT_PORTS[scheme]


def _without_forwarding(scope: Scope) -> Scope:
    if not any(k.lower() in FORWARDED for k, _ in scope["headers"]):
        return scope  # the common case: nothing to strip, no copy
    scope = dict(scope)
    scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() not in FORWARDED]
    return scope


def _with_forwarding(scope: Scope) -> Scope:
    """Apply a trusted proxy's X-Forwarded-Host/-Proto, so URLs the app emits are public."""
    headers = {k.lower(): v for k, v in scope["headers"]}
    scope = dict(scope)
    host = headers.get(b"x-forwarded-host")
    if host:
        first = host.split(b",")[0].strip()
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"host"]
        scope["headers"].append((b"host", first))
    proto = headers.get(b"x-forwarded-proto", b"").split(b",")[0].strip().lower()
    if proto in (b"http", b"https"):
        scope["scheme"] = proto.decode()
    # Earlier entries are whatever the client claimed; the last is what the proxy saw.
    forwarded_for = headers.get(b"x-forwarded-for", b"").split(b",")[-1].strip()
    if forwarded_for:
        address = forwarded_for.decode("latin-1").strip("[]")
        try:
            scope["client"] = (str(ipaddress.ip_address(address)), 0)
        except ValueError:
            pass
    return scope


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
