"""Load generators for bench/run.py, run in their own process (never in the server's).

    python bench/client.py latency URL --calls 200 --warmup 20
    python bench/client.py throughput URL --concurrency 16 --duration 6 --warmup 1

Each prints one JSON object on stdout.

One call = `POST /gradio_api/queue/join {"data":["x"],"fn_index":0,"session_hash":S}`, then
`GET /gradio_api/queue/data?session_hash=S` read until `close_stream` (PROTOCOL.md §3). Every
client keeps one session hash for all its calls, as one gradio_client `Client` does.

* latency: stdlib http.client, calls strictly one after another, hanging up at close_stream.
  The stdlib client is the cheapest Python client, so the figure is mostly server time and
  the same small client cost is paid against every target.
* throughput: asyncio + httpx, N workers looping calls for a fixed time, each worker with
  its own AsyncClient and keep-alive connection. (One client shared by 64 workers spends its
  CPU in httpcore's connection pool, whose bookkeeping grows with connections x requests:
  encode/httpx#3215; it then measures the pool, not the server.) The process's CPU time is
  reported so a saturated client can be flagged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import ssl
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

JOIN_PATH = "/gradio_api/queue/join"
DATA_PATH = "/gradio_api/queue/data"
PAYLOAD = "x"
# Bounds every wait so a stuck server fails the run instead of hanging it.
TIMEOUT_S = 10.0
# A stream with more lines than this is not the short echo sequence: fail rather than loop.
MAX_LINES = 200


class CallError(Exception):
    """A call that did not end in a successful `process_completed` echoing the input."""


def _check_message(message: dict[str, Any], state: dict[str, bool]) -> bool:
    """Track one stream message; returns True at `close_stream`."""
    kind = message.get("msg")
    if kind == "process_completed":
        output = message.get("output") or {}
        if output.get("data") != [PAYLOAD]:
            raise CallError(f"unexpected output: {output!r}")
        state["completed"] = True
    elif kind in ("unexpected_error",):
        raise CallError(f"stream error: {message!r}")
    return kind == "close_stream"


# ---- latency: sequential calls with stdlib http.client -----------------------------------------
def _sync_call(conn: http.client.HTTPConnection, session: str, body: bytes) -> None:
    conn.request("POST", JOIN_PATH, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    joined = response.read()
    if response.status != 200 or b"event_id" not in joined:
        raise CallError(f"join: {response.status} {joined[:200]!r}")
    conn.request("GET", f"{DATA_PATH}?session_hash={session}")
    response = conn.getresponse()
    if response.status != 200:
        raise CallError(f"data: {response.status} {response.read()[:200]!r}")
    state = {"completed": False}
    for _ in range(MAX_LINES):
        line = response.readline()
        if not line:
            break
        if line.startswith(b"data: ") and _check_message(json.loads(line[6:]), state):
            break
    # Hang up at close_stream, as gradio_client, porch.Client and the page do (porch keeps
    # the stream until the client goes; the next request opens a new connection).
    conn.close()
    if not state["completed"]:
        raise CallError("stream ended without process_completed")


def latency(url: str, calls: int, warmup: int) -> dict[str, Any]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=TIMEOUT_S)
    session = uuid.uuid4().hex
    body = json.dumps({"data": [PAYLOAD], "fn_index": 0, "session_hash": session}).encode()
    try:
        for _ in range(warmup):
            _sync_call(conn, session, body)
        samples: list[float] = []
        for _ in range(calls):
            start = time.perf_counter()
            _sync_call(conn, session, body)
            samples.append(time.perf_counter() - start)
    finally:
        conn.close()
    return {"samples_s": samples}


# ---- throughput: N asyncio workers on one httpx keep-alive pool -------------------------------
@dataclass
class Counts:
    measured_calls: int = 0
    measured_errors: int = 0
    total_calls: int = 0
    first_error: str | None = None


async def _async_call(client: httpx.AsyncClient, session: str, body: dict[str, Any]) -> None:
    joined = await client.post(JOIN_PATH, json=body)
    if joined.status_code != 200:
        raise CallError(f"join: {joined.status_code} {joined.text[:200]!r}")
    state = {"completed": False}
    async with client.stream("GET", DATA_PATH, params={"session_hash": session}) as response:
        if response.status_code != 200:
            raise CallError(f"data: {response.status_code}")
        lines = 0
        # Hang up at close_stream, as real clients do (httpx then closes this connection and
        # the next call opens one).
        async for line in response.aiter_lines():
            lines += 1
            if lines > MAX_LINES:
                raise CallError("stream too long")
            if line.startswith("data: ") and _check_message(json.loads(line[6:]), state):
                break
    if not state["completed"]:
        raise CallError("stream ended without process_completed")


async def _worker(client: httpx.AsyncClient, counts: Counts, measure_from: float,
                  measure_to: float, max_calls: int) -> None:
    session = uuid.uuid4().hex
    body = {"data": [PAYLOAD], "fn_index": 0, "session_hash": session}
    # Bounded twice: by the clock and by a per-worker call cap.
    for _ in range(max_calls):
        now = time.perf_counter()
        if now >= measure_to:
            return
        try:
            await _async_call(client, session, body)
            ok = True
        except (CallError, httpx.HTTPError, ValueError) as exc:
            ok = False
            if counts.first_error is None:
                counts.first_error = f"{type(exc).__name__}: {exc}"
        end = time.perf_counter()
        counts.total_calls += 1
        # A call counts in the window it finished in, if it also started inside it.
        if measure_from <= now and end <= measure_to:
            if ok:
                counts.measured_calls += 1
            else:
                counts.measured_errors += 1


async def _throughput(url: str, concurrency: int, duration: float, warmup: float,
                      max_calls: int) -> dict[str, Any]:
    counts = Counts()
    # One TLS context for all clients: building one per client (httpx's default) costs ~20 ms
    # of CPU each, and these are plain-HTTP URLs anyway.
    tls = ssl.create_default_context()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(
            httpx.AsyncClient(base_url=url, limits=limits, timeout=TIMEOUT_S, verify=tls))
            for _ in range(concurrency)]
        start = time.perf_counter()
        measure_from, measure_to = start + warmup, start + warmup + duration

        # The client's CPU is read at the start of the window, so warm-up is not counted.
        async def mark_cpu() -> float:
            await asyncio.sleep(warmup)
            return time.process_time()

        marker = asyncio.ensure_future(mark_cpu())
        await asyncio.wait_for(
            asyncio.gather(*(_worker(client, counts, measure_from, measure_to, max_calls)
                             for client in clients)),
            timeout=warmup + duration + 2 * TIMEOUT_S,
        )
        cpu_from = await marker
        cpu_used = time.process_time() - cpu_from
        wall = time.perf_counter() - measure_from
    return {**asdict(counts), "window_s": duration, "calls_per_s": counts.measured_calls / duration,
            "client_cpu_frac": cpu_used / wall if wall > 0 else 0.0}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["latency", "throughput"])
    parser.add_argument("url")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="latency: calls before measuring; throughput: seconds")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--max-calls", type=int, default=100_000,
                        help="throughput: cap on calls per worker")
    args = parser.parse_args(argv)
    if args.mode == "latency":
        result = latency(args.url, args.calls, int(args.warmup))
    else:
        result = asyncio.run(_throughput(args.url, args.concurrency, args.duration, args.warmup,
                                         args.max_calls))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
