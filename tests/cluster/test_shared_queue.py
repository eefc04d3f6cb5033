"""One queue and one message bus for every replica: an event joined on one replica runs on any
and is read from any (real porch processes, one real Redis, Debian's nginx round-robin in
front, the official gradio_client), its concurrency limit holds across replicas, and a
replica killed mid-job has the job run again elsewhere."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.cluster.conftest import RedisProcess
from tests.cluster.replicas import Replica, balancer, cluster_env, replicas

APP = '''
import os
import time

import redis
import porch as gr

R = redis.Redis.from_url(os.environ["PORCH_BACKEND"])
PEAK = """local n = redis.call('INCR', KEYS[1])
if n > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], n) end"""

def echo(text, request: gr.Request):
    return f"{text}|{request.attempt}"

def limited(text):
    R.eval(PEAK, 2, "test:active", "test:peak")
    time.sleep(0.3)
    R.decr("test:active")
    return text

def tokens(text):
    for i in range(5):
        time.sleep(0.05)
        yield text + "." * (i + 1)

def long(text, request: gr.Request):
    R.rpush("test:started", f"{request.event_id}|{request.attempt}|{os.getpid()}")
    time.sleep(4 if request.attempt == 1 else 0.05)
    return f"{text}|{request.attempt}"

def long_stream(text, request: gr.Request):
    R.rpush("test:started", f"{request.event_id}|{request.attempt}|{os.getpid()}")
    yield text + "-first"
    time.sleep(4 if request.attempt == 1 else 0.05)
    yield text + "-second"

def counter(count):
    return count + 1, count + 1

with gr.Blocks(title="shared-queue") as demo:
    box = gr.Textbox()
    out = gr.Textbox()
    count = gr.State(0)
    number = gr.Number()
    box.submit(echo, box, out, api_name="echo", concurrency_limit=None)
    gr.Button("l").click(limited, box, out, api_name="limited", concurrency_limit=2)
    gr.Button("t").click(tokens, box, out, api_name="tokens", concurrency_limit=None)
    gr.Button("g").click(long, box, out, api_name="long", concurrency_limit=None)
    gr.Button("o").click(long, box, out, api_name="once", concurrency_limit=None,
                         at_most_once=True)
    gr.Button("s").click(long_stream, box, out, api_name="long_stream",
                         concurrency_limit=None)
    gr.Button("c").click(counter, count, [count, number], api_name="counter")

demo.launch(quiet=True)
'''
ECHO, LIMITED, TOKENS, LONG, ONCE, LONG_STREAM, COUNTER = range(7)


@pytest.fixture(scope="module")
def three(redis_server: RedisProcess, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[list[Replica]]:
    folder = tmp_path_factory.mktemp("three")
    with replicas(APP, 3, cluster_env(redis_server.url, folder), folder) as started:
        yield started


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A Redis of the test's own: the module's three replicas (same app, same keys) must not
    take this test's jobs."""
    server = RedisProcess(tmp_path / "redis")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def store(own_redis: RedisProcess) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(own_redis.url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def two(own_redis: RedisProcess, tmp_path: Path) -> Iterator[list[Replica]]:
    """Two replicas whose leases last 1 s: a killed one's job runs again about 1 s later."""
    env = cluster_env(own_redis.url, tmp_path, PORCH_LEASE_TTL="1")
    with replicas(APP, 2, env, tmp_path) as started:
        yield started


def join(client: httpx.Client, url: str, fn_index: int, data: list[Any],
         session: str) -> str:
    joined = client.post(f"{url}/gradio_api/queue/join",
                         json={"data": data, "fn_index": fn_index, "session_hash": session})
    assert joined.status_code == 200, joined.text
    event_id: str = joined.json()["event_id"]
    return event_id


def read(client: httpx.Client, url: str, session: str, *, cursor: int | None = None,
         until: int | None = None) -> list[tuple[int | None, dict[str, Any]]]:
    """The session's messages read from `url`, (id, message) each, to close_stream (or
    `until` messages)."""
    headers = {} if cursor is None else {"Last-Event-ID": str(cursor)}
    found: list[tuple[int | None, dict[str, Any]]] = []
    entry_id = None
    with client.stream("GET", f"{url}/gradio_api/queue/data", headers=headers,
                       params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if line.startswith("id: "):
                entry_id = int(line[4:])
            elif line.startswith("data: "):
                message = json.loads(line[6:])
                if message["msg"] == "heartbeat":
                    continue
                found.append((entry_id, message))
                entry_id = None
                if message["msg"] == "close_stream" or (until and len(found) >= until):
                    break
    return found


def completed(messages: list[tuple[int | None, dict[str, Any]]]) -> dict[str, Any]:
    done = [m for _, m in messages if m["msg"] == "process_completed"]
    assert len(done) == 1, messages
    return done[0]


def test_an_event_joined_on_one_replica_is_read_from_another(three: list[Replica]) -> None:
    a, b, c = three
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        join(client, a.url, ECHO, ["hi"], session)
        done = completed(read(client, b.url, session))
        assert done["success"] and done["output"]["data"] == ["hi|1"]
        # A stream of diffs written by whichever replica ran it, read from a third.
        join(client, b.url, TOKENS, ["t"], session)
        messages = read(client, c.url, session)
        steps = [m for _, m in messages if m["msg"] == "process_generating"]
        assert steps[0]["output"]["data"] == ["t."]
        assert all(s["output"]["data"] == [[["append", [], "."]]] for s in steps[1:])
        assert completed(messages)["output"]["data"] == ["t....."]


def test_gradio_client_works_through_a_round_robin_balancer(
        three: list[Replica], tmp_path: Path) -> None:
    from gradio_client import Client

    with balancer([r.port for r in three], tmp_path / "nginx") as url:
        client = Client(url, verbose=False)
        assert [client.predict(f"n{i}", api_name="/echo") for i in range(9)] == \
            [f"n{i}|1" for i in range(9)]
        assert client.predict("s", api_name="/tokens") == "s....."
        # One session's State, its calls spread over the replicas.
        assert [client.predict(api_name="/counter") for _ in range(4)] == [1, 2, 3, 4]


def test_a_concurrency_limit_holds_across_replicas(three: list[Replica],
                                                   redis_server: RedisProcess) -> None:
    store = redis.Redis.from_url(redis_server.url)
    store.delete("test:active", "test:peak")
    sessions = [uuid.uuid4().hex for _ in range(8)]
    with httpx.Client(timeout=60) as client:
        for i, session in enumerate(sessions):
            join(client, three[i % 3].url, LIMITED, [f"x{i}"], session)
        for i, session in enumerate(sessions):
            assert completed(read(client, three[(i + 1) % 3].url, session))["success"]
    assert int(store.get("test:peak") or 0) == 2
    store.close()


def started_runs(store: redis.Redis, count: int, timeout: float = 20) -> list[list[str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = [entry.decode().split("|") for entry in store.lrange("test:started", 0, -1)]
        if len(runs) >= count:
            return runs
        time.sleep(0.02)
    raise AssertionError(f"fewer than {count} runs started")


def running_and_other(pair: list[Replica], pid: str) -> tuple[Replica, Replica]:
    """The replica whose process ran a job (by the pid the job recorded), and the other."""
    victim = next(r for r in pair if r.pid == int(pid))
    return victim, next(r for r in pair if r is not victim)


def test_a_killed_replicas_job_runs_again_on_another(two: list[Replica],
                                                     store: redis.Redis) -> None:
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        event_id = join(client, two[0].url, LONG, ["job"], session)
        [(run_event, attempt, pid)] = started_runs(store, 1)
        assert (run_event, attempt) == (event_id, "1")
        victim, survivor = running_and_other(two, pid)
        victim.kill()
        killed = time.monotonic()
        messages = read(client, survivor.url, session)
        recovered = time.monotonic() - killed
    done = completed(messages)
    assert done["success"] and done["output"]["data"] == ["job|2"]
    assert [m["msg"] for _, m in messages].count("process_starts") == 2
    runs = started_runs(store, 2)
    assert [(e, a) for e, a, _ in runs] == [(event_id, "1"), (event_id, "2")]
    assert int(runs[1][2]) == survivor.pid
    assert recovered < 10  # a 1 s lease, a 0.5 s tick; generous for a loaded machine


def test_a_rerun_after_a_partial_stream_replaces_the_outputs(
        two: list[Replica], store: redis.Redis) -> None:
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        join(client, two[0].url, LONG_STREAM, ["s"], session)
        [(_, _, pid)] = started_runs(store, 1)
        victim, survivor = running_and_other(two, pid)
        time.sleep(0.3)  # its first result is out
        victim.kill()
        messages = read(client, survivor.url, session)
    steps = [m["output"]["data"] for _, m in messages if m["msg"] == "process_generating"]
    # The lost run's first value, then the rerun's: a root replace (the client's copy is
    # the lost run's), then a diff on it.
    assert steps[0] == ["s-first"]
    assert steps[1] == [[["replace", [], "s-first"]]]
    assert completed(messages)["output"]["data"] == ["s-second"]


def test_an_at_most_once_event_fails_instead_of_running_twice(
        two: list[Replica], store: redis.Redis) -> None:
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        join(client, two[1].url, ONCE, ["pay"], session)
        [(_, _, pid)] = started_runs(store, 1)
        victim, survivor = running_and_other(two, pid)
        victim.kill()
        done = completed(read(client, survivor.url, session))
    assert not done["success"] and done["title"] == "Server lost"
    assert "at_most_once" in done["output"]["error"]
    assert len(started_runs(store, 1)) == 1  # never started again


def test_a_reader_resumes_on_another_replica_from_its_cursor(three: list[Replica]) -> None:
    a, b, c = three
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        join(client, a.url, TOKENS, ["r"], session)
        first = read(client, b.url, session, cursor=0, until=3)
        last_seen = first[-1][0]
        assert last_seen is not None
        rest = read(client, c.url, session, cursor=last_seen)
    ids = [i for i, _ in first + rest if i is not None]
    assert ids == list(range(1, len(ids) + 1))  # every message once, in order
    assert completed(first + rest)["output"]["data"] == ["r....."]


def test_an_event_running_on_one_replica_is_cancelled_from_another(
        three: list[Replica], redis_server: RedisProcess) -> None:
    store = redis.Redis.from_url(redis_server.url)
    store.delete("test:started")
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        event_id = join(client, three[0].url, LONG, ["c"], session)
        [(_, _, pid)] = started_runs(store, 1)
        other = next(r for r in three if r.pid != int(pid))
        cancelled = client.post(f"{other.url}/gradio_api/cancel", json={
            "fn_index": LONG, "session_hash": session, "event_id": event_id})
        assert cancelled.status_code == 200, cancelled.text
        started = time.monotonic()
        done = completed(read(client, other.url, session))
        assert time.monotonic() - started < 3  # not the function's 4 s
    assert done["output"] == {}
    store.close()


def test_redis_lost_mid_run_answers_503_and_recovers(tmp_path: Path,
                                                     own_redis: RedisProcess) -> None:
    server = own_redis
    env = cluster_env(server.url, tmp_path)
    with replicas(APP, 1, env, tmp_path) as [replica], httpx.Client(timeout=30) as client:
        session = uuid.uuid4().hex
        join(client, replica.url, ECHO, ["up"], session)
        assert completed(read(client, replica.url, session))["success"]
        server.stop()
        down = client.post(f"{replica.url}/gradio_api/queue/join", json={
            "data": ["down"], "fn_index": ECHO, "session_hash": session})
        assert down.status_code == 503
        assert "Redis" in down.json()["detail"]
        server.restart()
        join(client, replica.url, ECHO, ["back"], session)
        assert completed(read(client, replica.url, session))["output"]["data"] == \
            ["back|1"]


FULL_APP = '''
import time
import porch as gr

def slow(text):
    time.sleep(3)
    return text

with gr.Blocks(title="full-queue") as demo:
    box = gr.Textbox()
    gr.Button().click(slow, box, box, api_name="slow", concurrency_limit=1)

demo.queue(max_size=2)
demo.launch(quiet=True)
'''


def test_max_size_counts_the_whole_clusters_queue(own_redis: RedisProcess,
                                                  tmp_path: Path) -> None:
    env = cluster_env(own_redis.url, tmp_path)
    with replicas(FULL_APP, 2, env, tmp_path) as [a, b], httpx.Client(timeout=30) as client:
        join(client, a.url, 0, ["running"], uuid.uuid4().hex)
        deadline = time.monotonic() + 10  # the first one leaves the queue to run
        while client.get(f"{b.url}/gradio_api/queue/status").json()["queue_size"] and \
                time.monotonic() < deadline:
            time.sleep(0.02)
        join(client, a.url, 0, ["second"], uuid.uuid4().hex)
        join(client, b.url, 0, ["third"], uuid.uuid4().hex)
        assert client.get(f"{a.url}/gradio_api/queue/status").json()["queue_size"] == 2
        refused = client.post(f"{b.url}/gradio_api/queue/join", json={
            "data": ["fourth"], "fn_index": 0, "session_hash": uuid.uuid4().hex})
        assert refused.status_code == 503
        assert "Queue is full" in refused.json()["detail"]


def test_upload_progress_is_read_from_another_replica(three: list[Replica]) -> None:
    a, b, _ = three
    upload_id = uuid.uuid4().hex[:11]
    frames: list[dict[str, Any]] = []

    def watch() -> None:
        with httpx.stream("GET", f"{b.url}/gradio_api/upload_progress",
                          params={"upload_id": upload_id}, timeout=30) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    frames.append(json.loads(line[5:]))

    watcher = threading.Thread(target=watch)
    watcher.start()
    body = b"p" * (3 * 1024 * 1024)
    uploaded = httpx.post(f"{a.url}/gradio_api/upload", params={"upload_id": upload_id},
                          files={"files": ("big.bin", body)}, timeout=30)
    assert uploaded.status_code == 200, uploaded.text
    watcher.join(timeout=30)
    assert not watcher.is_alive()
    assert frames[-1] == {"msg": "done"}
    updates = [f for f in frames if f["msg"] == "update"]
    assert sum(f["chunk_size"] for f in updates) == len(body)
    assert {f["orig_name"] for f in updates} == {"big.bin"}


def test_a_session_hash_may_not_name_another_stream(three: list[Replica]) -> None:
    with httpx.Client(timeout=30) as client:
        event_id = join(client, three[0].url, ECHO, ["private"], uuid.uuid4().hex)
        for name in (f"call:{event_id}", "upload:abc"):
            joined = client.post(f"{three[1].url}/gradio_api/queue/join", json={
                "data": ["x"], "fn_index": ECHO, "session_hash": name})
            assert joined.status_code == 400 and "':'" in joined.json()["detail"]
            read_ = client.get(f"{three[1].url}/gradio_api/queue/data",
                               params={"session_hash": name})
            assert read_.status_code == 400


def test_a_lost_job_reruns_while_other_keys_keep_the_queue_busy(
        two: list[Replica], store: redis.Redis) -> None:
    # Regression: busy doorbells of one key kept the take loop from ever sweeping the
    # others, so a lost job whose key nobody rang waited until the traffic stopped.
    session = uuid.uuid4().hex
    done = threading.Event()

    def hammer() -> None:
        busy = uuid.uuid4().hex  # one session: many new ones would meet the session budget
        with httpx.Client(timeout=30) as client:
            stop = time.monotonic() + 60
            while not done.is_set() and time.monotonic() < stop:
                for replica in two:
                    if replica.process.poll() is None:
                        with contextlib.suppress(httpx.HTTPError):
                            join(client, replica.url, ECHO, ["busy"], busy)
                            read(client, replica.url, busy)

    with httpx.Client(timeout=30) as client:
        join(client, two[0].url, LONG, ["busy-job"], session)
        [(_, _, pid)] = started_runs(store, 1)
        victim, survivor = running_and_other(two, pid)
        noise = threading.Thread(target=hammer)
        noise.start()
        victim.kill()
        try:
            messages = read(client, survivor.url, session)
        finally:
            noise_still_ran = noise.is_alive()
            done.set()
            noise.join()
    assert completed(messages)["output"]["data"] == ["busy-job|2"]
    assert noise_still_ran  # the rerun came while the noise went on (within its 60 s)
