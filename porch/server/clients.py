"""Who a request comes from, as far as sessions are concerned: a client cookie, else an address.

Session hashes are chosen by clients and travel in URLs, so a hash alone proves nothing. The
server gives every browser and API client a random cookie on its first page or `/config`
load (gradio_client and porch.Client keep the cookies `/config` sets), and a session
remembers the cookie that opened it: a request carrying another cookie, or none, cannot
attach to that session, keep it alive, or end it (and so cannot fire its unload events).
The cookie is HttpOnly and SameSite=Lax, so another site's page cannot send it along with
the requests it makes to the app.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

_TOKEN = re.compile(r"[0-9a-f]{32}")


def new_cookie_name(shared_key: bytes | None = None) -> str:
    # Random per app: cookies ignore ports, so two apps on one host must not share one. The
    # replicas of a cluster share one name, derived from the key they share.
    if shared_key is not None:
        return "porch-client-" + hmac.new(shared_key, b"porch-client",
                                          hashlib.sha256).hexdigest()[:8]
    return f"porch-client-{secrets.token_hex(4)}"


def identity(request: Request, cookie_name: str) -> tuple[str | None, str]:
    """(owner, budget key): the client cookie if it has a valid one, else (None, address)."""
    token = request.cookies.get(cookie_name, "")
    if _TOKEN.fullmatch(token):
        return token, f"cookie:{token}"
    host = request.client.host if request.client else ""
    return None, f"address:{host}"


def client_cookie_of(request: Request, cookie_name: str) -> str | None:
    """The request's client cookie, if it carries a valid one."""
    token = request.cookies.get(cookie_name, "")
    return token if _TOKEN.fullmatch(token) else None


def new_client_cookie() -> str:
    return secrets.token_hex(16)


def give_cookie(request: Request, response: Response, cookie_name: str,
                value: str | None = None) -> Response:
    """Set the client cookie on `response` (to `value`, else a fresh one) unless the request
    already carries a valid one."""
    if client_cookie_of(request, cookie_name) is None:
        response.set_cookie(cookie_name, value or new_client_cookie(), httponly=True,
                            samesite="lax", secure=request.url.scheme == "https", path="/")
    return response


def is_cross_site_read(request: Request) -> bool:
    """A browser says another site made this request (Fetch Metadata), or its Origin is not
    the app's own: used where even a GET changes something (a session's heartbeat)."""
    site = request.headers.get("sec-fetch-site", "")
    if site in ("cross-site", "same-site"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    return origin.strip().lower() != own
