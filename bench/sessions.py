"""A thousand sessions streaming at once: is any message lost, or delivered to the wrong one?

    python bench/sessions.py [--sessions 1000] [--tokens 20] [--rounds 2]
                             [--framework porch gradio] [--json OUT]

Server: `load_apps.py <framework> mixed`, fn 3 `atokens(tag, n)`, an async generator that
waits 50 ms before each of its n yields of `"<tag>:<i>"`, unlimited concurrency, so all the
sessions' streams are open together (the peak is reported). Each session passes its own
session hash as the tag.

Client: this process, the raw-socket HTTP/1.1 client of tests/load/wire.py (the bounded
test of the same thing is tests/load/test_load.py), so a thousand sessions cost it little.
Each session joins, then reads its `queue/data` stream to `close_stream`; every session does
`--rounds` calls in a row. For every message it checks:

* the event id is its own event's (or none, for `close_stream` and heartbeats);
* each generated value is `<its own tag>:<i>`, i = 0, 1, ... n-1 in order, then one
  `process_completed` with the last value.

With `--repeat` (3 for porch by default) the whole run is made again on the same server, so
RSS that keeps growing from run to run (a leak) is told apart from a high-water mark.

Lost = generated values expected but not received; misrouted = messages carrying another
session's tag or event id. Figures per framework: wall time, messages/s, time from join to
first token (p50/p99), the peak of streams open at once, server RSS before/after/peak.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import loadkit
from procs import ProcessGroup, Server, sigterm_as_interrupt
from run import machine_state

sys.path.insert(0, str(loadkit.BENCH.parent))
from tests.load.wire import Session, open_stream  # noqa: E402  (the repo root, just above)

HOST = "127.0.0.1"
FN_ATOKENS = 3


@dataclass
class Check:
    expected: int = 0
    received: int = 0
    lost: int = 0
    misrouted: int = 0
    out_of_order: int = 0
    failed_calls: int = 0
    first_token_s: list[float] = field(default_factory=list)
    open_now: int = 0
    open_peak: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < 10:
            self.problems.append(text[:300])


def value_of(message: dict[str, Any]) -> Any:
    data = (message.get("output") or {}).get("data") or [None]
    value = data[0]
    if isinstance(value, list) and value and isinstance(value[0], list):
        op, path, new = value[0]  # a Gradio-style diff: [["replace", [], new]]
        return new if (op, path) == ("replace", []) else value
    return value


async def one_call(session: Session, port: int, n: int, check: Check) -> None:
    tag = session.hash
    started = time.perf_counter()
    event_id = await session.join(FN_ATOKENS, [tag, n])
    stream = await open_stream(HOST, port, session.hash)
    check.expected += n
    got: list[Any] = []
    completed = 0
    opened = False
    try:
        async for message in stream.messages():
            kind = message.get("msg")
            if kind == "close_stream":
                break
            if message.get("event_id") not in (event_id, None):
                check.misrouted += 1
                check.problem(f"{tag}: a message of event {message.get('event_id')}: {kind}")
                continue
            if kind == "process_generating":
                if not opened:
                    opened = True
                    check.first_token_s.append(time.perf_counter() - started)
                    check.open_now += 1
                    check.open_peak = max(check.open_peak, check.open_now)
                got.append(value_of(message))
            elif kind == "process_completed":
                completed += 1
                if not message.get("success", True):
                    check.failed_calls += 1
                    check.problem(f"{tag}: failed: {message}")
                elif value_of(message) != f"{tag}:{n - 1}":
                    check.problem(f"{tag}: completed with {value_of(message)!r}")
                    check.misrouted += 1
    finally:
        stream.close()
        if opened:
            check.open_now -= 1
    mine = [v for v in got if isinstance(v, str) and v.startswith(tag + ":")]
    check.misrouted += len(got) - len(mine)
    if len(got) != len(mine):
        check.problem(f"{tag}: received {[v for v in got if v not in mine][:3]}")
    check.received += len(mine)
    check.lost += max(0, n - len(mine))
    if mine != [f"{tag}:{i}" for i in range(len(mine))]:
        check.out_of_order += 1
        check.problem(f"{tag}: values out of order: {mine[:5]}")
    if completed != 1:
        check.failed_calls += 1
        check.problem(f"{tag}: {completed} process_completed")


async def run_sessions(port: int, sessions: int, tokens: int, rounds: int, check: Check) -> None:
    clients = [Session(HOST, port) for _ in range(sessions)]

    async def session_loop(session: Session) -> None:
        for _ in range(rounds):
            try:
                await one_call(session, port, tokens, check)
            except Exception as exc:  # counted and shown: a broken call is a finding
                check.failed_calls += 1
                check.lost += tokens
                check.problem(f"{session.hash}: {type(exc).__name__}: {exc}")

    await asyncio.wait_for(asyncio.gather(*(session_loop(s) for s in clients)),
                           timeout=120 + sessions * rounds * tokens * 0.01)


def measure(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    check = Check()
    rss_before = server.rss_mib()
    started = time.perf_counter()
    port = int(server.url.rsplit(":", 1)[1])
    asyncio.run(run_sessions(port, args.sessions, args.tokens, args.rounds, check))
    wall = time.perf_counter() - started
    firsts = sorted(check.first_token_s) or [float("nan")]
    return {
        "sessions": args.sessions, "calls": args.sessions * args.rounds,
        "expected": check.expected, "received": check.received, "lost": check.lost,
        "misrouted": check.misrouted, "out_of_order": check.out_of_order,
        "failed_calls": check.failed_calls, "wall_s": round(wall, 1),
        "messages_per_s": round(check.received / wall),
        "first_token_p50_ms": round(1000 * firsts[len(firsts) // 2]),
        "first_token_p99_ms": round(1000 * firsts[min(len(firsts) - 1,
                                                      int(len(firsts) * 0.99))]),
        "open_peak": check.open_peak,
        "rss_before_mib": round(rss_before, 1), "rss_after_mib": round(server.rss_mib(), 1),
        "rss_peak_mib": round(server.peak_rss_mib(), 1), "problems": check.problems,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--tokens", type=int, default=20, help="yields per call")
    parser.add_argument("--rounds", type=int, default=2, help="calls per session, in a row")
    parser.add_argument("--framework", nargs="+", choices=["porch", "gradio"],
                        default=["porch", "gradio"])
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs on the same porch server, in a row (RSS drift shows)")
    parser.add_argument("--gradio-repeat", type=int, default=1,
                        help="the same for Gradio (one run takes minutes)")
    parser.add_argument("--gradio-python", help="python of a venv with gradio==6.31.0")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if min(args.sessions, args.tokens, args.rounds, args.repeat, args.gradio_repeat) < 1:
        parser.error("counts must be positive")
    pythons = {"porch": sys.executable}
    if "gradio" in args.framework:
        gradio = loadkit.find_gradio_python(args.gradio_python)
        if gradio:
            pythons["gradio"] = gradio
        else:
            print("gradio: not found (skipped)")
    print(f"sessions: {args.sessions} sessions x {args.rounds} calls x {args.tokens} tokens; "
          f"{machine_state()}", flush=True)
    results: dict[str, dict[str, Any]] = {}
    # One address opens sessions x repeat new sessions in a few seconds: raise porch's
    # per-client bound for this run (the bound itself is tested in tests/security).
    os.environ["BENCH_SESSION_BURST"] = str(args.sessions * (args.repeat + 1))
    with sigterm_as_interrupt(), ProcessGroup() as group:
        for name in args.framework:
            if name not in pythons:
                continue
            server = loadkit.start(group, name, "load_apps.py", ["mixed"], python=pythons[name])
            repeat = args.repeat if name == "porch" else args.gradio_repeat
            for run in range(1, repeat + 1):
                label = f"{name} #{run}"
                results[label] = measure(server, args)
                print(json.dumps({"target": label, **results[label]}), file=sys.stderr,
                      flush=True)
            group.stop(server.proc)
    print(f"after: {machine_state()}")
    keys = ["calls", "expected", "received", "lost", "misrouted", "out_of_order",
            "failed_calls", "wall_s", "messages_per_s", "first_token_p50_ms",
            "first_token_p99_ms", "open_peak", "rss_before_mib", "rss_after_mib",
            "rss_peak_mib"]
    print(loadkit.table(["", *results], [[k, *(r[k] for r in results.values())] for k in keys]))
    for name, result in results.items():
        for problem in result["problems"]:
            print(f"{name}: {problem}")
    if args.json:
        args.json.write_text(json.dumps(results))
    bad = any(r["lost"] or r["misrouted"] or r["out_of_order"] or r["failed_calls"]
              for r in results.values())
    return 1 if bad else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("interrupted; every server was stopped", file=sys.stderr)
        sys.exit(130)
