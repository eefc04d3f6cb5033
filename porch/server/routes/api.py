"""The API routes: discovery, the queue protocol, plain-HTTP calls and direct runs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from porch import protocol
from porch.blocks.context import EventContext
from porch.blocks.events import Dependency
from porch.errors import InvalidRequest, QueueFull
from porch.queue import channels
from porch.queue.channels import CursorGone
from porch.server import reattach, validation
from porch.server.clients import identity, is_cross_site_read
from porch.server.context import event_context
from porch.server.deep_links import linkable_ids
from porch.server.event_access import check_access
from porch.server.openapi import openapi_document
from porch.server.responses import event_stream, json_error, read_json, require_object
from porch.server.routes.common import root_url, runtime_of
from porch.server.runtime import AppRuntime


def refuse_reserved(session_hash: str) -> None:
    """A session hash may not contain ':': the message bus keeps other streams under names
    with one (`call:<event id>`, `upload:<id>`), which no session may read or write."""
    if ":" in session_hash:
        raise InvalidRequest("A session hash may not contain ':'.", 400)


def admit(request: Request, session_hash: str) -> None:
    """Let the request use `session_hash` (403 if another client owns it, 429 if this client
    opened too many sessions lately)."""
    refuse_reserved(session_hash)
    runtime = runtime_of(request)
    owner, client = identity(request, runtime.client_cookie)
    runtime.open_session(session_hash, owner=owner, client=client)


def allowed(request: Request, runtime: AppRuntime, dep: Dependency) -> None:
    """Refuse (403/401) a UI-only event without the page's proof, or a login-only event
    without a login, before anything of the call happens (server/event_access.py)."""
    check_access(request, dep, runtime.page_proofs, runtime.client_cookie)


async def info(request: Request) -> Response:
    all_endpoints = bool(request.query_params.get("all_endpoints"))
    return JSONResponse(runtime_of(request).api_info(all_endpoints))


async def openapi(request: Request) -> Response:
    """The OpenAPI 3.1 document of the public endpoints (porch/server/openapi.py)."""
    runtime = runtime_of(request)
    auth = runtime.settings.auth
    return JSONResponse(openapi_document(
        runtime.api_info(False), title=runtime.blocks.title, server_url=root_url(request),
        login_required=auth is not None and not auth.optional,
        session_cookie=auth.cookie_name if auth is not None and auth.credentials else None,
        signin_cookie=runtime.oidc.cookie_name if runtime.oidc is not None else None))


async def _validated(runtime: AppRuntime, dep: Dependency, data: Any, session_hash: str,
                     request: Request, context: EventContext | None) -> Response | None:
    """The event's `validator=` verdict: None to go on, else the answer (422 or 400)."""
    if dep.validator is None:
        return None
    try:
        entries = await validation.check(runtime, dep, data if isinstance(data, list) else [],
                                         session_hash, root_url(request), context)
    except Exception as exc:  # the validator's own failure: the event does not run
        return json_error(400, str(exc) or type(exc).__name__)
    return None if entries is None else JSONResponse({"detail": entries}, status_code=422)


async def queue_join(request: Request) -> Response:
    runtime = runtime_of(request)
    body = require_object(await read_json(request, runtime.settings.max_json_bytes))
    if "data" not in body:
        raise InvalidRequest(
            [{"type": "missing", "loc": ["body", "data"], "msg": "Field required"}], 422)
    fn_index = body.get("fn_index")
    if fn_index is None:
        return json_error(400, "No function index provided.")
    session_hash = body.get("session_hash")
    if not isinstance(session_hash, str) or not session_hash:
        return json_error(400, "Session hash not found.")
    dep = runtime.dependency(fn_index, session_hash)
    allowed(request, runtime, dep)
    admit(request, session_hash)
    context = event_context(request, runtime.block, session_hash, body)
    refused = await _validated(runtime, dep, body["data"], session_hash, request, context)
    if refused is not None:
        return refused
    try:
        # Only porch's page feeds a stream chunk by chunk; it says so as Gradio's does.
        once = dep.connection == "stream" and request.headers.get("x-gradio-user") != "app"
        event_id = runtime.join(dep, body["data"], session_hash, root_url(request),
                                context=context, once=once)
    except QueueFull as exc:
        return json_error(503, str(exc))
    channel = runtime.bus.get(session_hash)
    if channel is not None:
        # If the session's stream just said close_stream, answer once the client has hung it
        # up: told of this event earlier, it could file it under the ending stream.
        await channel.settled()
    return JSONResponse({"event_id": event_id})


