"""Load generator for bench/streaming.py, run in its own process (never in the server's).

    python bench/stream_client.py first-token URL --calls 30 --tokens 100
    python bench/stream_client.py throughput URL --concurrency 64 --duration 5 --tokens 10

Each prints one JSON object on stdout. One call = `POST /gradio_api/queue/join
{"data":[n],"fn_index":0,"session_hash":S}`, then `GET /gradio_api/queue/data?session_hash=S`
read to `close_stream`, then the stream connection is closed, as gradio_client does
(PROTOCOL.md §3).

The client speaks HTTP/1.1 over raw asyncio sockets with keep-alive (one connection for
joins and one for streams per client), so that its own cost per call stays far below the
servers' and the same for every target: what is measured is the server.

* first-token: one client, calls one after another: the time from sending the join to the
  first `process_generating` (time to first token), and tokens per second over the whole
  call (n tokens / join-to-`process_completed`).
* throughput: N clients, each its own session, looping calls for a fixed time after a
  warm-up; calls that finish inside the window are counted (with many clients one call can
  last longer than the window, so calls are not required to start in it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from stream_app import expected

TIMEOUT_S = 30.0


class CallError(Exception):
    """A call that did not end in the expected streamed result."""


class Connection:
    """One keep-alive HTTP/1.1 connection, reopened when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, method: str, path: str, body: bytes = b"") -> dict[str, str]:
        """Send a request; returns the response headers (the body is left to read)."""
        for attempt in range(2):
            if self.writer is None or self.writer.is_closing():
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None and self.writer is not None
            head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    "Accept-Encoding: identity\r\n")
            if method == "POST":
                head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            self.writer.write(head.encode() + b"\r\n" + body)
            try:
                raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), TIMEOUT_S)
            except (asyncio.IncompleteReadError, ConnectionError):
                self.close()  # the server closed an idle keep-alive connection: once more
                if attempt:
                    raise
                continue
            lines = raw.decode("latin-1").split("\r\n")
            headers = {"status": lines[0].split()[1]}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            return headers
        raise CallError("unreachable")

    async def body(self, headers: dict[str, str]) -> bytes:
        assert self.reader is not None
        if "content-length" in headers:
            return await self.reader.readexactly(int(headers["content-length"]))
        return b"".join([chunk async for chunk in self.chunks()])

    async def chunks(self) -> Any:
        """The chunks of a chunked body, to its terminating empty chunk."""
        assert self.reader is not None
        while True:
            size_line = await asyncio.wait_for(self.reader.readuntil(b"\r\n"), TIMEOUT_S)
            size = int(size_line.split(b";")[0], 16)
            data = await self.reader.readexactly(size + 2)
            if size == 0:
                return
            yield data[:-2]

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Client:
    """One gradio_client-like client: a session, a join connection and a stream one."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        self.joins = Connection(host, port)
        self.streams = Connection(host, port)
        self.session = uuid.uuid4().hex

    async def call(self, n: int) -> tuple[float, float, int]:
        """One streamed call of `tokens(n)`: (seconds to first token, seconds to the
        result, tokens received)."""
        started = time.perf_counter()
        body = json.dumps({"data": [n], "fn_index": 0, "session_hash": self.session}).encode()
        headers = await self.joins.send("POST", "/gradio_api/queue/join", body)
        reply = await self.joins.body(headers)
        if headers["status"] != "200":
            raise CallError(f"join answered {headers['status']}: {reply[:200]!r}")
        event_id = json.loads(reply)["event_id"]
        headers = await self.streams.send(
            "GET", f"/gradio_api/queue/data?session_hash={self.session}")
        if headers["status"] != "200":
            raise CallError(f"queue/data answered {headers['status']}")
        first = done = None
        count = 0
        closed = False
        buffer = b""
        async for chunk in self.streams.chunks():
            buffer += chunk
            while b"\n\n" in buffer:
                frame, buffer = buffer.split(b"\n\n", 1)
                if not frame.startswith(b"data:"):
                    raise CallError(f"not a data frame: {frame[:80]!r}")
                message = json.loads(frame[5:])
                if message.get("event_id") not in (event_id, None):
                    raise CallError(f"another event's message: {message!r}")
                kind = message["msg"]
                if kind == "process_generating":
                    count += 1
                    if first is None:
                        first = time.perf_counter() - started
                elif kind == "process_completed":
                    done = time.perf_counter() - started
                    output = message.get("output") or {}
                    if output.get("data") != [expected(n)]:
                        raise CallError(f"unexpected output: {str(output)[:200]}")
                elif kind == "close_stream":
                    closed = True
                    break
            if closed:
                # Hang up here, as gradio_client does: a server may hold the stream open after
                # close_stream until its client hangs up (porch does, for at most 2 s; see
                # porch/queue/channels.py), so reading on to the end of the body would time
                # the server's grace, not its work. Every target pays this reconnect.
                self.streams.close()
                break
        if first is None or done is None:
            raise CallError("the stream ended without tokens and a result")
        return first, done, count

    def close(self) -> None:
        self.joins.close()
        self.streams.close()


async def first_token(url: str, calls: int, warmup: int, n: int) -> dict[str, Any]:
    client = Client(url)
    try:
        samples = []
        for i in range(warmup + calls):
            first, done, count = await client.call(n)
            if count != n:
                raise CallError(f"{count} tokens streamed, expected {n}")
            if i >= warmup:
                samples.append((first, done))
    finally:
        client.close()
    return {
        "first_token_s": [s[0] for s in samples],
        "call_s": [s[1] for s in samples],
        "first_token_p50_s": statistics.median(s[0] for s in samples),
        "tokens_per_s_p50": statistics.median(n / s[1] for s in samples),
    }


async def throughput(url: str, concurrency: int, duration: float, warmup: float,
                     n: int) -> dict[str, Any]:
    start = time.perf_counter() + warmup
    end = start + duration
    counted = errors = total = 0
    first_error: str | None = None
    cpu_start: float | None = None

    async def worker() -> None:
        nonlocal counted, errors, total, first_error
        client = Client(url)
        try:
            while time.perf_counter() < end:
                try:
                    await client.call(n)
                except (CallError, OSError, asyncio.TimeoutError,
                        asyncio.IncompleteReadError) as exc:
                    errors += 1
                    first_error = first_error or repr(exc)
                    client.close()
                    client = Client(url)
                    continue
                total += 1
                if start <= time.perf_counter() <= end:
                    counted += 1
        finally:
            client.close()

    async def cpu_mark() -> None:
        nonlocal cpu_start
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        cpu_start = time.process_time()

    marker = asyncio.ensure_future(cpu_mark())
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await marker
    client_cpu = (time.process_time() - (cpu_start or 0.0)) / duration
    return {"calls_per_s": counted / duration, "tokens_per_s": counted * n / duration,
            "errors": errors, "total_calls": total, "first_error": first_error,
            "client_cpu_frac": client_cpu}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["first-token", "throughput"])
    parser.add_argument("url")
    parser.add_argument("--tokens", type=int, default=100)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--warmup-calls", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.mode == "first-token":
        result = asyncio.run(first_token(args.url, args.calls, args.warmup_calls, args.tokens))
    else:
        result = asyncio.run(throughput(args.url, args.concurrency, args.duration, args.warmup,
                                        args.tokens))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
