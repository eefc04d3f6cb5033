"""`POST /gradio_api/component_server`: a component's own server function, for its page.

Gradio's route, with Gradio's body `{session_hash, component_id, fn_name, data}`. Only
methods the component marked with `@server` run (404 otherwise), for a session this client
may use, with the JSON size cap, origin check and login of every other route; the result is
the function's JSON answer.
"""

from __future__ import annotations

import inspect
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from porch.errors import InvalidRequest
from porch.server.responses import json_error, read_json, require_object
from porch.server.routes.api import admit
from porch.server.routes.common import root_url, runtime_of


async def component_server(request: Request) -> Response:
    runtime = runtime_of(request)
    body = require_object(await read_json(request, runtime.settings.max_json_bytes))
    missing = [k for k in ("session_hash", "component_id", "fn_name") if k not in body]
    if missing:
        raise InvalidRequest([{"type": "missing", "loc": ["body", k], "msg": "Field required"}
                              for k in missing], 422)
    session_hash, component_id, fn_name = (body["session_hash"], body["component_id"],
                                           body["fn_name"])
    if not isinstance(session_hash, str) or not session_hash or \
            not isinstance(component_id, int) or not isinstance(fn_name, str):
        raise InvalidRequest("session_hash must be a string, component_id an int and "
                             "fn_name a string.", 422)
    admit(request, session_hash)
    block = runtime.block(component_id, session_hash)
    fn = getattr(block, fn_name, None) if block is not None and \
        not fn_name.startswith("_") else None
    if fn is None or not getattr(fn, "is_server_fn", False):
        return json_error(404, "Function not found.")
    conversion = runtime.conversion(root_url(request))
    wants_conversion = "conversion" in inspect.signature(fn).parameters

    def run() -> Any:
        if wants_conversion:
            return fn(body.get("data"), conversion=conversion)
        return fn(body.get("data"))

    result = await anyio.to_thread.run_sync(run, limiter=runtime.limiter)
    return JSONResponse(result)
