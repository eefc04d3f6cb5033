"""`GET /login/oidc` and `GET /login/callback`: signing in with an OpenID Connect issuer
(porch/server/oidc). Signing out is `POST /logout` (routes/login.py), same-origin only.

`/login/oidc?_target_url=/path` (Gradio's parameter name) says where to come back to: only a
path on this origin is followed (checks.safe_target), anything else comes back to the app.
"""

from __future__ import annotations

import html
import logging
import math

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from porch.server.auth import cookie_of
from porch.server.oidc.checks import SignInRefused, safe_target
from porch.server.oidc.signin import OidcSignIn
from porch.server.routes.common import root_url, runtime_of
from porch.server.urls import public_path

log = logging.getLogger("porch.server")

CALLBACK = "/login/callback"
NOT_CONFIGURED = ("Signing in is not set up for this app: name an OpenID Connect issuer with "
                  "porch.oidc.configure(...) or PORCH_OIDC_ISSUER and PORCH_OIDC_CLIENT_ID.")

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign-in failed</title>
  <link rel="stylesheet" href="../assets/porch.css">
</head>
<body>
  <main class="porch-app">
    <div class="porch-login" role="alert">
      <h1>Sign-in failed</h1>
      <p>{message}</p>
      <p><a href="../">Back to the app</a></p>
    </div>
  </main>
</body>
</html>
"""


def signin_of(request: Request) -> OidcSignIn | None:
    return runtime_of(request).oidc


def _refusal(status: int, message: str) -> Response:
    return HTMLResponse(PAGE.format(message=html.escape(message)), status_code=status,
                        headers={"cache-control": "no-store"})


def _cookie_path(request: Request) -> str:
    return public_path(request.scope, runtime_of(request).settings.root_path)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


async def begin(request: Request) -> Response:
    signin = signin_of(request)
    if signin is None:
        return _refusal(404, NOT_CONFIGURED)
    # "../" from /login/oidc is the app's root, under any prefix or mount.
    target = safe_target(request.query_params.get("_target_url")) or "../"
    redirect_uri = signin.config.redirect_uri or root_url(request) + CALLBACK
    try:
        location, state = await signin.begin(redirect_uri=redirect_uri, target=target)
    except SignInRefused as exc:
        log.warning("OpenID Connect sign-in could not start: %s", exc)
        return _refusal(502, f"The sign-in service is unavailable: {exc}.")
    response = Response(status_code=302, headers={"location": location,
                                                  "cache-control": "no-store"})
    # Lax: the cookie comes back on the issuer's top-level redirect to the callback. It
    # outlives the server's timeout a little, so a late return hears "expired".
    response.set_cookie(signin.state_cookie_name, state, path=_cookie_path(request),
                        max_age=math.ceil(signin.config.login_timeout) + 60, httponly=True,
                        samesite="lax", secure=_secure(request))
    return response


async def callback(request: Request) -> Response:
    signin = signin_of(request)
    if signin is None:
        return _refusal(404, NOT_CONFIGURED)
    query = {key: value for key, value in request.query_params.items()}
    address = request.client.host if request.client else "unknown"
    try:
        who, target = await signin.finish(
            query, cookie_of(request.scope, signin.state_cookie_name))
    except SignInRefused as exc:
        log.info("OpenID Connect sign-in from %s refused: %s", address, exc)
        response = _refusal(400, f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
        response.delete_cookie(signin.state_cookie_name, path=_cookie_path(request),
                               httponly=True, samesite="lax", secure=_secure(request))
        return response
    log.info("%r signed in with %s from %s", who.profile.username, signin.config.name, address)
    response = Response(status_code=303, headers={"location": target,
                                                  "cache-control": "no-store"})
    response.delete_cookie(signin.state_cookie_name, path=_cookie_path(request),
                           httponly=True, samesite="lax", secure=_secure(request))
    response.set_cookie(signin.cookie_name, signin.sessions.open(who),
                        path=_cookie_path(request), httponly=True, samesite="lax",
                        secure=_secure(request))
    return response

