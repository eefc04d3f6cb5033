"""Soak: uploads, streamed generators and State-holding sessions for N minutes; does the
server's memory settle?

    python bench/soak.py --minutes 30 [--framework porch|gradio] [--json OUT]

One server (`load_apps.py <framework> mixed`, cache in a fresh temp dir that is removed at
the end), one client process (this one, asyncio + httpx, traffic only to 127.0.0.1):

* uploaders: upload a small random file (1-32 KiB) then call `size` on it; the answer must
  be the file's name and length;
* streamers: call the generator `tokens(tag, n)` (n from 5 to 30) on a session of their own;
  every message must carry their own tag, in order, n of them;
* State sessions: a pool of sessions that come and go. Each opens a heartbeat (as a page
  does), makes 5-40 `remember` calls whose answer (count and bytes held in its State) must
  match what it sent, then closes its heartbeat and leaves; a new one takes its place.

Every loop is bounded by the deadline and by a call cap. The server's RSS, the calls of each
kind, the errors and the cache dir's file count are sampled every minute and printed as
they come; at the end a table and first-vs-last-10-minutes summary.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import loadkit
from loadkit import CallError, output_of
from procs import ProcessGroup, Server, sigterm_as_interrupt
from run import machine_state

MAX_CALLS_PER_LOOP = 1_000_000  # a loop's cap besides the deadline


@dataclass
class Tally:
    calls: dict[str, int] = field(default_factory=lambda: {"upload": 0, "stream": 0,
                                                            "state": 0, "sessions": 0})
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)

    def error(self, kind: str, exc: BaseException) -> None:
        self.errors += 1
        if len(self.first_errors) < 10:
            self.first_errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:300])


@dataclass
class Mix:
    uploaders: int
    streamers: int
    state_sessions: int
    pause_s: float


async def uploader(client: httpx.AsyncClient, tally: Tally, deadline: float, mix: Mix,
                   rng: random.Random) -> None:
    session = loadkit.new_session()
    for i in range(MAX_CALLS_PER_LOOP):
        if time.monotonic() >= deadline:
            return
        content = rng.randbytes(rng.randint(1024, 32 * 1024))
        name = f"f{i}.bin"
        try:
            ref = await loadkit.upload(client, name, content)
            messages = await loadkit.queue_call(client, session, 0, [loadkit.file_data(ref)])
            got = output_of(messages[-2])
            if got != [f"{name}:{len(content)}"]:
                raise CallError(f"size answered {got!r}")
            tally.calls["upload"] += 1
        except (CallError, httpx.HTTPError, ValueError) as exc:
            tally.error("upload", exc)
        await asyncio.sleep(mix.pause_s * rng.uniform(0.5, 1.5))


def check_stream(messages: list[dict[str, Any]], tag: str, n: int) -> None:
    """Every generated value is `<tag>:<i>`, i = 0..n-1 in order (Gradio-style diffs)."""
    values = []
    for message in messages:
        if message.get("msg") not in ("process_generating", "process_completed"):
            continue
        data = output_of(message)
        value = data[0] if data else None
        if isinstance(value, list):  # a diff: [["replace", [], new]]
            ops = value
            value = ops[0][2] if ops and ops[0][0] == "replace" and ops[0][1] == [] else ops
        values.append(value)
    expected = [f"{tag}:{i}" for i in range(n)]
    # process_completed repeats the last value.
    if values[:-1] != expected or values[-1] != expected[-1]:
        raise CallError(f"stream of {tag} carried {values[:3]}...{values[-2:]} ({len(values)})")


async def streamer(client: httpx.AsyncClient, tally: Tally, deadline: float, mix: Mix,
                   rng: random.Random) -> None:
    session = loadkit.new_session()
    for _ in range(MAX_CALLS_PER_LOOP):
        if time.monotonic() >= deadline:
            return
        n = rng.randint(5, 30)
        try:
            check_stream(await loadkit.queue_call(client, session, 1, [session, n]), session, n)
            tally.calls["stream"] += 1
        except (CallError, httpx.HTTPError, ValueError) as exc:
            tally.error("stream", exc)
        await asyncio.sleep(mix.pause_s * rng.uniform(0.5, 1.5))


async def hold_heartbeat(client: httpx.AsyncClient, session: str, ready: asyncio.Event) -> None:
    """The page's keep-alive stream, held until cancelled (the page leaving)."""
    async with client.stream("GET", f"{loadkit.P}/heartbeat/{session}") as response:
        ready.set()
        async for _ in response.aiter_bytes():
            pass


async def state_session(client: httpx.AsyncClient, tally: Tally, deadline: float, mix: Mix,
                        rng: random.Random) -> None:
    session = loadkit.new_session()
    ready = asyncio.Event()
    heartbeat = asyncio.ensure_future(hold_heartbeat(client, session, ready))
    try:
        await asyncio.wait_for(ready.wait(), 30)
        held = 0
        for count in range(1, rng.randint(5, 40) + 1):
            if time.monotonic() >= deadline:
                return
            text = "".join(rng.choices("abcdefgh", k=64))
            held += len(text)
            messages = await loadkit.queue_call(client, session, 2, [text, None])
            got = output_of(messages[-2])[:1]
            if got != [f"{count}:{held}"]:
                raise CallError(f"State of {session} answered {got!r}, expected {count}:{held}")
            tally.calls["state"] += 1
            await asyncio.sleep(mix.pause_s * rng.uniform(0.5, 1.5))
        tally.calls["sessions"] += 1
    except (CallError, httpx.HTTPError, ValueError, asyncio.TimeoutError) as exc:
        tally.error("state", exc)
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await heartbeat