async def queue_data(request: Request) -> Response:
    runtime = runtime_of(request)
    session_hash = request.query_params.get("session_hash")
    if not session_hash:
        raise InvalidRequest(
            [{"type": "missing", "loc": ["query", "session_hash"], "msg": "Field required"}], 422)
    refuse_reserved(session_hash)
    interval = runtime.settings.heartbeat_interval
    try:
        cursor = reattach.cursor_of(request)
        found = None
        if cursor is None:
            # Even a first read must be the session owner's: another client's read would
            # take the owner's messages (a reader without a cursor consumes them).
            reattach.check_owner(request, runtime, session_hash)
        else:  # a reattach: checked before the stream starts
            found = reattach.check_session(request, runtime, session_hash,
                                           runtime.bus.get(session_hash))
            reattach.check_event(found, request.query_params.get("event_id"))
            reattach.check_cursor(found, cursor)
    except reattach.Refused as refused:
        return refused.response()

    async def frames() -> AsyncIterator[bytes]:
        # Looked up as the stream starts, and counted as read at once: a channel found
        # earlier could be evicted (and replaced) before this reader counts.
        channel = runtime.bus.get(session_hash)
        if channel is None or (found is not None and channel is not found):
            yield protocol.sse_data({"msg": protocol.MSG_UNEXPECTED, "event_id": None,
                                     "message": "404: Not Found", "session_not_found": True,
                                     "success": False})
            return
        channel.reader_joined()
        closed = False
        position = cursor
        try:
            while True:
                # Whatever is already waiting goes in the same write: a fast generator then
                # costs one send per burst, not one per token. close_stream is decided here,
                # as the batch is taken, from what is pending now.
                try:
                    batch = await channel.read_batch(position, interval)
                except CursorGone:  # pushed out while this reader was slow: say so, end
                    yield protocol.sse_data({"msg": protocol.MSG_UNEXPECTED, "event_id": None,
                                             "message": reattach.GONE, "success": False})
                    return
                if batch is None:
                    yield protocol.sse_data(protocol.HEARTBEAT)
                    continue
                closed = batch[-1].message["msg"] == protocol.MSG_CLOSE
                if position is not None:
                    position = max(e.id for e in batch)
                yield reattach.framed(batch, with_ids=cursor is not None)
                if closed:
                    # Keep the connection until the client hangs up (the server then cancels
                    # this generator): joins of the session wait for that meanwhile.
                    await anyio.sleep(channels.HANG_UP_GRACE)
                    return
        finally:
            channel.reader_left(closed=closed)
            # A client that left mid-job frees its slots, unless it is back within the grace.
            # After close_stream nothing was pending: what is pending now joined afterwards,
            # for the client's next reader.
            if not closed and channel.readers == 0 and channel.pending:
                runtime.reader_gone(channel)

    return event_stream(frames())


async def heartbeat(request: Request) -> Response:
    """The page's keep-alive (PROTOCOL.md §5.1): its end is how the server learns that the
    page is gone, and so when to run unload events and let the session's state go."""
    runtime = runtime_of(request)
    interval = runtime.settings.heartbeat_interval
    session_hash = request.path_params["session_hash"]
    root = root_url(request)
    if is_cross_site_read(request):
        # Another site's page could otherwise hold a session open, or end it (and fire its
        # unload events), just by loading this URL.
        return json_error(403, "Cross-site requests may not keep or end a session.")
    admit(request, session_hash)

    async def frames() -> AsyncIterator[bytes]:
        runtime.session_opened(session_hash)
        try:
            while True:
                yield b"data: ALIVE\n\n"
                await anyio.sleep(interval)
        finally:
            runtime.session_closed(session_hash, root)

    return event_stream(frames())


