"""Endurance: 12,000 calls in a row on porch and on Gradio; do throughput and RSS stay flat?

    python bench/endurance.py [--calls 12000] [--block 1000] [--api call|queue]
                              [--gradio-python PATH] [--json OUT]

Both servers serve the same `bench/echo_app.py` (echo(x) -> x, unlimited concurrency) and
are up at once. The client (this process) is plain httpx, one keep-alive connection per
target, calls strictly one after another:

* `--api call` (default): the plain-HTTP API, `POST /gradio_api/call/echo {"data":[...]}`
  then `GET /gradio_api/call/echo/<event_id>` read to its `complete` event. No session hash
  is sent, so every call is a new session, as with curl or scripts;
* `--api queue`: `queue/join` + `queue/data` on one session, as one gradio_client does.

Blocks of `--block` calls alternate between the targets (porch block 1, gradio block 1,
porch block 2, ...), so load from elsewhere on the machine falls on both alike. For each
block: calls/s, server RSS at its end, server CPU ms per call. Every output is checked.
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
from loadkit import CallError, output_of
from procs import ProcessGroup, Server, sigterm_as_interrupt
from run import machine_state


async def one_block(client: httpx.AsyncClient, api: str, session: str, first: int,
                    count: int) -> int:
    errors = 0
    for i in range(first, first + count):
        token = f"x{i}"
        try:
            if api == "call":
                got = await loadkit.simple_call(client, "echo", [token])
            else:
                got = output_of((await loadkit.queue_call(client, session, 0, [token]))[-2])
            if got != [token]:
                raise CallError(f"echo answered {got!r} for {token!r}")
        except (CallError, httpx.HTTPError, ValueError):
            errors += 1
    return errors


async def endurance(servers: dict[str, Server], calls: int, block: int, api: str,
                    ) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = {name: httpx.AsyncClient(base_url=s.url, timeout=loadkit.TIMEOUT, limits=limits)
               for name, s in servers.items()}
    sessions = {name: loadkit.new_session() for name in servers}
    try:
        for first in range(0, calls, block):
            count = min(block, calls - first)
            for name, server in servers.items():
                cpu0, t0 = server.cpu_seconds(), time.perf_counter()
                errors = await one_block(clients[name], api, sessions[name], first, count)
                wall = time.perf_counter() - t0
                row = {"block": first // block + 1, "calls": count, "errors": errors,
                       "calls_per_s": round(count / wall, 1),
                       "rss_mib": round(server.rss_mib(), 1),
                       "cpu_ms_per_call": round(1000 * (server.cpu_seconds() - cpu0) / count, 2)}
                rows[name].append(row)
                print(json.dumps({"target": name, **row}), file=sys.stderr, flush=True)
    finally:
        for client in clients.values():
            await client.aclose()
    return rows


def render(rows: dict[str, list[dict[str, Any]]], block: int) -> list[str]:
    names = list(rows)
    header = ["calls"]
    for name in names:
        header += [f"{name} calls/s", f"{name} RSS MiB", f"{name} CPU ms/call"]
    body = []
    for i in range(len(rows[names[0]])):
        line: list[Any] = [f"{i * block + 1}-{i * block + rows[names[0]][i]['calls']}"]
        for name in names:
            r = rows[name][i]
            line += [r["calls_per_s"], r["rss_mib"], r["cpu_ms_per_call"]]
        body.append(line)
    out = [loadkit.table(header, body)]
    for name in names:
        first, last = rows[name][0], rows[name][-1]
        errors = sum(r["errors"] for r in rows[name])
        out.append(f"{name}: {first['calls_per_s']} -> {last['calls_per_s']} calls/s, "
                   f"{first['rss_mib']} -> {last['rss_mib']} MiB RSS, CPU "
                   f"{first['cpu_ms_per_call']} -> {last['cpu_ms_per_call']} ms/call, "
                   f"{errors} errors")
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=12_000)
    parser.add_argument("--block", type=int, default=1_000)
    parser.add_argument("--api", choices=["call", "queue"], default="call")
    parser.add_argument("--gradio-python", help="python of a venv with gradio==6.31.0")
    parser.add_argument("--no-gradio", action="store_true", help="measure porch only")
    parser.add_argument("--json", type=Path, help="also write every block's figures here")
    args = parser.parse_args(argv)
    if args.calls < 1 or args.block < 1:
        parser.error("--calls and --block must be positive")
    gradio = None if args.no_gradio else loadkit.find_gradio_python(args.gradio_python)
    print(f"endurance: {args.calls} calls in a row, blocks of {args.block}, api={args.api}; "
          f"porch {loadkit.version_of(sys.executable, 'porch')}, gradio "
          f"{loadkit.version_of(gradio, 'gradio') if gradio else 'not found (skipped)'}",
          flush=True)
    print(f"before: {machine_state()}", flush=True)
    with sigterm_as_interrupt(), ProcessGroup() as group:
        servers = {"porch": loadkit.start(group, "porch", "echo_app.py", [])}
        if gradio:
            servers["gradio"] = loadkit.start(group, "gradio", "echo_app.py", [], python=gradio)
        idle = {name: round(s.rss_mib(), 1) for name, s in servers.items()}
        rows = asyncio.run(endurance(servers, args.calls, args.block, args.api))
    print(f"after: {machine_state()}")
    print(f"server RSS before the first call: {idle}")
    print("\n".join(render(rows, args.block)))
    if args.json:
        args.json.write_text(json.dumps({"idle_rss_mib": idle, "blocks": rows}))
    return 1 if any(r["errors"] for rs in rows.values() for r in rs) else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("interrupted; every server was stopped", file=sys.stderr)
        sys.exit(130)
