"""A small asyncio HTTP/1.1 client for load tests: raw sockets, so a thousand sessions cost
the test process little, and a client can drop its connection at any exact moment.

A session does what gradio_client does (PROTOCOL.md §3): `POST queue/join`, then reads
`GET queue/data` until `close_stream`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

TIMEOUT_S = 60.0


class WireError(Exception):
    """The server answered something a well-behaved server would not."""


async def _open(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT_S)


def _request(method: str, host: str, port: int, path: str, body: bytes = b"") -> bytes:
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    if method == "POST":
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT_S)
    lines = raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers


async def post_json(host: str, port: int, path: str, payload: Any) -> tuple[int, Any]:
    reader, writer = await _open(host, port)
    try:
        writer.write(_request("POST", host, port, path, json.dumps(payload).encode()))
        status, headers = await _head(reader)
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        else:
            body = await asyncio.wait_for(reader.read(), TIMEOUT_S)
        return status, json.loads(body)
    finally:
        writer.close()


@dataclass
class Stream:
    """An open `queue/data` stream; `close()` drops it (as a client that goes away)."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    buffer: bytes = b""

    async def _chunk(self) -> bytes:
        size_line = await asyncio.wait_for(self.reader.readuntil(b"\r\n"), TIMEOUT_S)
        size = int(size_line.split(b";")[0], 16)
        data = await self.reader.readexactly(size + 2)
        return data[:-2]

    async def messages(self) -> AsyncIterator[dict[str, Any]]:
        """The stream's `data:` messages, until the server ends it."""
        while True:
            while b"\n\n" not in self.buffer:
                chunk = await self._chunk()
                if not chunk:
                    return
                self.buffer += chunk
            frame, self.buffer = self.buffer.split(b"\n\n", 1)
            if not frame.startswith(b"data: "):
                raise WireError(f"not a data frame: {frame[:80]!r}")
            yield json.loads(frame[len(b"data: "):])

    def close(self) -> None:
        self.writer.close()


async def open_stream(host: str, port: int, session: str) -> Stream:
    reader, writer = await _open(host, port)
    writer.write(_request("GET", host, port, f"/gradio_api/queue/data?session_hash={session}"))
    status, headers = await _head(reader)
    if status != 200 or headers.get("transfer-encoding") != "chunked":
        writer.close()
        raise WireError(f"queue/data answered {status} {headers}")
    return Stream(reader, writer)


@dataclass
class Session:
    """One client: its own session hash, and every message its stream carried."""

    host: str
    port: int
    hash: str = field(default_factory=lambda: uuid.uuid4().hex)
    received: list[dict[str, Any]] = field(default_factory=list)

    async def join(self, fn_index: int, data: list[Any]) -> str:
        status, body = await post_json(self.host, self.port, "/gradio_api/queue/join",
                                       {"data": data, "fn_index": fn_index,
                                        "session_hash": self.hash})
        if status != 200:
            raise WireError(f"join answered {status}: {body}")
        event_id: str = body["event_id"]
        return event_id

    async def read_until_closed(self, stream: Stream) -> list[dict[str, Any]]:
        got = []
        async for message in stream.messages():
            got.append(message)
            if message["msg"] == "close_stream":
                break
        stream.close()
        self.received += got
        return got

    async def call(self, fn_index: int, data: list[Any]) -> tuple[str, list[dict[str, Any]]]:
        """Join, then read the session's stream to its end: (event id, its messages)."""
        event_id = await self.join(fn_index, data)
        stream = await open_stream(self.host, self.port, self.hash)
        return event_id, await self.read_until_closed(stream)


def completed(messages: list[dict[str, Any]], event_id: str) -> dict[str, Any]:
    done = [m for m in messages if m["msg"] == "process_completed"]
    if len(done) != 1 or done[0]["event_id"] != event_id:
        raise WireError(f"expected one completion of {event_id}, got {done}")
    return done[0]


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB."""
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key = line.split(":")[0]
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(line.split()[1])
    return found
