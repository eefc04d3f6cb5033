"""Logging in: who may, their sessions, a brake on guessing, and the gate in front of every route.

With `launch(auth=...)` (or `auth_dependency=`), the gate is default-deny: a request reaches a
route only if it carries a live session (or the dependency names a user), except the few
requests listed in `OPEN_ROUTES`, which touch neither files nor state. A new route is protected
without anyone having to remember it (SECURITY.md, invariant 10).

- Fixed passwords are kept as keyed hashes and compared with `hmac.compare_digest`, against
  every configured pair, so the time taken says nothing about which part was wrong.
- Sessions are random tokens held in memory (a restart logs everyone out), in an HttpOnly,
  SameSite=Lax cookie whose name is random per app, so apps on other ports of the same host
  (cookies ignore ports) do not overwrite each other's.
- Guessing is braked (`porch.server.brake`): each attempt reserves its check before the
  check runs, per user name and address with exponential backoff, within a looser budget per
  address; browsers that logged in before carry a device cookie that exempts them from what
  others at their address spent.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import anyio.to_thread
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from porch.errors import ConfigError
from porch.server.brake import LoginBrake, MemoryLoginBrake

log = logging.getLogger("porch.server")

PasswordCheck = Callable[[str, str], bool | Awaitable[bool]]
AuthOption = tuple[str, str] | Sequence[tuple[str, str]] | PasswordCheck
AuthDependency = Callable[[Request], str | None | Awaitable[str | None]]

# The only requests answered without a session: the page shell (static HTML that shows the
# login form when /config answers 401), the frontend's own files, and logging in or out.
# Paths are relative to the app's root; "/assets/" is a prefix (the whole folder).
OPEN_ROUTES: tuple[tuple[str, frozenset[str]], ...] = (
    ("/", frozenset({"GET", "HEAD"})),
    ("/assets/", frozenset({"GET", "HEAD"})),
    ("/login", frozenset({"POST"})),
    # POST logs out only the session the request's own cookie names (the RequestGuard refuses
    # it cross-site); GET only shows a page with a button that POSTs.
    ("/logout", frozenset({"GET", "POST"})),
)

USERNAME_KEY = "porch.username"  # the ASGI scope key the gate fills for the routes


def is_open(method: str, path: str) -> bool:
    """Whether `method path` (relative to the app's root) is answered without a session."""
    for route, methods in OPEN_ROUTES:
        matches = path.startswith(route) if route.endswith("/") and route != "/" \
            else path == route
        if matches and method in methods:
            return True
    return False


def username_of(request: Request) -> str | None:
    """The logged-in user of a request that passed the gate (None when auth is off)."""
    value = request.scope.get(USERNAME_KEY)
    return value if isinstance(value, str) else None


class Credentials:
    """Who may log in: fixed (username, password) pairs, or a function deciding."""

    def __init__(self, auth: AuthOption) -> None:
        self._check: PasswordCheck | None = None
        self._pairs: list[tuple[bytes, bytes]] = []
        # Keyed hashes: equal-length values for compare_digest, and no plain passwords kept.
        self._key = secrets.token_bytes(32)
        if callable(auth):
            self._check = auth
            return
        pairs: list[Any] = [auth] if _is_pair(auth) else list(auth)
        if not pairs or not all(_is_pair(pair) for pair in pairs):
            raise ConfigError(
                "auth= takes (username, password), a list of such pairs, or a function "
                "(username, password) -> bool.")
        self._pairs = [(self._digest(u.strip()), self._digest(p)) for u, p in pairs]

    def _digest(self, value: str) -> bytes:
        return hmac.new(self._key, value.encode("utf-8", "surrogatepass"),
                        hashlib.sha256).digest()

    async def verify(self, username: str, password: str) -> bool:
        if self._check is None:
            user, word = self._digest(username), self._digest(password)
            found = False
            for known_user, known_word in self._pairs:  # every pair, whatever matched
                found |= hmac.compare_digest(user, known_user) & \
                    hmac.compare_digest(word, known_word)
            return found
        check = self._check
        try:
            if inspect.iscoroutinefunction(check):
                result = await check(username, password)
            else:
                # A check may ask a database: keep it off the event loop.
                result = await anyio.to_thread.run_sync(check, username, password)
                if inspect.isawaitable(result):
                    result = await result
        except Exception:
            log.exception("the auth function raised; the login is refused")
            return False
        return bool(result)


def _is_pair(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and len(value) == 2 and \
        all(isinstance(part, str) for part in value)


class LoginSessions(Protocol):
    """Who is logged in, by session token (Sessions here; a cluster backend makes a login on
    one replica valid on all)."""

    def open(self, username: str) -> str: ...

    def user(self, token: str) -> str | None: ...

    def close(self, token: str) -> None: ...

    def close_user(self, username: str) -> None: ...


class Sessions:
    """Logged-in sessions: random token -> username, oldest dropped past `limit`."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._users: OrderedDict[str, str] = OrderedDict()

    def open(self, username: str) -> str:
        token = secrets.token_urlsafe(32)
        self._users[token] = username
        while len(self._users) > self.limit:
            self._users.popitem(last=False)
        return token

    def user(self, token: str) -> str | None:
        return self._users.get(token)

    def close(self, token: str) -> None:
        self._users.pop(token, None)

    def close_user(self, username: str) -> None:
        for token in [t for t, user in self._users.items() if user == username]:
            del self._users[token]

    def __len__(self) -> int:
        return len(self._users)


class Devices:
    """Browsers that logged in as a user before, known by a signed token in a long-lived
    cookie. An attempt that shows one for the user name it tries is braked by that device
    instead of by its address, and spends nothing of the address's shared budget: a guesser
    at the same address (a share link's 127.0.0.1) cannot keep such a user out."""

    max_age = 30 * 24 * 3600

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)

    def _mac(self, user_key: str, nonce: str) -> bytes:
        message = f"{user_key}\0{nonce}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest().encode()

    def issue(self, user_key: str) -> str:
        nonce = secrets.token_urlsafe(12)
        return f"{nonce}.{self._mac(user_key, nonce).decode()}"

    def source(self, token: str | None, user_key: str) -> str | None:
        """The brake source `token` proves for `user_key`, or None."""
        nonce, _, mac = (token or "").partition(".")
        # Bytes, not str: compare_digest refuses a str with non-ASCII characters (TypeError),
        # and a cookie is the visitor's to fill.
        given = mac.encode("utf-8", "surrogatepass")
        if nonce and mac and hmac.compare_digest(given, self._mac(user_key, nonce)):
            return f"device:{nonce}"
        return None


class Auth:
    """An app's login setup: credentials or an outside identity, sessions, the brake."""

    def __init__(self, *, credentials: Credentials | None = None,
                 dependency: AuthDependency | None = None, message: str | None = None,
                 brake: LoginBrake | None = None,
                 sessions: LoginSessions | None = None, optional: bool = False) -> None:
        if (credentials is None) == (dependency is None):
            raise ConfigError("Auth needs exactly one of credentials or a dependency.")
        # launch(login_optional=True): anyone may use the app; a login (offered in the page)
        # is needed only by events with requires_login=True (server/event_access.py).
        self.optional = optional
        self.credentials = credentials
        self.dependency = dependency
        self.message = message
        self.sessions: LoginSessions = sessions if sessions is not None else Sessions()
        self.brake: LoginBrake = brake if brake is not None else MemoryLoginBrake()
        self._brake_given = brake is not None
        self.devices = Devices()
        suffix = secrets.token_hex(4)
        self.cookie_name = f"porch-session-{suffix}"
        self.device_cookie_name = f"porch-device-{suffix}"

    @classmethod
    def build(cls, auth: AuthOption | None, dependency: AuthDependency | None,
              message: str | None, brake: LoginBrake | None = None,
              optional: bool = False) -> Auth | None:
        if auth is None and dependency is None:
            if optional:
                raise ConfigError("login_optional=True needs auth= or auth_dependency= (who "
                                  "may log in).")
            return None
        if auth is not None and dependency is not None:
            raise ConfigError("Pass auth= or auth_dependency=, not both.")
        return cls(credentials=Credentials(auth) if auth is not None else None,
                   dependency=dependency, message=message, brake=brake, optional=optional)

    def use(self, sessions: LoginSessions, brake: LoginBrake,
            shared_key: bytes | None = None) -> None:
        """Keep logins and the brake where the app's backend says (a `login_brake=` the app
        passed itself wins). With a `shared_key` (a cluster's), the cookie names and the
        device key derive from it, so every replica names and checks the same cookies."""
        self.sessions = sessions
        if not self._brake_given:
            self.brake = brake
        if shared_key is not None:
            suffix = hmac.new(shared_key, b"porch-cookie", hashlib.sha256).hexdigest()[:8]
            self.cookie_name = f"porch-session-{suffix}"
            self.device_cookie_name = f"porch-device-{suffix}"
            self.devices = Devices(hmac.new(shared_key, b"porch-devices",
                                            hashlib.sha256).digest())

    def token_of(self, scope: Scope) -> str | None:
        return cookie_of(scope, self.cookie_name)

    async def identify(self, scope: Scope) -> str | None:
        """The user making this request, or None."""
        if self.dependency is None:
            token = self.token_of(scope)
            return None if token is None else self.sessions.user(token)
        dependency = self.dependency
        request = Request(scope)  # headers, client, URL; the body is the route's
        try:
            if inspect.iscoroutinefunction(dependency):
                user = await dependency(request)
            else:
                user = await anyio.to_thread.run_sync(dependency, request)
                if inspect.isawaitable(user):
                    user = await user
        except Exception:
            log.exception("auth_dependency raised; the request is refused")
            return None
        if user is None or user == "":
            return None
        return str(user)


class AuthGate:
    """Default-deny: with auth on, only `OPEN_ROUTES` are reached without a session (unless
    the login is optional: then a request without one goes on as anonymous)."""

    def __init__(self, app: ASGIApp, *, auth: Auth | None,
                 open_pages: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.auth = auth
        # A multipage app's pages are shells like "/": the login form shows on any of them.
        self.open_pages = open_pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.auth is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET") if scope["type"] == "http" else "WEBSOCKET"
        path = route_path(scope)
        if is_open(method, path) or (method in ("GET", "HEAD") and path in self.open_pages):
            await self.app(scope, receive, send)
            return
        user = await self.auth.identify(scope)
        if user is None:
            if self.auth.optional:  # anonymous, as in an app without auth
                await self.app(scope, receive, send)
                return
            await self._refuse(scope, send)
            return
        await self.app({**scope, USERNAME_KEY: user}, receive, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        assert self.auth is not None
        body = json.dumps({"detail": {"error": "Not authenticated",
                                      "auth_message": self.auth.message}}).encode()
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})


def cookie_of(scope: Scope, cookie_name: str) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"cookie":
            token = cookie_parser(value.decode("latin-1")).get(cookie_name)
            if token:
                return token
    return None


def route_path(scope: Scope) -> str:
    """The request's path below the app's root (what the router matches)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root):]
    return path
