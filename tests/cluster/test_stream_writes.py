"""How messages reach a session's stream in Redis: in order, gathered per loop stretch, within
the stream's bounds, and only from the run that holds its job (a fenced run's stale
messages are dropped in the same step that would log them)."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
import redis.asyncio

from porch.cluster.streams import RedisBus
from porch.protocol import apply_diff
from porch.queue.channels import CursorGone, Retention
from tests.cluster.conftest import RedisProcess
from tests.cluster.replicas import Replica, cluster_env, replicas
from tests.cluster.test_shared_queue import join, read, started_runs


def bus(url: str, retention: Retention | None = None) -> RedisBus:
    return RedisBus(redis.Redis.from_url(url), redis.asyncio.Redis.from_url(url),
                    f"test-{uuid.uuid4().hex[:8]}", retention)


def message(event_id: str, text: str, msg: str = "process_generating") -> dict[str, object]:
    return {"msg": msg, "event_id": event_id, "output": {"data": [text]}, "success": True}


def test_messages_sent_in_one_stretch_are_logged_in_order_and_read_at_once(
        redis_url: str) -> None:
    stream = bus(redis_url).open("session")
    stream.add_pending("e1")

    async def burst() -> list[str]:
        for i in range(5):
            stream.send(message("e1", f"t{i}"))
        # Read before the loop turns: the reader still sees every message sent before it.
        early = stream.after(0)
        await asyncio.sleep(0)
        assert [e.id for e in stream.after(0)] == [1, 2, 3, 4, 5]
        return [e.message["output"]["data"][0] for e in early]

    assert asyncio.run(burst()) == ["t0", "t1", "t2", "t3", "t4"]


def test_a_message_of_a_run_that_lost_its_job_is_dropped(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    stream = bus(redis_url).open("session")
    stream.add_pending("e1")
    job = f"job:{uuid.uuid4().hex}"
    client.hset(job, mapping={"owner": "replica-a", "attempt": "1"})
    stream.send(message("e1", "from a"), (job, "replica-a", "1"))
    # Another replica took the job (its lease lapsed): attempt 2 is replica-b's.
    client.hset(job, mapping={"owner": "replica-b", "attempt": "2"})
    stream.send(message("e1", "stale, from a"), (job, "replica-a", "1"))
    stream.send(message("e1", "from b"), (job, "replica-b", "2"))
    # The job is gone (its run ended): a late message of any run is stale too.
    client.delete(job)
    stream.send(message("e1", "after the end"), (job, "replica-b", "2"))
    assert [e.message["output"]["data"] for e in stream.after(0)] == [["from a"], ["from b"]]


def test_the_streams_byte_bound_holds_in_redis(redis_url: str) -> None:
    stream = bus(redis_url, Retention(max_messages=1000, max_bytes=2000)).open("session")
    stream.add_pending("e1")
    for i in range(40):
        stream.append(message("e1", f"{i:03d}" + "x" * 150))
    kept = stream.after(stream.last_id - 5)
    assert [e.id for e in kept] == [36, 37, 38, 39, 40]
    client = redis.Redis.from_url(redis_url)
    entries = client.xrange(stream.out_key)
    assert 0 < sum(len(fields[b"m"]) for _, fields in entries) <= 2000
    assert len(entries) < 40
    with pytest.raises(CursorGone):  # the oldest were pushed out: a replay from 0 says so
        stream.after(0)


def test_a_message_bigger_than_the_bound_is_kept_alone(redis_url: str) -> None:
    stream = bus(redis_url, Retention(max_messages=1000, max_bytes=500)).open("session")
    stream.add_pending("e1")
    stream.append(message("e1", "small"))
    stream.append(message("e1", "y" * 2000, "process_completed"))
    [last] = stream.after(1)
    assert last.message["msg"] == "process_completed"


APP = '''
import os
import time

import redis
import porch as gr

R = redis.Redis.from_url(os.environ["PORCH_BACKEND"])

def ticking(text, request: gr.Request):
    R.rpush("test:started", f"{request.event_id}|{request.attempt}|{os.getpid()}")
    for i in range(60 if request.attempt == 1 else 15):
        time.sleep(0.1)
        yield f"{request.attempt}:{i}"

with gr.Blocks(title="fenced") as demo:
    box = gr.Textbox()
    out = gr.Textbox()
    gr.Button("t").click(ticking, box, out, api_name="ticking", concurrency_limit=None)

demo.launch(quiet=True)
'''


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[list[Replica], redis.Redis]]:
    server = RedisProcess(tmp_path / "redis")
    try:
        env = cluster_env(server.url, tmp_path, PORCH_LEASE_TTL="1")
        with replicas(APP, 2, env, tmp_path / "app") as started:
            yield started, redis.Redis.from_url(server.url)
    finally:
        server.stop()


def test_a_stalled_replica_says_nothing_once_its_job_runs_elsewhere(
        pair: tuple[list[Replica], redis.Redis]) -> None:
    (a, b), store = pair
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        event_id = join(client, a.url, 0, ["x"], session)
        [(_, _, pid)] = started_runs(store, 1)
        assert int(pid) == a.pid  # a free slot: the joining replica runs its job itself
        time.sleep(0.5)
        a.process.send_signal(signal.SIGSTOP)  # stalled (a long GC, a frozen VM) mid-run
        try:
            runs = started_runs(store, 2)
            assert runs[1][:2] == [event_id, "2"] and int(runs[1][2]) == b.pid
            time.sleep(0.3)
        finally:
            a.process.send_signal(signal.SIGCONT)  # it wakes still thinking the run is its
        messages = read(client, b.url, session)
    values: list[str] = []
    for _, m in messages:
        if m["msg"] == "process_generating":
            data = m["output"]["data"][0]
            values.append(apply_diff(values[-1], data) if values else data)
    # The stalled run's values, then the rerun's, each whole: nothing the stalled run said
    # after its job went to `b` reached the stream (it would break the sequence).
    first_rerun = values.index("2:0")
    assert values[:first_rerun] == [f"1:{i}" for i in range(first_rerun)]
    assert values[first_rerun:] == [f"2:{i}" for i in range(15)]
    done = [m for _, m in messages if m["msg"] == "process_completed"]
    assert len(done) == 1
