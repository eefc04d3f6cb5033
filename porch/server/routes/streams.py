"""The routes of streaming inputs: the page's next chunk of an open `stream` event, and its
close (see `porch.server.streams`). Both sit behind the auth gate and the request guard,
like queue/join; an event id is a capability, and a chunk must also name the event's own
session, so one client cannot feed another's stream."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from porch.errors import InvalidRequest
from porch.server.responses import json_error, read_json, require_object
from porch.server.routes.api import admit
from porch.server.routes.common import runtime_of


async def push_chunk(request: Request) -> Response:
    runtime = runtime_of(request)
    body = require_object(await read_json(request, runtime.settings.max_json_bytes))
    inbox = runtime.inboxes.get(request.path_params["event_id"])
    data = body.get("data")
    if not isinstance(data, list):
        raise InvalidRequest(
            [{"type": "missing", "loc": ["body", "data"], "msg": "Field required"}], 422)
    if inbox is None or inbox.closed or body.get("session_hash") != inbox.session_hash:
        # The same answer for an ended stream and for one that is not the client's.
        return json_error(404, "No open stream with this event id.")
    admit(request, inbox.session_hash)
    inbox.put(data)
    return JSONResponse({"msg": "success"})


async def close(request: Request) -> Response:
    inbox = runtime_of(request).inboxes.get(request.path_params["event_id"])
    if inbox is None:
        return json_error(404, "No open stream with this event id.")
    inbox.close()
    return JSONResponse({"msg": "success"})
