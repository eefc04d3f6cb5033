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
from porch.components.base import Block
from porch.server.auth import username_of


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
    return EventContext(request=app_request, event_data=body.get("event_data"), target=target)
