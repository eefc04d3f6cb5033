"""The page routes: the app's HTML, its config, and the frontend's files."""

from __future__ import annotations

import html
import re
import secrets
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from porch.components.login_button import GRADIO_DEFAULT_VALUE
from porch.server.auth import cookie_of, username_of
from porch.server.clients import client_cookie_of, give_cookie, new_client_cookie
from porch.server.deep_links import restored
from porch.server.event_access import PROOF_META
from porch.server.headers import page_policy_with_nonce
from porch.server.routes.common import root_url, runtime_of

FRONTEND = resources.files("porch") / "frontend"
_SCRIPT_TAG = re.compile(r"<script(?=[\s>])", re.IGNORECASE)


@cache
def _index_html() -> str:
    return (FRONTEND / "index.html").read_text(encoding="utf-8")


def page_routes(paths: list[str]) -> list[Route]:
    """`GET /<path>` for each page of a multipage app (the same shell, told its page), and
    `/<path>/` sent there, as Gradio does."""
    routes = []
    for path in paths:
        async def shown(request: Request, page: str = path) -> Response:
            return await index(request, page)

        async def moved(request: Request, page: str = path) -> Response:
            # Relative, so that a path prefix (root_path, a proxy's) stays in front of it.
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(f"../{quote(page)}{query}", status_code=301)

        routes += [Route(f"/{path}", shown, methods=["GET", "HEAD"]),
                   Route(f"/{path}/", moved, methods=["GET", "HEAD"])]
    return routes


async def index(request: Request, page: str = "") -> Response:
    runtime = runtime_of(request)
    head = runtime.head or ""
    if page:
        # Which page this is, for porch.js (pages.js draws only its blocks).
        head = f'<meta name="porch-page" content="{html.escape(page)}">\n{head}'
    headers: dict[str, str] = {}
    settings = runtime.settings
    if settings.allow_app_scripts and (head or runtime.blocks.js):
        # The author opted in: their own scripts run under a nonce fresh for this page; any
        # other inline script (say, markup a function returned) still does not.
        nonce = secrets.token_urlsafe(18)
        head = _SCRIPT_TAG.sub(f'<script nonce="{nonce}"', head)
        if runtime.blocks.js:
            head += (f'\n<script nonce="{nonce}">addEventListener("porch:ready", () => '
                     f"({runtime.blocks.js})(), {{once: true}});</script>")
        headers["content-security-policy"] = page_policy_with_nonce(
            nonce, settings.allow_embedding)
    # Otherwise the app's `head=` HTML goes in as written and the page's CSP blocks its
    # inline scripts (launch() says so).
    # The proof the page sends with UI-only events (server/event_access.py), made for the
    # client cookie this browser has, or is given with this answer.
    cookie = client_cookie_of(request, runtime.client_cookie) or new_client_cookie()
    proof = runtime.page_proofs.issue(cookie)
    head = f'<meta name="{PROOF_META}" content="{proof}">\n{head}'
    shell = _index_html().replace("</head>", f"{head}\n</head>", 1)
    headers["cache-control"] = "no-store"  # the proof is this browser's alone
    return give_cookie(request, HTMLResponse(shell, headers=headers), runtime.client_cookie,
                       cookie)


async def config(request: Request) -> Response:
    runtime = runtime_of(request)
    config = runtime.config(root_url(request))
    config["username"] = username_of(request)
    # The footer's "Log out" control: only for a password login (an outside identity,
    # auth_dependency=, is not porch's to end).
    auth = runtime.settings.auth
    config["porch_logout"] = config["username"] is not None and auth is not None and \
        auth.credentials is not None
    # An optional login (launch(login_optional=True)): the footer offers "Log in".
    config["porch_login"] = config["username"] is None and auth is not None and \
        auth.optional and auth.credentials is not None
    if config["porch_login"]:
        config["porch_login_message"] = auth.message if auth is not None else None
    config["components"] = _login_buttons(request, config["components"])
    link = request.query_params.get("deep_link")
    if link:
        # A DeepLinkButton's link: its snapshot's values in place (server/deep_links.py).
        values = runtime.deep_links.load(link)
        if values is not None:
            config["components"] = restored(config["components"], values)
        config["deep_link_state"] = "invalid" if values is None else "valid"
    return give_cookie(request, JSONResponse(config), runtime.client_cookie)


def _login_buttons(request: Request, components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """LoginButtons as this browser should see them: "Sign in with <issuer>", or, signed in,
    `logout_value` with the user's name (the config is shared: changed copies only)."""
    signin = runtime_of(request).oidc
    who = None if signin is None else \
        signin.sessions.who(cookie_of(request.scope, signin.cookie_name))
    shown = []
    for component in components:
        props = component.get("props", {})
        if "porch_login" not in props:
            shown.append(component)
            continue
        props = dict(props)
        if signin is None:
            props["porch_login"] = None  # the page draws it disabled, saying why
        elif who is not None:
            props["value"] = str(props.get("logout_value") or "Logout ({})").replace(
                "{}", who.profile.username)
            props["porch_signed_in"] = True
        elif props.get("value") == GRADIO_DEFAULT_VALUE:
            props["value"] = f"Sign in with {signin.config.name}"
        shown.append({**component, "props": props})
    return shown
