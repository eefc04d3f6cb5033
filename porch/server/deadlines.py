"""Slow clients: a connection may not hold a server slot by sending its request slowly.

A public app meets clients that open connections and never finish a request (slow-loris),
or trickle a body a byte every few seconds. Each holds a socket, a task and, for uploads, a
worker thread, for as long as it likes. Two limits close that off:

- `SlowRequestProtocol` (uvicorn's h11 protocol, one timer added): the request line and
  headers must arrive within `header_timeout` seconds of the connection opening, or of the
  previous response on a kept-alive connection. uvicorn alone waits forever here; its
  `timeout_keep_alive` only runs between requests and stops at the first byte.
- `BodyDeadline` (ASGI middleware): while a request body is incomplete, no wait for the next
  chunk may exceed `body_timeout` seconds, and past its first `body_timeout` seconds the body
  must average `min_body_rate` bytes a second. A slow but honest upload keeps going (a
  1 KiB/s link passes); a trickle is cut off with 408.

Responses are not limited: an SSE stream is output the server writes, not input it waits for.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from porch.errors import InvalidRequest

log = logging.getLogger("porch.server")

REQUEST_TIMEOUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                   b"connection: close\r\ncontent-length: 58\r\n\r\n"
                   b'{"detail": "The request did not arrive within the time."}\n')


class SlowRequest(InvalidRequest):
    """A request body that stalled or trickled: answered 408, with the reason."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, 408)


def slow_request_protocol(header_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a deadline on each request's head (see the module doc)."""

    class SlowRequestProtocol(H11Protocol):
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm_head_deadline()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm_head_deadline()

        def connection_lost(self, exc: Exception | None) -> None:
            timer = getattr(self, "_head_timer", None)
            if timer is not None:
                timer.cancel()
            super().connection_lost(exc)

        def _arm_head_deadline(self) -> None:
            timer = getattr(self, "_head_timer", None)
            if timer is not None:
                timer.cancel()
            self._head_timer = None
            if self.cycle is not None and not self.cycle.response_complete:
                return  # a pipelined request already started: its head is complete
            # The request that is due is the one after `self.cycle`; a new cycle object
            # means its head arrived.
            self._awaited_after = self.cycle
            self._head_timer = self.loop.call_later(header_timeout, self._head_overdue)

        def _head_overdue(self) -> None:
            self._head_timer = None
            if self.cycle is not self._awaited_after or self.transport.is_closing():
                return
            log.info("closed a connection from %s: no complete request head in %.0f s",
                     self.client, header_timeout)
            self.transport.write(REQUEST_TIMEOUT)
            self.transport.close()

    return SlowRequestProtocol


class BodyDeadline:
    """Cut off request bodies that stall or trickle (408); see the module doc."""

    def __init__(self, app: ASGIApp, *, body_timeout: float, min_body_rate: int) -> None:
        self.app = app
        self.body_timeout = body_timeout
        self.min_body_rate = min_body_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        received = 0
        complete = False

        async def timed_receive() -> Message:
            nonlocal received, complete
            if complete:
                return await receive()  # e.g. a response waiting for the disconnect
            now = time.monotonic()
            # What the minimum rate allows for the bytes so far plus one more chunk, never
            # less than one `body_timeout` from the start, never a longer pause than that.
            rate_deadline = started + max(self.body_timeout, received / self.min_body_rate)
            wait = min(self.body_timeout, rate_deadline - now)
            message: Message | None = None
            with anyio.move_on_after(max(wait, 0.0)):
                message = await receive()
            if message is None:
                log.info("cut off a slow request body: %d bytes in %.0f s", received,
                         time.monotonic() - started)
                raise SlowRequest(
                    f"The request body arrived too slowly ({received} bytes in "
                    f"{time.monotonic() - started:.0f} s); send it at least at "
                    f"{self.min_body_rate} bytes/s, without pauses over "
                    f"{self.body_timeout:.0f} s.")
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
            else:
                complete = True
            return message

        await self.app(scope, timed_receive, send)
