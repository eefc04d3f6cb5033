"""`POST /login` and `POST /logout`: the session cookie's life.

Wrong credentials answer 401 (gradio_client raises AuthenticationError for it; Gradio itself
answers 400, which that client can only report as a ValueError). An attempt the brake refuses
(porch.server.brake) is told to wait, 429 with Retry-After, and its credentials are not
checked. The brake's reservation is taken before the check and settled after it, whatever
happens in between (an auth function that raises, a client that hangs up).

Logging out changes state, so it is a POST, which the RequestGuard refuses cross-site: a
page elsewhere cannot log a user out. `GET /logout` (a typed URL, or a Gradio app's
`gr.Button("Logout", link="/logout")`) logs nobody out; browsers get a page whose button
POSTs, other clients a 405.
"""

from __future__ import annotations

import html
import logging
import math
from typing import Literal
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from porch.server.auth import Auth, cookie_of
from porch.server.brake import Attempt, login_key
from porch.server.responses import json_error
from porch.server.urls import public_path

log = logging.getLogger("porch.server")

MAX_FORM_BYTES = 16 * 1024


def auth_of(request: Request) -> Auth | None:
    auth: Auth | None = request.app.state.runtime.settings.auth
    return auth


def _home(status: int = 302) -> Response:
    # Relative to /login and /logout, "./" is the app's root under any prefix or mount, and
    # it can only ever point into this app (no open redirect).
    return Response(status_code=status, headers={"location": "./", "cache-control": "no-store"})


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


REFUSALS = {
    "user": "Too many failed logins for this user name",
    "address": "Too many failed logins from your network address",
    "busy": "Another login for this user name is being checked",
}


def _refused(attempt: Attempt) -> Response:
    seconds = max(1, math.ceil(attempt.retry_after))
    reason = REFUSALS.get(attempt.refused or "", "Too many failed logins")
    return JSONResponse({"detail": f"{reason}; try again in {seconds} s."}, status_code=429,
                        headers={"retry-after": str(seconds), "cache-control": "no-store"})


def _set_cookie(request: Request, response: Response, name: str, value: str, *,
                max_age: int | None = None,
                samesite: Literal["lax", "strict"] = "lax") -> None:
    response.set_cookie(name, value, path=_cookie_path(request), httponly=True,
                        samesite=samesite, secure=request.url.scheme == "https",
                        max_age=max_age)


async def login(request: Request) -> Response:
    auth = auth_of(request)
    if auth is None or auth.credentials is None:
        return _home()
    form = await _form(request)
    if form is None:
        return json_error(400, "Send username and password as an HTML form "
                               "(application/x-www-form-urlencoded).")
    username = form.get("username", "").strip()
    address = (request.client.host if request.client else "") or "unknown"
    user = login_key(username)
    device = auth.devices.source(cookie_of(request.scope, auth.device_cookie_name), user)
    attempt = await auth.brake.reserve(user, device or address, None if device else address)
    if not attempt.granted:
        log.info("login for %r from %s refused by the brake (%s)", username, address,
                 attempt.refused)
        return _refused(attempt)
    succeeded = False
    try:
        succeeded = await auth.credentials.verify(username, form.get("password", ""))
    finally:  # also when cancelled: an attempt is spent once its check has started
        await auth.brake.settle(attempt, succeeded=succeeded)
    if not succeeded:
        log.info("failed login for %r from %s", username, address)
        return json_error(401, "Incorrect credentials.")
    token = auth.sessions.open(username)
    log.info("%r logged in from %s", username, address)
    response = JSONResponse({"success": True}, headers={"cache-control": "no-store"})
    _set_cookie(request, response, auth.cookie_name, token)
    if device is None:
        _set_cookie(request, response, auth.device_cookie_name, auth.devices.issue(user),
                    max_age=auth.devices.max_age, samesite="strict")
    return response


def _wants_all(request: Request) -> bool:
    return request.query_params.get("all_session", "").lower() in ("1", "true", "yes")


LOGOUT_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="same-origin">
  <title>Log out</title>
  <link rel="stylesheet" href="./assets/porch.css">
</head>
<body>
  <main class="porch-app">
    <form class="porch-login" method="post" action="{action}">
      <h1>Log out?</h1>
      <button type="submit" class="porch-button porch-primary porch-size-lg">Log out</button>
      <p><a href="./">Back to the app</a></p>
    </form>
  </main>
</body>
</html>
"""


def _logout_page(request: Request) -> Response:
    """`GET /logout`: changes nothing. A browser gets a button that logs out by POST."""
    if "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"detail": "Log out with POST /logout."}, status_code=405,
                            headers={"allow": "POST"})
    action = "./logout?all_session=true" if _wants_all(request) else "./logout"
    # Not the app's no-referrer policy: under it the form's POST says `Origin: null`, which
    # the RequestGuard refuses; same-origin sends the real Origin to this app only.
    return HTMLResponse(LOGOUT_PAGE.format(action=html.escape(action)),
                        headers={"cache-control": "no-store", "referrer-policy": "same-origin"})


async def logout(request: Request) -> Response:
    """`POST /logout` ends this session (and an OpenID Connect sign-in); `?all_session=true`
    ends every password session of its user."""
    if request.method != "POST":
        return _logout_page(request)
    auth = auth_of(request)
    response = _home(303)  # 303: the browser follows a POST's redirect with a GET
    signin = request.app.state.runtime.oidc
    if signin is not None:  # signed in with OpenID Connect (a LoginButton): sign out too
        signin.sessions.close(cookie_of(request.scope, signin.cookie_name))
        response.delete_cookie(signin.cookie_name, path=_cookie_path(request), httponly=True,
                               samesite="lax", secure=request.url.scheme == "https")
    if auth is None:
        return response
    token = auth.token_of(request.scope)
    if token is not None:
        user = auth.sessions.user(token)
        if user is not None and _wants_all(request):
            auth.sessions.close_user(user)
        auth.sessions.close(token)
    response.delete_cookie(auth.cookie_name, path=_cookie_path(request), httponly=True,
                           samesite="lax", secure=request.url.scheme == "https")
    return response
