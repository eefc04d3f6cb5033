"""Durable jobs on the wire: a client that lost its stream comes back with the last message id
it saw and reads every message after it (docs/durable-jobs.md).

A cursor comes in the `Last-Event-ID` header (what a browser's EventSource sends when it
reconnects) or, for clients that cannot set headers, the `last_event_id` query parameter.
Only a reader that gave one gets `id:` lines on `queue/data`: gradio_client 2.7.2 refuses any
frame that is not a lone `data:` line, so the stream it reads stays byte for byte as before.
A reattach is checked before a byte of the stream is written, and a refused one is a JSON 4xx
that changes nothing: the session must be known and the requester's (its client cookie, see
porch/server/clients.py), a named event must belong to it, and the cursor must still be kept.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from porch.queue.channels import CursorAhead, CursorGone, Entry, MessageStream
from porch.server.clients import identity
from porch.server.responses import json_error

CURSOR_HEADER = "last-event-id"
CURSOR_PARAM = "last_event_id"
GONE = ("The messages after this id are no longer kept (result_ttl passed, or the stream "
        "held more than it keeps); start the event again.")


class Refused(Exception):
    """A reattach that cannot be served, with the JSON answer to give."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail

    def response(self) -> Response:
        return json_error(self.status, self.detail)


def cursor_of(request: Request) -> int | None:
    """The cursor the request resumes from (None: a first read, the protocol's own)."""
    raw = request.headers.get(CURSOR_HEADER)
    if raw is None:
        raw = request.query_params.get(CURSOR_PARAM)
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        raise Refused(400, f"Last-Event-ID must be a message id (a whole number), got {raw!r}.")
    return int(raw)


def check_session(request: Request, runtime: Any, session_hash: str,
                  channel: MessageStream | None) -> MessageStream:
    """The session's stream, if the requester may reattach to it (else Refused)."""
    if channel is None:
        raise Refused(404, "No stream for this session: unknown, or its results are no longer "
                           "kept (result_ttl).")
    if runtime.states.peek(session_hash) is None:
        raise Refused(404, "No such session: unknown, or it has ended.")
    check_owner(request, runtime, session_hash)
    return channel


def check_owner(request: Request, runtime: Any, session_hash: str) -> None:
    """Refused (403) if the session is known and another client's. Its owner is the client
    cookie that opened it (None: a client without one, whose sessions are anyone's, as in
    porch/queue/sessions.py)."""
    values = runtime.states.peek(session_hash)
    owner, _ = identity(request, runtime.client_cookie)
    if values is not None and getattr(values, "owner", None) not in (None, owner):
        raise Refused(403, "This session belongs to another client.")


def check_event(channel: MessageStream, event_id: str | None) -> None:
    if event_id is not None and not channel.knows(event_id):
        raise Refused(404, f"No event {event_id!r} in this stream: unknown, another session's, "
                           "or its results are no longer kept (result_ttl).")


def check_cursor(channel: MessageStream, cursor: int) -> None:
    try:
        channel.after(cursor)
    except CursorAhead:
        raise Refused(400, f"Message id {cursor} is past the newest message of this stream "
                           f"({channel.last_id}).") from None
    except CursorGone:
        raise Refused(410, GONE) from None


def framed(entries: list[Entry], with_ids: bool) -> bytes:
    """The `data:` frames of a batch, each after its `id:` line if the reader wants ids
    (close_stream, id 0, is not in the log and has none)."""
    if not with_ids:
        return b"".join(e.frame for e in entries)
    return b"".join(b"id: %d\n" % e.id + e.frame if e.id else e.frame for e in entries)


class OrphanTimers:
    """A running event whose client's stream dropped waits `grace` seconds for a reattach
    before it is cancelled (freeing its queue slot), instead of at once as in Gradio."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self._timers: dict[int, asyncio.TimerHandle] = {}

    def reader_left(self, channel: MessageStream, cancel: Any) -> None:
        """The last reader of `channel` left while events are pending: cancel them (with
        `cancel(channel)`) unless a reader is back within the grace."""
        key = id(channel)
        old = self._timers.pop(key, None)
        if old is not None:
            old.cancel()

        def expire() -> None:
            self._timers.pop(key, None)
            if channel.readers == 0 and channel.pending:
                cancel(channel)

        self._timers[key] = asyncio.get_running_loop().call_later(self.grace, expire)
