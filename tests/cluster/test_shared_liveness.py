"""Whether a session has a page attached is the cluster's, not one replica's: a heartbeat on
one replica keeps the session's shared State alive for events on another, the unload events
run once when the session's last heartbeat anywhere ends, and a killed replica's sessions
are unloaded by a survivor once its lease runs out (real porch processes, one real Redis;
the stores themselves too, two of them on one Redis as two replicas would be)."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from porch.cluster.signing import Signer
from porch.cluster.state_store import RedisStateStore
from porch.queue.sessions import SessionBudget
from tests.cluster.replicas import Replica, cluster_env, replicas
from tests.cluster.test_shared_queue import completed, join, read

APP = '''
import os
import time

import redis
import porch as gr

R = redis.Redis.from_url(os.environ["PORCH_BACKEND"])

def bump(count):
    return count + 1, count + 1

def peek(count):
    return count

def bye():
    time.sleep(0.5)  # cleanup takes a moment: a replica stopping must wait for it
    R.rpush("test:unloaded", os.getpid())

with gr.Blocks(title="shared-liveness") as demo:
    count = gr.State(0)
    number = gr.Number()
    gr.Button("b").click(bump, count, [count, number], api_name="bump")
    gr.Button("p").click(peek, count, number, api_name="peek")
    demo.unload(bye)

demo.launch(quiet=True)
'''
BUMP, PEEK = 0, 1
LEASE = 1.5  # PORCH_LEASE_TTL of the replicas here: renewed each 0.5 s
IDLE = 3  # PORCH_SESSION_IDLE_TTL: an unattached session's State lasts this long unused
KEEP = 2  # PORCH_CLOSED_SESSION_KEEP


def env(redis_url: str, folder: Path) -> dict[str, str]:
    return cluster_env(redis_url, folder, PORCH_LEASE_TTL=str(LEASE),
                       PORCH_SESSION_IDLE_TTL=str(IDLE), PORCH_CLOSED_SESSION_KEEP=str(KEEP),
                       PORCH_HEARTBEAT_INTERVAL="0.2")


@pytest.fixture
def two(redis_url: str, tmp_path: Path) -> Iterator[list[Replica]]:
    with replicas(APP, 2, env(redis_url, tmp_path), tmp_path) as started:
        yield started


@contextlib.contextmanager
def heartbeat(client: httpx.Client, replica: Replica, session: str) -> Iterator[None]:
    """The page's heartbeat stream on `replica`, open until the block ends."""
    with client.stream("GET", f"{replica.url}/gradio_api/heartbeat/{session}") as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()  # held: a dropped iterator would close the stream
        assert next(lines) == "data: ALIVE"  # the replica has attached the session
        yield


def bump(client: httpx.Client, replica: Replica, session: str) -> Any:
    join(client, replica.url, BUMP, [], session)
    done = completed(read(client, replica.url, session))
    assert done["success"], done
    return done["output"]["data"][1]  # the Number (a State goes out as null)


def unloads(client: redis.Redis) -> list[int]:
    return [int(pid) for pid in client.lrange("test:unloaded", 0, -1)]


