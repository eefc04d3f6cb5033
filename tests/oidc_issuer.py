"""A small OpenID Connect issuer for the sign-in tests: a Starlette app on a real uvicorn
server on 127.0.0.1 (discovery, authorize, token, userinfo).

It approves every sign-in at once as its one test user, and is strict where a real issuer is:
registered client and redirect URI, single-use codes, PKCE S256, client secret by HTTP Basic.
`tamper` changes the claims of the next ID tokens, to play a misbehaving or hostile issuer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote_plus, urlencode

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.conftest import free_port

CLIENT_ID = "porch-test-app"
CLIENT_SECRET = "s3cret-of-the-app"
USER = {"sub": "user-1", "name": "Ada Lovelace", "preferred_username": "ada",
        "email": "ada@example.test", "picture": "https://example.test/ada.png",
        "profile": "https://example.test/ada"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.redirect_uris: set[str] = set()
        self.tamper: dict[str, Any] = {}
        self.userinfo_tamper: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.used_codes: list[str] = []
        self.refused: list[str] = []  # why the token endpoint said no, for the tests
        self.tokens: dict[str, dict[str, Any]] = {}
        self.discovery_tamper: dict[str, Any] = {}
        self.deny = False  # the user says no at the issuer
        self.public_client = False  # no secret: PKCE alone, client_id in the form
        self.app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/userinfo", self.userinfo),
        ])

    async def discovery(self, request: Request) -> Response:
        return JSONResponse({
            "issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token", "userinfo_endpoint": f"{self.url}/userinfo",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["HS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
            **self.discovery_tamper})

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("redirect_uri") not in self.redirect_uris:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256" \
                or "openid" not in q.get("scope", "").split():
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if self.deny:
            query = urlencode({"error": "access_denied", "state": q.get("state", ""),
                               "error_description": "The user said no"})
            return RedirectResponse(f"{q['redirect_uri']}?{query}", status_code=302)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"redirect_uri": q["redirect_uri"], "nonce": q.get("nonce"),
                            "challenge": q.get("code_challenge"), "scope": q["scope"]}
        query = urlencode({"code": code, "state": q.get("state", "")})
        return RedirectResponse(f"{q['redirect_uri']}?{query}", status_code=302)

    def _refuse(self, why: str) -> Response:
        self.refused.append(why)
        return JSONResponse({"error": "invalid_grant", "error_description": why},
                            status_code=400)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        user, _, password = base64.b64decode(encoded or "").decode().partition(":")
        if self.public_client:
            if scheme or form.get("client_id") != CLIENT_ID or "client_secret" in form:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
        elif scheme != "Basic" or unquote_plus(user) != CLIENT_ID or \
                unquote_plus(password) != CLIENT_SECRET:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        code = str(form.get("code", ""))
        grant = self.codes.pop(code, None)
        if grant is None:
            return self._refuse("unknown or used code")
        self.used_codes.append(code)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._refuse("redirect_uri differs")
        verifier = str(form.get("code_verifier", ""))
        if _b64(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return self._refuse("PKCE verifier does not match")
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "sub": USER["sub"], "iat": now,
                  "exp": now + 300, "nonce": grant["nonce"], "name": USER["name"],
                  **self.tamper}
        access = secrets.token_urlsafe(24)
        self.tokens[access] = USER
        return JSONResponse({"access_token": access, "token_type": "Bearer",
                             "expires_in": 3600, "scope": grant["scope"],
                             "id_token": self.id_token(claims)})

    def id_token(self, claims: dict[str, Any]) -> str:
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = _b64(json.dumps(claims).encode())
        mac = hmac.new(CLIENT_SECRET.encode(), f"{header}.{body}".encode(), hashlib.sha256)
        return f"{header}.{body}.{_b64(mac.digest())}"

    async def userinfo(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        user = self.tokens.get(token) if scheme == "Bearer" else None
        if user is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse({**user, **self.userinfo_tamper})


@contextmanager
def running_issuer() -> Iterator[Issuer]:
    issuer = Issuer()
    server = uvicorn.Server(uvicorn.Config(issuer.app, host="127.0.0.1", port=issuer.port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            httpx.get(issuer.url + "/.well-known/openid-configuration", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield issuer
    finally:
        server.should_exit = True
        thread.join(10)
