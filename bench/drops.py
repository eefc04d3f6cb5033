"""200 clients on a concurrency limit, half of them dropping mid-job: is every slot freed,
are later calls unaffected, and how long does the server take to recover?

    python bench/drops.py [--clients 200] [--limit 8] [--nap 0.3] [--after 40]
                          [--framework porch gradio] [--json OUT]

Server: `load_apps.py <framework> slow`: `nap(x)`, an `async def` that sleeps `--nap` s,
`concurrency_limit=--limit`. Client: this process, the raw-socket client of
tests/load/wire.py (its bounded test twin is tests/load/test_load.py
::test_clients_that_drop_free_their_slots). Seen from outside only (`/queue/status`), so
porch and Gradio are measured alike.

1. before: `--after` fresh clients at once; all must complete; their wall time.
2. the storm: `--clients` clients at once; the even ones stay to their result (checked),
   a quarter drop their stream as soon as their job waits in the queue (`estimation`),
   a quarter as soon as it starts running (`process_starts`).
3. recovery, timed from the moment the last storm client finished or dropped:
   * queue empty: `GET /queue/status` first answers `queue_size` 0;
   * first fresh call served: a new client's call completes;
   * after: `--after` fresh clients at once again; all must complete, and their wall time
     should match "before" (a leaked slot would make it longer: fewer workers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import loadkit
from procs import ProcessGroup, Server, sigterm_as_interrupt
from run import machine_state

sys.path.insert(0, str(loadkit.BENCH.parent))
from tests.load.wire import Session, completed, open_stream  # noqa: E402

HOST = "127.0.0.1"
POLL_S = 0.01
RECOVERY_TIMEOUT_S = 60.0


async def stay(port: int) -> None:
    session = Session(HOST, port)
    event_id, messages = await session.call(0, [session.hash])
    if completed(messages, event_id)["output"]["data"] != [session.hash]:
        raise AssertionError(f"wrong result for {session.hash}")


async def drop(port: int, when: str) -> bool:
    """Join, then leave at `when`; True if the job really was dropped before completing."""
    session = Session(HOST, port)
    event_id = await session.join(0, [session.hash])
    stream = await open_stream(HOST, port, session.hash)
    try:
        async for message in stream.messages():
            if message.get("event_id") == event_id and message["msg"] == when:
                return True
            if message["msg"] in ("process_completed", "close_stream"):
                return False
    finally:
        stream.close()
    return False


async def batch(port: int, count: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(stay(port) for _ in range(count)))
    return time.perf_counter() - started


async def queue_size(client: httpx.AsyncClient) -> int:
    response = await client.get(f"{loadkit.P}/queue/status")
    size: int = response.json()["queue_size"]
    return size


async def scenario(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    port = int(server.url.rsplit(":", 1)[1])
    before = await batch(port, args.after)
    work: list[Any] = []
    for i in range(args.clients):
        if i % 2 == 0:
            work.append(stay(port))
        else:
            work.append(drop(port, "estimation" if i % 4 == 1 else "process_starts"))
    storm_started = time.perf_counter()
    results = await asyncio.gather(*work, return_exceptions=True)
    storm_end = time.perf_counter()
    stayed_errors = [r for r in results[0::2] if isinstance(r, BaseException)]
    dropped = sum(1 for r in results[1::2] if r is True)
    drop_errors = [r for r in results[1::2] if isinstance(r, BaseException)]
    async with httpx.AsyncClient(base_url=server.url, timeout=loadkit.TIMEOUT) as client:
        deadline = storm_end + RECOVERY_TIMEOUT_S
        while (size := await queue_size(client)) != 0:
            if time.perf_counter() > deadline:
                break
            await asyncio.sleep(POLL_S)
        queue_empty = time.perf_counter() - storm_end
    await stay(port)
    first_call = time.perf_counter() - storm_end
    after = await batch(port, args.after)
    async with httpx.AsyncClient(base_url=server.url, timeout=loadkit.TIMEOUT) as client:
        final_size = await queue_size(client)
    waves = -(-args.after // args.limit)
    return {
        "clients": args.clients, "stayed_ok": args.clients // 2 - len(stayed_errors),
        "stayed_failed": len(stayed_errors), "dropped": dropped,
        "drop_errors": len(drop_errors), "storm_s": round(storm_end - storm_started, 2),
        # The storm's floor: the stayers alone, `limit` at a time, the drops costing nothing.
        "storm_ideal_s": round(-(-(args.clients // 2) // args.limit) * args.nap, 2),
        "queue_empty_after_s": round(queue_empty, 3) if size == 0 else "NEVER",
        "first_fresh_call_after_s": round(first_call, 3),
        "before_batch_s": round(before, 2), "after_batch_s": round(after, 2),
        "ideal_batch_s": round(waves * args.nap, 2), "queue_size_at_end": final_size,
        "rss_after_mib": round(server.rss_mib(), 1),
        "errors": [f"{type(e).__name__}: {e}"[:200] for e in (stayed_errors + drop_errors)[:5]],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--limit", type=int, default=8, help="the endpoint's concurrency_limit")
    parser.add_argument("--nap", type=float, default=0.3, help="seconds each job runs")
    parser.add_argument("--after", type=int, default=40, help="fresh clients before and after")
    parser.add_argument("--framework", nargs="+", choices=["porch", "gradio"],
                        default=["porch", "gradio"])
    parser.add_argument("--gradio-python", help="python of a venv with gradio==6.31.0")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if min(args.clients, args.limit, args.after) < 1 or args.nap <= 0:
        parser.error("counts and --nap must be positive")
    pythons = {"porch": sys.executable}
    if "gradio" in args.framework:
        gradio = loadkit.find_gradio_python(args.gradio_python)
        if gradio:
            pythons["gradio"] = gradio
        else:
            print("gradio: not found (skipped)")
    print(f"drops: {args.clients} clients (half drop), limit {args.limit}, jobs of "
          f"{args.nap} s; {machine_state()}", flush=True)
    env = {"BENCH_LIMIT": str(args.limit), "BENCH_NAP_S": str(args.nap)}
    results: dict[str, dict[str, Any]] = {}
    with sigterm_as_interrupt(), ProcessGroup() as group:
        for name in args.framework:
            if name not in pythons:
                continue
            server = loadkit.start(group, name, "load_apps.py", ["slow"], python=pythons[name],
                                   env=env)
            results[name] = asyncio.run(asyncio.wait_for(scenario(server, args), 300))
            group.stop(server.proc)
            print(json.dumps({"target": name, **results[name]}), file=sys.stderr, flush=True)
    print(f"after: {machine_state()}")
    keys = [k for k in next(iter(results.values())) if k != "errors"]
    print(loadkit.table(["", *results], [[k, *(r[k] for r in results.values())] for k in keys]))
    for name, result in results.items():
        for error in result["errors"]:
            print(f"{name}: {error}")
    if args.json:
        args.json.write_text(json.dumps(results))
    bad = any(r["stayed_failed"] or r["queue_size_at_end"] or r["queue_empty_after_s"] == "NEVER"
              for r in results.values())
    return 1 if bad else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("interrupted; every server was stopped", file=sys.stderr)
        sys.exit(130)