def wait_for_unloads(client: redis.Redis, count: int, within: float) -> list[int]:
    deadline = time.monotonic() + within
    while len(unloads(client)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return unloads(client)


def state_key(client: redis.Redis, session: str) -> bytes:
    [key] = client.keys(f"porch:*:s:{session}")
    return bytes(key)


def test_a_heartbeat_on_one_replica_keeps_state_alive_for_events_on_another(
        two: list[Replica], redis_client: redis.Redis) -> None:
    a, b = two
    held, unheld = uuid.uuid4().hex, uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        assert bump(client, b, unheld) == 1
        with heartbeat(client, a, held):
            assert bump(client, b, held) == 1
            time.sleep(IDLE + 1.5)  # past the idle TTL, no event meanwhile
            assert bump(client, b, held) == 2  # the page on A kept it
            assert bump(client, b, unheld) == 1  # no page anywhere: it had expired
            assert redis_client.ttl(state_key(redis_client, held)) > KEEP
        # The page left: unloaded once, its State kept only `closed_session_keep`.
        assert wait_for_unloads(redis_client, 1, 10) == [a.pid]
        assert 0 < redis_client.ttl(state_key(redis_client, held)) <= KEEP


def test_unload_waits_for_the_sessions_last_heartbeat_on_any_replica(
        two: list[Replica], redis_client: redis.Redis) -> None:
    a, b = two
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        with heartbeat(client, b, session):
            with heartbeat(client, a, session):
                assert bump(client, a, session) == 1
            time.sleep(LEASE + 1)  # A's stream ended, and a lease or more went by
            assert unloads(redis_client) == []
            assert bump(client, a, session) == 2  # still attached: nothing was let go
        assert wait_for_unloads(redis_client, 1, 10) == [b.pid]
    time.sleep(LEASE + 1)  # no second unload from anywhere
    assert unloads(redis_client) == [b.pid]


def test_a_killed_replicas_session_is_unloaded_once_by_a_survivor(
        redis_url: str, redis_client: redis.Redis, tmp_path: Path) -> None:
    session = uuid.uuid4().hex
    with replicas(APP, 3, env(redis_url, tmp_path), tmp_path) as three, \
            httpx.Client(timeout=30) as client:
        victim, *survivors = three
        assert bump(client, survivors[0], session) == 1
        with heartbeat(client, victim, session):
            victim.kill()
            killed = time.monotonic()
            found = wait_for_unloads(redis_client, 1, 15)
            took = time.monotonic() - killed
        assert len(found) == 1 and found[0] in {r.pid for r in survivors}
        assert took < LEASE + 4  # the lease, a tick, and room for a loaded machine
        assert 0 < redis_client.ttl(state_key(redis_client, session)) <= KEEP
        time.sleep(LEASE + 1)
        assert unloads(redis_client) == found  # the other survivor did not run it too


# ---- the stores, two on one Redis as two replicas' ------------------------------------------
def store(client: redis.Redis, clock: list[float]) -> RedisStateStore:
    return RedisStateStore(client, "porch:live-test", Signer(b"k" * 32), frozenset({1}),
                           capacity=100, max_bytes=10**9, budget=SessionBudget(),
                           lifetimes={}, on_delete=lambda k, v: None, keep_closed=30,
                           idle_ttl=300, lease=2.0, clock=lambda: clock[0])


def test_the_last_detach_anywhere_answers_true_once(redis_client: redis.Redis) -> None:
    now = [1000.0]
    a, b = store(redis_client, now), store(redis_client, now)
    a.state("s")[1] = "v"
    a.attach("s")
    a.attach("s")
    b.attach("s")
    assert b.attached("s") and a.live("s")
    assert not a.detach("s", 30) and not b.detach("s", 30)
    assert a.attached("s") and b.live("s")  # a's second stream still holds it
    assert a.detach("s", 30)
    assert not a.attached("s") and not b.attached("s")
    assert 0 < redis_client.ttl(a.key("s")) <= 30
    assert not b.detach("s", 30)  # a stray extra end changes nothing


def test_a_lost_replicas_sessions_are_claimed_by_one_sweeper(
        redis_client: redis.Redis) -> None:
    now = [1000.0]
    lost, c, d = (store(redis_client, now) for _ in range(3))
    lost.state("gone")[1] = "v"
    lost.attach("gone")
    lost.attach("shared")
    c.attach("shared")
    now[0] += 1.0
    assert c.renew_leases() == [] and d.renew_leases() == []  # within the lease
    now[0] += 2.5  # `lost` stopped renewing; c renews
    assert c.renew_leases() == ["gone"]  # c holds "shared" still: only "gone" is claimed
    assert d.renew_leases() == []
    assert not c.attached("gone") and c.attached("shared")
    assert 0 < redis_client.ttl(c.key("gone")) <= 30
    assert not lost.detach("gone", 30)  # back from a stall: its unload already ran
    assert c.detach("shared", 30)


def test_a_close_does_not_shorten_a_session_another_replica_holds(
        redis_client: redis.Redis) -> None:
    now = [1000.0]
    a, b = store(redis_client, now), store(redis_client, now)
    b.state("s")[1] = "v"
    a.attach("s")
    b.close("s", 5)
    assert redis_client.ttl(b.key("s")) > 5  # A's page is still there
    assert a.detach("s", 30)
    b.close("s", 5)
    assert 0 < redis_client.ttl(b.key("s")) <= 5


def test_a_replica_stopped_cleanly_runs_its_pages_unload_before_it_exits(
        two: list[Replica], redis_client: redis.Redis) -> None:
    a, b = two
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        assert bump(client, a, session) == 1
        with heartbeat(client, a, session):
            a.stop()  # SIGTERM: a rolling restart; the page's stream ends with the server
        assert unloads(redis_client) == [a.pid]  # ran before the process was gone
    time.sleep(LEASE + 1)
    assert unloads(redis_client) == [a.pid]  # and b did not run it again


def test_a_session_in_use_outlives_a_close_on_another_replica(
        two: list[Replica], redis_client: redis.Redis) -> None:
    a, b = two
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        assert bump(client, a, session) == 1
        with heartbeat(client, b, session):
            pass  # the page left through B: the session's hash now expires KEEP from now
        assert wait_for_unloads(redis_client, 1, 10) == [b.pid]
        # Events keep reaching A, which confirmed the session's owner before the close; they
        # only read its State, so nothing but their admission pushes its lifetime back.
        seen = []
        started = time.monotonic()
        while time.monotonic() - started < KEEP * 2:
            join(client, a.url, PEEK, [], session)
            done = completed(read(client, a.url, session))
            seen.append(done["output"]["data"][0])
            time.sleep(0.3)
    assert set(seen) == {1}  # never the fresh session's 0: the State outlived KEEP
