"""Who may run an event, beyond the app's own login: UI-only events and login-only events.

- `api_visibility="private"`: the event is the page's, not the API's. Besides being left out
  of `/info`, the OpenAPI document and the MCP tools, a call must carry the page's proof:
  `GET /` (the page shell) holds a proof in a `<meta>` tag, an HMAC of the browser's client
  cookie (server/clients.py) under a key random per app run, and the page sends it back in
  the `X-Porch-Page-Proof` header. gradio_client, porch.Client and a script that only talks
  to the API never see it, and a proof is worth nothing without the HttpOnly cookie it was
  made for. Threat model (docs/private-endpoints.md): this stops API clients and scripts
  calling what the author did not publish; it does not stop someone who loads the page (or
  fetches it and reads the tag) with their own cookie, since the page itself can run it.
- `requires_login=True`: the event runs only for a logged-in user (a password login, an
  `auth_dependency=` identity, or a LoginButton sign-in); anyone else gets a 401.

Both are checked before the call touches anything: no session is opened or admitted, no
validator runs, nothing is queued.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request

from porch.blocks.events import Dependency
from porch.errors import InvalidRequest
from porch.server.auth import cookie_of, username_of

PROOF_HEADER = "x-porch-page-proof"
PROOF_META = "porch-page-proof"  # the <meta name=...> of the page shell


class PageProofs:
    """Proofs that a request comes from a page this app served to this browser."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)

    def issue(self, client_cookie: str) -> str:
        message = b"porch-page\0" + client_cookie.encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def holds(self, client_cookie: str | None, proof: str | None) -> bool:
        """Whether `proof` was issued for `client_cookie` (by this app, in this run)."""
        if not client_cookie or not proof:
            return False
        # Bytes: compare_digest refuses a str with non-ASCII characters, and both are the
        # client's to fill.
        expected = self.issue(client_cookie).encode()
        return hmac.compare_digest(proof.encode("utf-8", "surrogatepass"), expected)


def signed_in(request: Request) -> bool:
    """A user porch vouches for: a password login (or auth_dependency=), or an OIDC sign-in.
    An access token a client sends in the body names nobody, so it does not count."""
    if username_of(request) is not None:
        return True
    signin = getattr(request.app.state.runtime, "oidc", None)
    if signin is None:
        return False
    return signin.sessions.who(cookie_of(request.scope, signin.cookie_name)) is not None


def check_access(request: Request, dep: Dependency, proofs: PageProofs,
                 client_cookie_name: str) -> None:
    """Raise InvalidRequest (403 or 401, JSON) if this request may not run `dep`."""
    if dep.api_visibility == "private":
        cookie = request.cookies.get(client_cookie_name)
        if not proofs.holds(cookie, request.headers.get(PROOF_HEADER)):
            raise InvalidRequest(
                f"/{dep.api_name} is not part of the app's API: only the app's own page may "
                'run it (api_visibility="private"). In the page, reload it.', 403)
    if dep.requires_login and not signed_in(request):
        raise InvalidRequest(
            f"/{dep.api_name} needs a login: sign in first (the event has "
            "requires_login=True).", 401)
