"""Session State in Redis: shared values seen by every replica's store, values kept local,
in-place changes kept at an event's end, lifetimes, session owners, and the signature that
keeps unsigned pickles out (a hypothesis property)."""

from __future__ import annotations

import pickle
import threading
import time
from typing import Any

import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st

import porch as gr
from porch.cluster.redis_backend import RedisBackend, app_id, shared_states
from porch.cluster.signing import Signer, StateNotShareable, TamperedValue
from porch.cluster.state_store import RedisStateStore
from porch.errors import InvalidRequest
from porch.queue.sessions import SessionBudget

P = "porch:test-app"
SHARED, LOCAL = 5, 6


def _store(client: redis.Redis, deleted: list[tuple[int, Any]] | None = None,
           lifetimes: dict[int, float] | None = None, key: bytes = b"k" * 32,
           ) -> RedisStateStore:
    sink = deleted if deleted is not None else []
    return RedisStateStore(client, P, Signer(key), frozenset({SHARED}), capacity=100,
                           max_bytes=10**9, budget=SessionBudget(), lifetimes=lifetimes or {},
                           on_delete=lambda k, v: sink.append((k, v)), keep_closed=60)


def test_a_shared_value_set_on_one_replica_is_read_on_another(
        redis_client: redis.Redis) -> None:
    a, b = _store(redis_client), _store(redis_client)
    a.open("s1", owner="c1", client="x")[SHARED] = {"n": 1}
    values = b.open("s1", owner="c1", client="x")
    assert values[SHARED] == {"n": 1} and SHARED in values
    assert list(values) == [SHARED] and len(values) == 1


def test_other_keys_stay_in_this_replicas_memory(redis_client: redis.Redis) -> None:
    a, b = _store(redis_client), _store(redis_client)
    a.state("s1")[LOCAL] = threading.Lock()  # would not pickle: never tried
    assert LOCAL in a.state("s1") and LOCAL not in b.state("s1")
    assert all(b":v:" not in k and not k.endswith(b"v:6") for k in redis_client.keys("*"))


def test_an_in_place_change_is_kept_when_the_event_ends(redis_client: redis.Redis) -> None:
    a, b = _store(redis_client), _store(redis_client)
    a.state("s1")[SHARED] = []
    a.hold("s1", True)
    history = a.state("s1")[SHARED]
    history.append("hi")  # changed, never assigned back
    assert b.state("s1")[SHARED] == []  # not yet: commits come with the event's end
    a.hold("s1", False)
    assert b.state("s1")[SHARED] == ["hi"]


def test_an_unchanged_value_is_not_written_back(redis_client: redis.Redis) -> None:
    a, b = _store(redis_client), _store(redis_client)
    a.state("s1")[SHARED] = "old"
    a.hold("s1", True)
    assert a.state("s1")[SHARED] == "old"
    b.state("s1")[SHARED] = "new"  # another replica's event finished meanwhile
    a.hold("s1", False)
    assert a.state("s1")[SHARED] == "new"


