"""The `EventContext` of a call: a copy of its HTTP request, and what the page said of it.

Apps read it through parameters annotated `porch.Request` or `porch.SelectData` (and the
other `EventData` kinds). The copy is taken when the event is queued, so it stays valid
while the event waits and runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request as HttpRequest

from porch.blocks.context import EventContext, Request
from porch.blocks.oauth import OAuthProfile, OAuthToken
from porch.components.base import Block
from porch.server.auth import cookie_of, username_of


def event_context(request: HttpRequest, find: Callable[[int, str], Block | None],
                  session_hash: str, body: dict[str, Any] | None = None) -> EventContext:
    """What `request` (a queue join, call or run) tells about the event it starts; `find`
    looks up the block that fired it by id, among those the session can see."""
    body = body or {}
    client = request.client
    app_request = Request(
        headers=request.headers.items(),
        query_params=request.query_params.multi_items(),
        cookies=request.cookies,
        client=(client.host, client.port) if client else (None, None),
        url=str(request.url),
        session_hash=session_hash,
        username=username_of(request),
        request=request,
    )
    trigger_id = body.get("trigger_id")
    # The page names the block that fired; only a block of this app can be the target.
    target = find(trigger_id, session_hash) if isinstance(trigger_id, int) else None
    profile, token = _signed_in(request, body)
    return EventContext(request=app_request, event_data=body.get("event_data"), target=target,
                        oauth_profile=profile, oauth_token=token)


def _signed_in(request: HttpRequest, body: dict[str, Any],
               ) -> tuple[OAuthProfile | None, OAuthToken | None]:
    """Who this browser signed in as (OpenID Connect), else a token the caller sent itself.

    A client that cannot sign in (gradio_client's `Client(oauth_token=...)`) may send its own
    access token in the body, as Gradio allows; it fills an `OAuthToken` parameter only,
    never a profile: porch vouches for no one it did not sign in."""
    signin = getattr(request.app.state.runtime, "oidc", None)
    if signin is not None:
        who = signin.sessions.who(cookie_of(request.scope, signin.cookie_name))
        if who is not None:
            return who.profile, who.token
    given = body.get("oauth_token")
    if isinstance(given, str) and given:
        return None, OAuthToken(token=given, scope="", expires_at=0)
    return None, None