async def state_pool(client: httpx.AsyncClient, tally: Tally, deadline: float, mix: Mix,
                     rng: random.Random) -> None:
    """One slot of the pool: sessions one after another, each a new visitor."""
    for _ in range(MAX_CALLS_PER_LOOP):
        if time.monotonic() >= deadline:
            return
        await state_session(client, tally, deadline, mix, rng)


async def sampler(server: Server, cache: Path, tally: Tally, started: float, minutes: int,
                  samples: list[dict[str, Any]]) -> None:
    def sample(minute: int) -> None:
        files, size = loadkit.tree_stats(cache)
        row = {"minute": minute, "rss_mib": round(server.rss_mib(), 1), **tally.calls,
               "errors": tally.errors, "cache_files": files,
               "cache_mib": round(size / 2**20, 1), "load": loadkit.loadavg()}
        samples.append(row)
        print(json.dumps(row), flush=True)

    sample(0)
    for minute in range(1, minutes + 1):
        await asyncio.sleep(max(0.0, started + 60 * minute - time.monotonic()))
        sample(minute)


async def soak(server: Server, cache: Path, minutes: int, mix: Mix, seed: int,
               ) -> tuple[list[dict[str, Any]], Tally]:
    tally = Tally()
    samples: list[dict[str, Any]] = []
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=4 * (mix.uploaders + mix.streamers
                                               + mix.state_sessions) + 8)
    async with httpx.AsyncClient(base_url=server.url, timeout=loadkit.TIMEOUT,
                                 limits=limits) as client:
        started = time.monotonic()
        deadline = started + 60 * minutes
        loops = ([uploader(client, tally, deadline, mix, random.Random(rng.random()))
                  for _ in range(mix.uploaders)]
                 + [streamer(client, tally, deadline, mix, random.Random(rng.random()))
                    for _ in range(mix.streamers)]
                 + [state_pool(client, tally, deadline, mix, random.Random(rng.random()))
                    for _ in range(mix.state_sessions)])
        await asyncio.wait_for(
            asyncio.gather(sampler(server, cache, tally, started, minutes, samples), *loops),
            timeout=60 * minutes + 120)
    return samples, tally


def summary(samples: list[dict[str, Any]]) -> list[str]:
    """Deltas per minute, and RSS of the first vs the last 10 minutes."""
    rows, previous = [], samples[0]
    for row in samples[1:]:
        rows.append([row["minute"], row["rss_mib"],
                     *(row[k] - previous[k] for k in ("upload", "stream", "state", "sessions",
                                                      "errors")),
                     row["cache_files"], row["cache_mib"], row["load"]])
        previous = row
    lines = [loadkit.table(["min", "RSS MiB", "uploads", "streams", "state calls",
                            "sessions done", "errors", "cache files", "cache MiB", "load avg"],
                           rows)]
    rss = [r["rss_mib"] for r in samples[1:]]
    window = min(10, len(rss) // 2) or 1
    first, last = rss[:window], rss[-window:]
    lines.append(
        f"RSS at start (after launch, before load) {samples[0]['rss_mib']} MiB; "
        f"first {window} min: min {min(first)} / mean {sum(first) / len(first):.1f} / max "
        f"{max(first)} MiB; last {window} min: min {min(last)} / mean "
        f"{sum(last) / len(last):.1f} / max {max(last)} MiB; growth over the last {window} "
        f"min {last[-1] - last[0]:+.1f} MiB")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--framework", choices=["porch", "gradio"], default="porch")
    parser.add_argument("--gradio-python", help="python of a venv with gradio==6.31.0")
    parser.add_argument("--uploaders", type=int, default=1)
    parser.add_argument("--streamers", type=int, default=3)
    parser.add_argument("--state-sessions", type=int, default=20,
                        help="State-holding sessions alive at once")
    parser.add_argument("--pause", type=float, default=0.5,
                        help="mean seconds each loop waits between its calls")
    parser.add_argument("--delete-cache", metavar="FREQ,AGE",
                        help="build the app with Blocks(delete_cache=(FREQ, AGE)) seconds")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the samples here")
    args = parser.parse_args(argv)
    if args.minutes < 1:
        parser.error("--minutes must be at least 1")
    python = sys.executable
    if args.framework == "gradio":
        python = loadkit.find_gradio_python(args.gradio_python) or \
            sys.exit("gradio not found: pass --gradio-python")
    mix = Mix(args.uploaders, args.streamers, args.state_sessions, args.pause)
    cache = Path(tempfile.mkdtemp(prefix="porch-soak-cache-"))
    print(f"soak: {args.framework} {loadkit.version_of(python, args.framework)}, "
          f"{args.minutes} min, {mix}, delete_cache={args.delete_cache}; "
          f"{os.cpu_count()} CPUs; {machine_state()}", flush=True)
    try:
        with sigterm_as_interrupt(), ProcessGroup() as group:
            env = {"PORCH_TEMP_DIR": str(cache), "GRADIO_TEMP_DIR": str(cache)}
            if args.delete_cache:
                env["BENCH_DELETE_CACHE"] = args.delete_cache
            server = loadkit.start(group, args.framework, "load_apps.py", ["mixed"],
                                   python=python, env=env)
            samples, tally = asyncio.run(soak(server, cache, args.minutes, mix, args.seed))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print()
    print("\n".join(summary(samples)))
    print(f"errors: {tally.errors}" + "".join(f"\n  {e}" for e in tally.first_errors))
    print(f"after: {machine_state()}")
    if args.json:
        args.json.write_text(json.dumps({"samples": samples, "errors": tally.first_errors}))
    return 1 if tally.errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("interrupted; the server was stopped", file=sys.stderr)
        sys.exit(130)