def test_an_unpicklable_value_names_the_fix(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    with pytest.raises(StateNotShareable) as caught:
        store.state("s1")[SHARED] = threading.Lock()
    assert "State(local=True)" in str(caught.value) and f"State {SHARED}" in str(caught.value)
    assert isinstance(caught.value, TypeError)
    with pytest.raises(StateNotShareable):
        store.state("s1")[SHARED] = lambda: 1


def test_a_session_belongs_to_the_client_that_opened_it_on_any_replica(
        redis_client: redis.Redis) -> None:
    a, b = _store(redis_client), _store(redis_client)
    a.open("s1", owner="alice", client="x")
    with pytest.raises(InvalidRequest) as caught:
        b.open("s1", owner="mallory", client="y")
    assert caught.value.status_code == 403
    with pytest.raises(InvalidRequest):
        b.open("s1", owner=None, client="y")
    b.open("s1", owner="alice", client="x")
    b.open("s2", owner=None, client="z")  # opened by nobody in particular: anyone's
    a.open("s2", owner="bob", client="w")


def test_a_states_time_to_live_holds_across_replicas(redis_client: redis.Redis) -> None:
    deleted: list[tuple[int, Any]] = []
    a = _store(redis_client, deleted, lifetimes={SHARED: 0.1})
    b = _store(redis_client, deleted, lifetimes={SHARED: 0.1})
    a.state("s1")[SHARED] = "brief"
    assert b.state("s1")[SHARED] == "brief"
    time.sleep(0.15)
    assert SHARED not in b.state("s1")
    assert SHARED not in a.state("s1")
    assert deleted == [(SHARED, "brief")]  # one callback, on whichever replica saw it go


def test_sessions_expire_by_redis_ttl(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    store.open("s1", owner=None, client="x")[SHARED] = 1
    key = store.key("s1")
    assert 60 < redis_client.ttl(key) <= store.idle_ttl
    store.attach("s1")
    store.detach("s1", keep=30)
    assert 0 < redis_client.ttl(key) <= 30  # its page left: kept a while, then gone
    store.open("s1", owner=None, client="x")
    assert redis_client.ttl(key) > 60  # back again


def test_forgetting_a_session_deletes_it_and_calls_back(redis_client: redis.Redis) -> None:
    deleted: list[tuple[int, Any]] = []
    store = _store(redis_client, deleted)
    store.state("call-1")[SHARED] = "v"
    store.state("call-1")[LOCAL] = "l"
    store.forget("call-1")
    assert not redis_client.exists(store.key("call-1"))
    assert sorted(deleted) == [(SHARED, "v"), (LOCAL, "l")]
    store.state("s1")[SHARED] = "x"
    del store.state("s1")[SHARED]
    assert SHARED not in _store(redis_client).state("s1")
    with pytest.raises(KeyError):
        del store.state("s1")[SHARED]


def test_a_tampered_value_is_dropped_not_unpickled(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    store.state("s1")[SHARED] = "fine"

    class Boom:
        def __reduce__(self) -> Any:
            return (exec, ("raise SystemExit('code ran')",))

    redis_client.hset(store.key("s1"), f"v:{SHARED}", pickle.dumps(Boom()))
    with pytest.raises(KeyError):
        store.state("s1")[SHARED]
    # Signed for another session's place: refused the same way.
    other = _store(redis_client)
    other.state("s2")[SHARED] = "theirs"
    redis_client.hset(store.key("s1"), f"v:{SHARED}",
                      redis_client.hget(store.key("s2"), f"v:{SHARED}") or b"")
    assert SHARED not in store.state("s1")


def test_another_secret_cannot_read_the_values(redis_client: redis.Redis) -> None:
    _store(redis_client).state("s1")[SHARED] = "v"
    assert SHARED not in _store(redis_client, key=b"z" * 32).state("s1")


@given(payload=st.binary(max_size=200), context=st.binary(max_size=40),
       position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_any_changed_byte_fails_the_signature(payload: bytes, context: bytes, position: int,
                                              flip: int) -> None:
    signer = Signer(b"k" * 32)
    signed = signer.sign(payload, context)
    assert signer.verify(signed, context) == payload
    changed = bytearray(signed)
    changed[position % len(changed)] ^= flip
    with pytest.raises(TamperedValue):
        signer.verify(bytes(changed), context)


@given(payload=st.binary(max_size=200), cut=st.integers(min_value=1),
       context=st.binary(max_size=20), other=st.binary(max_size=20),
       extra=st.binary(min_size=1, max_size=20))
def test_cut_extended_or_moved_values_fail_the_signature(payload: bytes, cut: int,
                                                         context: bytes, other: bytes,
                                                         extra: bytes) -> None:
    signer = Signer(b"k" * 32)
    signed = signer.sign(payload, context)
    with pytest.raises(TamperedValue):
        signer.verify(signed[:len(signed) - 1 - cut % len(signed)], context)
    with pytest.raises(TamperedValue):
        signer.verify(signed + extra, context)
    if other != context:
        with pytest.raises(TamperedValue):
            signer.verify(signed, other)
    with pytest.raises(TamperedValue):
        Signer(b"j" * 32).verify(signed, context)


def test_the_apps_states_are_shared_except_local_ones() -> None:
    with gr.Blocks(title="My app!") as demo:
        shared = gr.State([])
        local = gr.State(None, local=True)
        gr.Textbox()
    assert shared_states(demo) == {shared.id} and local.id not in shared_states(demo)
    assert app_id(demo).startswith("My-app--") and len(app_id(demo)) == len("My-app--") + 12


def test_the_backend_hands_out_redis_stores(redis_url: str) -> None:
    with gr.Blocks() as demo:
        gr.State(1)
    backend = RedisBackend.connect(redis_url, demo, secret="s")
    assert backend.shared_key() == RedisBackend.connect(redis_url, demo, secret="s").shared_key()
    assert backend.shared_key() != RedisBackend.connect(redis_url, demo,
                                                        secret="t").shared_key()


def test_without_a_secret_the_first_replica_makes_one_in_redis(redis_url: str,
                                                               redis_client: redis.Redis
                                                               ) -> None:
    with gr.Blocks() as demo:
        gr.State(1)
    one = RedisBackend.connect(redis_url, demo)
    two = RedisBackend.connect(redis_url, demo)
    assert one.shared_key() == two.shared_key()
    assert redis_client.exists("porch:cluster-secret")