async def queue_status(request: Request) -> Response:
    """How many events wait, all groups together (Gradio's shape, PROTOCOL.md §1)."""
    waiting = runtime_of(request).scheduler.waiting_count()
    return JSONResponse({"msg": protocol.MSG_ESTIMATION, "event_id": None, "rank": None,
                         "queue_size": waiting, "rank_eta": None})


async def cancel(request: Request) -> Response:
    runtime = runtime_of(request)
    body = require_object(await read_json(request, 64 * 1024))
    missing = [k for k in ("fn_index", "session_hash", "event_id") if k not in body]
    if missing:
        raise InvalidRequest([{"type": "missing", "loc": ["body", k], "msg": "Field required"}
                              for k in missing], 422)
    if isinstance(body["event_id"], str):
        runtime.cancel(body["event_id"])
    return JSONResponse({"success": True})


async def reset(request: Request) -> Response:
    return JSONResponse({"success": True})


def _call_data(runtime: AppRuntime, request: Request, body: dict[str, Any],
               named: bool) -> tuple[Any, str]:
    dep = runtime.blocks.dependency(api_name=request.path_params["api_name"])
    allowed(request, runtime, dep)
    if named:
        return _named_to_positional(runtime, dep, body), dep.api_name
    if "data" not in body:
        raise InvalidRequest(
            [{"type": "missing", "loc": ["body", "data"], "msg": "Field required"}], 422)
    return body["data"], dep.api_name


def _named_to_positional(runtime: AppRuntime, dep: Any, body: dict[str, Any]) -> list[Any]:
    params = runtime.api_info(True)["named_endpoints"].get("/" + dep.api_name, {}).get(
        "parameters", [])
    known = {p["parameter_name"] for p in params}
    unknown = sorted(set(body) - known - {"session_hash", "oauth_token"})
    if unknown:
        raise InvalidRequest(f"/{dep.api_name} has no parameter(s): {', '.join(unknown)}.", 422)
    data = []
    for param in params:
        name = param["parameter_name"]
        if name in body:
            data.append(body[name])
        elif param["parameter_has_default"]:
            data.append(param["parameter_default"])
        else:
            raise InvalidRequest(f"/{dep.api_name} needs the parameter '{name}'.", 422)
    return data


async def call(request: Request) -> Response:
    return await _call(request, named=False)


async def call_v2(request: Request) -> Response:
    return await _call(request, named=True)


async def _call(request: Request, *, named: bool) -> Response:
    runtime = runtime_of(request)
    body = require_object(await read_json(request, runtime.settings.max_json_bytes))
    data, api_name = _call_data(runtime, request, body, named)
    dep = runtime.blocks.dependency(api_name=api_name)
    session_hash = body.get("session_hash")
    if not isinstance(session_hash, str) or not session_hash:
        session_hash = runtime.call_session()  # the server's own, for this call alone
    else:
        admit(request, session_hash)
    context = event_context(request, runtime.block, session_hash)
    refused = await _validated(runtime, dep, data, session_hash, request, context)
    if refused is not None:
        return refused
    try:
        event_id = runtime.join(dep, data, session_hash, root_url(request), simple=True,
                                context=context)
    except QueueFull as exc:
        return json_error(503, str(exc))
    return JSONResponse({"event_id": event_id})


