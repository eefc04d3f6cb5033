"""`POST /login` and `/logout`: the session cookie's life.

Wrong credentials answer 401 (gradio_client raises AuthenticationError for it; Gradio itself
answers 400, which that client can only report as a ValueError). An address that keeps
failing is told to wait (429 with Retry-After) without its credentials being checked.
"""

from __future__ import annotations

import logging
import math
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from porch.server.auth import Auth
from porch.server.responses import json_error
from porch.server.urls import public_path

log = logging.getLogger("porch.server")

MAX_FORM_BYTES = 16 * 1024


def auth_of(request: Request) -> Auth | None:
    auth: Auth | None = request.app.state.runtime.settings.auth
    return auth


def _home() -> Response:
    # Relative to /login and /logout, "./" is the app's root under any prefix or mount, and
    # it can only ever point into this app (no open redirect).
    return Response(status_code=302, headers={"location": "./", "cache-control": "no-store"})


async def _form(request: Request) -> dict[str, str] | None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=8)
    except (UnicodeDecodeError, ValueError):
        return None
    return {name: values[0] for name, values in fields.items()}


def _cookie_path(request: Request) -> str:
    return public_path(request.scope, request.app.state.runtime.settings.root_path)


async def login(request: Request) -> Response:
    auth = auth_of(request)
    if auth is None or auth.credentials is None:
        return _home()
    address = (request.client.host if request.client else "") or "unknown"
    wait = auth.throttle.wait(address)
    if wait > 0:
        seconds = math.ceil(wait)
        return JSONResponse(
            {"detail": f"Too many failed logins; try again in {seconds} s."}, status_code=429,
            headers={"retry-after": str(seconds)})
    form = await _form(request)
    if form is None:
        return json_error(400, "Send username and password as an HTML form "
                               "(application/x-www-form-urlencoded).")
    username = form.get("username", "").strip()
    if not await auth.credentials.verify(username, form.get("password", "")):
        auth.throttle.failed(address)
        log.info("failed login for %r from %s", username, address)
        return json_error(401, "Incorrect credentials.")
    auth.throttle.succeeded(address)
    token = auth.sessions.open(username)
    log.info("%r logged in from %s", username, address)
    response = JSONResponse({"success": True}, headers={"cache-control": "no-store"})
    response.set_cookie(auth.cookie_name, token, path=_cookie_path(request), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    """Ends this session; `?all_session=true` ends every session of its user."""
    auth = auth_of(request)
    response = _home()
    if auth is None:
        return response
    token = auth.token_of(request.scope)
    if token is not None:
        user = auth.sessions.user(token)
        if user is not None and request.query_params.get("all_session", "").lower() in (
                "1", "true", "yes"):
            auth.sessions.close_user(user)
        auth.sessions.close(token)
    response.delete_cookie(auth.cookie_name, path=_cookie_path(request), httponly=True,
                           samesite="lax", secure=request.url.scheme == "https")
    return response
