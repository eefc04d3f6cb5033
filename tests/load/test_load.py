"""Many clients on loopback: nothing lost or misrouted, limits held, dropped clients free
their slots. Bounded in count and time (each test well under a minute on 2 cores); speed is
measured in bench/, never asserted here."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.conftest import free_port
from tests.load import apps
from tests.load.wire import Session, completed, open_stream, rss_kib

pytestmark = pytest.mark.load

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
T = TypeVar("T")


def run_async(main: Callable[[], Coroutine[Any, Any, T]], timeout: float = 90) -> T:
    """Run the clients on a loop of their own, in a thread (Playwright may own this one's)."""
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(main()))
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"the clients did not finish within {timeout} s")
    if errors:
        raise errors[0]
    return result[0]


@pytest.fixture
def echo_server(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """The echo app in its own process (so its memory is its own), stopped after the test."""
    port = free_port()
    env = {**os.environ, "PORCH_TEMP_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.load.apps", "echo", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://{HOST}:{port}/config", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the echo server did not start: {proc.stderr.read()!r}"
                                     if proc.stderr else "the echo server did not start")
            time.sleep(0.05)
        yield port, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()


def test_a_thousand_sessions_each_get_exactly_their_own_results(
        echo_server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, proc = echo_server
    before = rss_kib(proc.pid)
    sessions = [Session(HOST, port) for _ in range(1000)]

    async def client(session: Session) -> None:
        for turn in range(2):  # two calls per session, each on a fresh stream
            token = f"{session.hash}-{turn}"
            event_id, messages = await session.call(0, [token])
            assert completed(messages, event_id)["output"]["data"] == [token]
            assert {m["event_id"] for m in messages} == {event_id, None}
            assert messages[-1]["msg"] == "close_stream"

    async def main() -> None:
        await asyncio.gather(*(client(s) for s in sessions))

    started = time.monotonic()
    run_async(main)
    elapsed = time.monotonic() - started
    after = rss_kib(proc.pid)
    # Every session got its two results and nothing else, whatever the interleaving.
    assert all(len([m for m in s.received if m["msg"] == "process_completed"]) == 2
               for s in sessions)
    print(f"\n1000 sessions x 2 calls in {elapsed:.1f} s; server RSS {before['VmRSS'] / 1024:.1f}"
          f" MiB before, {after['VmRSS'] / 1024:.1f} MiB after, peak "
          f"{after['VmHWM'] / 1024:.1f} MiB")


def launch(demo: Any, **options: Any) -> tuple[Any, int]:
    port = free_port()
    app, _, _ = demo.launch(prevent_thread_lock=True, server_name=HOST, server_port=port,
                            quiet=True, **options)
    return app, port


def test_two_hundred_clients_on_a_limit_of_four(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path))
    meter = apps.Meter()
    demo = apps.sleeper_app(meter, limit=4, seconds=0.05)
    _, port = launch(demo)
    try:
        sessions = [Session(HOST, port) for _ in range(200)]

        async def main() -> list[tuple[str, list[dict[str, Any]]]]:
            return await asyncio.gather(*(s.call(0, [s.hash]) for s in sessions))

        results = run_async(main)
    finally:
        demo.close()
    for session, (event_id, messages) in zip(sessions, results, strict=True):
        assert completed(messages, event_id)["output"]["data"] == [session.hash]
        assert {m["event_id"] for m in messages} == {event_id, None}
        estimations = [m for m in messages if m["msg"] == "estimation"]
        ranks = [m["rank"] for m in estimations]
        assert ranks and ranks == sorted(ranks, reverse=True), ranks
        etas = [m["rank_eta"] for m in estimations if m["rank_eta"] is not None]
        assert etas == sorted(etas, reverse=True), etas
    # Never more than the limit at once, and the limit was reached (4 workers, not fewer).
    assert meter.peak == 4
    waited = [m for _, messages in results for m in messages if m["msg"] == "estimation"]
    assert max(m["rank"] for m in waited) >= 100  # most clients really queued


def test_clients_that_drop_free_their_slots(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path))
    meter = apps.Meter()
    demo = apps.async_sleeper_app(meter, limit=8, seconds=0.3)
    # With durable jobs a dropped stream's events keep running for `reattach_grace` (30 s by
    # default) so the client can reattach (docs/durable-jobs.md); with a grace of 50 ms they are
    # cancelled almost as soon as the last reader leaves, which is what this test watches.
    app, port = launch(demo, reattach_grace=0.05)
    scheduler = app.state.runtime.scheduler
    try:
        sessions = [Session(HOST, port) for _ in range(200)]

        async def stay(session: Session) -> None:
            event_id, messages = await session.call(0, [session.hash])
            assert completed(messages, event_id)["output"]["data"] == [session.hash]

        async def drop(session: Session, when: str) -> None:
            """Leave as soon as the job waits in the queue ("estimation") or runs."""
            event_id = await session.join(0, [session.hash])
            stream = await open_stream(HOST, port, session.hash)
            async for message in stream.messages():
                if message.get("event_id") == event_id and message["msg"] == when:
                    break
                assert message["msg"] != "process_completed", "dropped too late"
            stream.close()

        async def main() -> None:
            work = []
            for i, session in enumerate(sessions):
                if i % 2 == 0:
                    work.append(stay(session))
                else:
                    work.append(drop(session, "estimation" if i % 4 == 1 else "process_starts"))
            await asyncio.gather(*work)

        run_async(main)
        deadline = time.monotonic() + 20
        while scheduler.running_count() or scheduler.waiting_count():
            assert time.monotonic() < deadline, "slots leaked: jobs stayed in the queue"
            time.sleep(0.02)

        async def fresh() -> list[dict[str, Any]]:
            session = Session(HOST, port)
            event_id, messages = await session.call(0, ["after"])
            assert completed(messages, event_id)["output"]["data"] == ["after"]
            return messages

        messages = run_async(fresh)
    finally:
        demo.close()
    first = [m for m in messages if m["msg"] == "estimation"][0]
    assert (first["rank"], first["queue_size"]) == (0, 1)  # it ran at once: nothing ahead
    # The 100 that stayed and the new call ran to their end; the dropped jobs were removed
    # from the queue or stopped mid-run (were they left alone, 50 to 100 more would finish).
    assert 101 <= meter.finished < 150, meter.finished
    assert meter.active == 0