async def call_stream(request: Request) -> Response:
    """A plain-HTTP call's result stream. It may be read again (after a dropped connection,
    from `Last-Event-ID`, else from the start) while the result is kept (result_ttl); every
    frame carries its `id:`."""
    runtime = runtime_of(request)
    key = f"call:{request.path_params['event_id']}"
    channel = runtime.bus.get(key)
    interval = runtime.settings.heartbeat_interval
    try:
        cursor = reattach.cursor_of(request)
        if cursor is not None:
            if channel is None:
                raise reattach.Refused(404, "No such event: unknown, or its result is no "
                                            "longer kept (result_ttl).")
            reattach.check_cursor(channel, cursor)
    except reattach.Refused as refused:
        return refused.response()

    async def frames() -> AsyncIterator[bytes]:
        if channel is None:
            yield protocol.sse_event("error", "404: Not Found")
            return
        position = cursor or 0
        channel.reader_joined()
        try:
            while True:
                try:
                    batch = await channel.read(position, interval)
                except CursorGone:
                    yield protocol.sse_event("error", "410: " + reattach.GONE)
                    return
                if batch is None:
                    yield protocol.sse_event("heartbeat", None)
                    continue
                for entry in batch:
                    position = entry.id
                    frame = _call_frame(entry.message)
                    if frame is not None:
                        yield b"id: %d\n" % entry.id + frame
                    if entry.message["msg"] == protocol.MSG_COMPLETED:
                        return
        finally:
            channel.reader_left(closed=False)
            if channel.readers == 0 and channel.pending:
                runtime.reader_gone(channel)

    return event_stream(frames())


def _call_frame(message: dict[str, Any]) -> bytes | None:
    """A queue message as the plain-HTTP stream says it (None: a kind it leaves out)."""
    kind = message["msg"]
    if kind == protocol.MSG_GENERATING:
        return protocol.sse_event("generating", message["output"]["data"])
    if kind == protocol.MSG_COMPLETED:
        output = message["output"]
        if "error" in output:
            return protocol.sse_event("error", output)
        return protocol.sse_event("complete", output.get("data"))
    return None


async def run(request: Request) -> Response:
    """A direct call that skips the queue: the result (or a generator's first yield)."""
    runtime = runtime_of(request)
    body = require_object(await read_json(request, runtime.settings.max_json_bytes))
    fn_index = body.get("fn_index")
    if fn_index is not None:
        dep = runtime.dependency(fn_index)
    else:
        dep = runtime.blocks.dependency(api_name=request.path_params["api_name"])
    allowed(request, runtime, dep)
    if "data" not in body:
        raise InvalidRequest(
            [{"type": "missing", "loc": ["body", "data"], "msg": "Field required"}], 422)
    if dep.fn is None:
        raise InvalidRequest(f"/{dep.api_name} has no Python function to run.", 400)
    session_hash = body.get("session_hash")
    if not isinstance(session_hash, str) or not session_hash:
        session_hash = runtime.call_session()
    else:
        admit(request, session_hash)
    messages: list[dict[str, Any]] = []
    await runtime.execute(dep, body["data"], session_hash, root_url(request), messages.append,
                          uuid.uuid4().hex, diffs=False, first_only=True,
                          context=event_context(request, runtime.block, session_hash))
    final = messages[-1]
    output = final["output"]
    if "error" in output:
        return JSONResponse(output, status_code=500)
    if dep.is_generator and len(messages) > 1:
        output = messages[0]["output"]
    return JSONResponse(output)


async def deep_link(request: Request) -> Response:
    """A DeepLinkButton's link (server/deep_links.py): GET with `session_hash` (Gradio's
    form: the values the server sent the session), or POST `{session_hash, values}` where
    `values` maps component ids to the page's current values. Answers the id as a JSON
    string; the page opens `?deep_link=<id>`."""
    runtime = runtime_of(request)
    posted: dict[int, Any] = {}
    if request.method == "POST":
        body = require_object(await read_json(request, runtime.settings.max_json_bytes))
        session_hash = body.get("session_hash")
        values = body.get("values", {})
        if not isinstance(values, dict):
            return json_error(422, "values must map component ids to values.")
        for key, value in values.items():
            if isinstance(key, str) and key.isdigit():
                posted[int(key)] = value
    else:
        session_hash = request.query_params.get("session_hash")
    if not isinstance(session_hash, str) or not session_hash:
        raise InvalidRequest(
            [{"type": "missing", "loc": ["query", "session_hash"], "msg": "Field required"}], 422)
    # Only the session's own client may snapshot it: a link never lifts another's outputs.
    admit(request, session_hash)
    components = runtime.config(root_url(request))["components"]
    link = runtime.deep_links.create(session_hash, posted, inputs=runtime.linked_inputs,
                                     linkable=linkable_ids(components))
    return JSONResponse(link)
