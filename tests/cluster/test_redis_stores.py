"""Each shared store against a real redis-server: logins, the login brake, the file cache's
registry and OpenID Connect sign-ins, each seen from two store objects (two replicas)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import redis

from porch.blocks.oauth import OAuthProfile, OAuthToken
from porch.cluster.brake import RedisLoginBrake
from porch.cluster.stores import (
    RedisLoginSessions,
    RedisPendingSignIns,
    RedisRegistry,
    RedisSignedInSessions,
)
from porch.files.cache import FileCache
from porch.files.registry import CacheEntry, Record
from porch.server.oidc.sessions import SignedIn

P = "porch:test-app"


# ---- logins --------------------------------------------------------------------------------
def test_a_login_on_one_replica_is_known_on_another(redis_client: redis.Redis) -> None:
    a, b = RedisLoginSessions(redis_client, P), RedisLoginSessions(redis_client, P)
    token = a.open("ada")
    assert b.user(token) == "ada"
    assert b.user(token + "x") is None
    b.close(token)
    assert a.user(token) is None


def test_tokens_are_kept_hashed_with_a_sliding_ttl(redis_client: redis.Redis) -> None:
    sessions = RedisLoginSessions(redis_client, P, ttl=100)
    token = sessions.open("ada")
    keys = [k.decode() for k in redis_client.keys("*")]
    assert all(token not in k for k in keys)  # a dump of Redis holds no usable cookie
    assert not any(redis_client.get(k) == token.encode() for k in keys if ":tok:" in k)
    (tok_key,) = [k for k in keys if ":tok:" in k]
    redis_client.expire(tok_key, 5)
    assert sessions.user(token) == "ada"
    assert redis_client.ttl(tok_key) > 50  # each use renews it


def test_logging_a_user_out_everywhere(redis_client: redis.Redis) -> None:
    sessions = RedisLoginSessions(redis_client, P)
    one, two, other = sessions.open("ada"), sessions.open("ada"), sessions.open("bob")
    RedisLoginSessions(redis_client, P).close_user("ada")
    assert sessions.user(one) is None and sessions.user(two) is None
    assert sessions.user(other) == "bob"


def test_apps_do_not_share_logins(redis_client: redis.Redis) -> None:
    token = RedisLoginSessions(redis_client, "porch:one").open("ada")
    assert RedisLoginSessions(redis_client, "porch:two").user(token) is None


# ---- the brake -----------------------------------------------------------------------------
def _brake(client: redis.Redis, **options: float) -> RedisLoginBrake:
    settings: dict[str, float] = {"free_checks": 3, "first_delay": 0.3, "max_delay": 1.2}
    return RedisLoginBrake(client, P, **{**settings, **options})  # type: ignore[arg-type]


def _fail(brake: RedisLoginBrake, user: str = "u", source: str = "a",
          address: str | None = "a"):
    attempt = brake.reserve_now(user, source, address)
    if attempt.granted:
        brake.settle_now(attempt, succeeded=False)
    return attempt


def test_free_checks_then_backoff_across_replicas(redis_client: redis.Redis) -> None:
    a, b = _brake(redis_client), _brake(redis_client)
    assert all(_fail(x).granted for x in (a, b, a))  # three free checks, spent on both
    refused = b.reserve_now("u", "a", "a")
    assert refused.refused == "user" and 0 < refused.retry_after <= 0.3
    assert a.reserve_now("u", "a", "a").refused == "user"
    assert a.reserve_now("v", "a", "a").granted  # another name from the same address
    time.sleep(0.35)
    assert _fail(a).granted  # the fourth failure doubles the wait
    assert 0.3 < b.reserve_now("u", "a", "a").retry_after <= 0.6


def test_backoff_is_capped(redis_client: redis.Redis) -> None:
    brake = _brake(redis_client, first_delay=0.1, max_delay=0.2)
    waits = []
    for _ in range(7):
        attempt = _fail(brake)
        while not attempt.granted:
            waits.append(attempt.retry_after)
            time.sleep(attempt.retry_after + 0.01)
            attempt = _fail(brake)
    assert max(waits) <= 0.2


def test_parallel_reservations_stop_at_the_free_checks(redis_client: redis.Redis) -> None:
    brake = _brake(redis_client)
    granted = []

    def reserve() -> None:
        granted.append(_brake(redis_client).reserve_now("u", "a", "a"))

    threads = [threading.Thread(target=reserve) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(a.granted for a in granted) == 3
    assert {a.refused for a in granted if not a.granted} == {"busy"}
    for attempt in granted:
        brake.settle_now(attempt, succeeded=False)
    assert brake.reserve_now("u", "a", "a").refused == "user"


def test_a_success_resets_the_pair_and_returns_the_address_check(
        redis_client: redis.Redis) -> None:
    brake = _brake(redis_client, address_budget=3, address_refill=100)
    _fail(brake)
    _fail(brake)
    attempt = brake.reserve_now("u", "a", "a")
    brake.settle_now(attempt, succeeded=True)
    assert not redis_client.exists(f"{P}:brake:p:u:a")
    # 3 checks reserved, the success's given back: one is left, then none.
    assert _fail(brake, user="w").granted
    assert _fail(brake, user="x").refused == "address"


def test_the_address_budget_spans_replicas_and_refills(redis_client: redis.Redis) -> None:
    a = _brake(redis_client, address_budget=2, address_refill=0.3)
    b = _brake(redis_client, address_budget=2, address_refill=0.3)
    assert _fail(a, user="n1").granted and _fail(b, user="n2").granted
    refused = a.reserve_now("n3", "a", "a")
    assert refused.refused == "address" and 0 < refused.retry_after <= 0.3
    assert a.reserve_now("n3", "device:x", None).granted  # a known device spends no budget
    time.sleep(0.35)
    assert _fail(b, user="n3").granted


def test_a_check_never_settled_counts_as_a_failure(redis_client: redis.Redis) -> None:
    brake = _brake(redis_client, free_checks=1, lease=0.2)
    assert brake.reserve_now("u", "a", "a").granted  # its replica died mid-check
    assert brake.reserve_now("u", "a", "a").refused == "busy"
    time.sleep(0.25)
    assert brake.reserve_now("u", "a", "a").refused == "user"  # the lease ran out: a failure


def test_settling_twice_counts_once(redis_client: redis.Redis) -> None:
    brake = _brake(redis_client)
    attempt = brake.reserve_now("u", "a", "a")
    brake.settle_now(attempt, succeeded=False)
    brake.settle_now(attempt, succeeded=False)
    assert redis_client.hget(f"{P}:brake:p:u:a", "f") == b"1"


def test_failures_are_forgotten_and_every_key_expires(redis_client: redis.Redis) -> None:
    brake = _brake(redis_client, forget_after=0.2, free_checks=1, max_delay=0.1,
                   first_delay=0.1)
    _fail(brake)
    for key in redis_client.keys(f"{P}:brake:*"):
        if key != f"{P}:brake:tickets".encode():
            assert redis_client.pttl(key) > 0, key
    time.sleep(0.4)
    assert brake.reserve_now("u", "a", "a").granted


def test_the_async_calls_are_the_same_rules(redis_client: redis.Redis) -> None:
    brake = _brake(redis_client, free_checks=1)

    async def twice() -> str | None:
        attempt = await brake.reserve("u", "a", "a")
        await brake.settle(attempt, succeeded=False)
        return (await brake.reserve("u", "a", "a")).refused

    assert asyncio.run(twice()) == "user"


# ---- the file cache's registry -------------------------------------------------------------
def _record(path: str, size: int, used: float) -> Record:
    return Record(CacheEntry(Path(path), "a.txt", size, "text/plain"), 1, 2, used, used, {})


def test_the_registry_is_shared(redis_client: redis.Redis) -> None:
    a, b = RedisRegistry(redis_client, P), RedisRegistry(redis_client, P)
    a.add("/c/1/a.txt", _record("/c/1/a.txt", 10, 1.0))
    b.add("/c/2/b.txt", _record("/c/2/b.txt", 5, 2.0))
    assert a.total == b.total == 15 and len(a) == len(b) == 2
    got = b.get("/c/1/a.txt")
    assert got is not None and got.entry.size == 10 and (got.dev, got.ino) == (1, 2)
    b.touch("/c/1/a.txt", 3.0, "session-x")
    assert [k for k, _ in a.oldest_first()] == ["/c/2/b.txt", "/c/1/a.txt"]
    record = a.get("/c/1/a.txt")
    assert record is not None and list(record.holders) == ["session-x"]
    assert a.take("/c/2/b.txt") is not None and b.take("/c/2/b.txt") is None
    assert a.total == 10


def test_clear_drops_only_this_replicas_entries(redis_client: redis.Redis) -> None:
    a, b = RedisRegistry(redis_client, P), RedisRegistry(redis_client, P)
    a.add("/c/1/a.txt", _record("/c/1/a.txt", 10, 1.0))
    b.add("/c/2/b.txt", _record("/c/2/b.txt", 5, 2.0))
    a.clear()
    assert [k for k, _ in b.oldest_first()] == ["/c/2/b.txt"] and b.total == 5


def test_a_file_stored_by_one_cache_is_found_by_another(redis_client: redis.Redis,
                                                        tmp_path: Path) -> None:
    one = FileCache(tmp_path, registry=RedisRegistry(redis_client, P))
    two = FileCache(tmp_path, registry=RedisRegistry(redis_client, P))
    entry = one.store_bytes(b"hello", "hello.txt")
    found = two.lookup(str(entry.path))
    assert found is not None and found.size == 5
    planted = two.root / "planted.txt"
    planted.write_text("not issued")
    assert two.lookup(str(planted)) is None  # a file on the disk is not an entry
    swapped = tmp_path / "swapped.txt"
    swapped.write_text("hello")  # made while the entry exists: another inode
    swapped.replace(entry.path)  # same name, another file: refused
    assert two.lookup(str(entry.path)) is None


# ---- OpenID Connect ------------------------------------------------------------------------
def test_a_sign_in_started_on_one_replica_finishes_on_another_once(
        redis_client: redis.Redis) -> None:
    a = RedisPendingSignIns(redis_client, P, timeout=5)
    b = RedisPendingSignIns(redis_client, P, timeout=5)
    pending = a.start(nonce="n", code_verifier="v", redirect_uri="http://x/cb", target="/")
    assert b.take(pending.state) == pending
    assert a.take(pending.state) is None  # a replayed callback finds nothing


def test_a_sign_in_under_way_expires(redis_client: redis.Redis) -> None:
    pending = RedisPendingSignIns(redis_client, P, timeout=0.1).start(
        nonce="n", code_verifier="v", redirect_uri="http://x/cb", target="/")
    time.sleep(0.2)
    assert RedisPendingSignIns(redis_client, P, timeout=0.1).take(pending.state) is None


def test_a_signed_in_browser_is_known_on_every_replica(redis_client: redis.Redis) -> None:
    key = b"k" * 32
    a, b = RedisSignedInSessions(redis_client, P, key), RedisSignedInSessions(redis_client, P, key)
    who = SignedIn(OAuthProfile({"sub": "1", "name": "Ada"}), OAuthToken("tok", "openid", 9),
                   time.time() + 60)
    cookie = a.open(who)
    seen = b.who(cookie)
    assert seen is not None and seen.profile.name == "Ada" and seen.token.token == "tok"
    token, _, mac = cookie.partition(".")
    assert b.who(f"{token}.{'0' * len(mac)}") is None  # a forged MAC, before any lookup
    other = RedisSignedInSessions(redis_client, P, b"x" * 32)
    assert other.who(cookie) is None  # another secret: another cluster
    assert b.who("é.ü") is None and b.who(None) is None
    b.close(cookie)
    assert a.who(cookie) is None


def test_a_sign_in_ends_with_its_access_token(redis_client: redis.Redis) -> None:
    store = RedisSignedInSessions(redis_client, P, b"k" * 32)
    who = SignedIn(OAuthProfile({"sub": "1"}), OAuthToken("t", "", 0), time.time() + 1.1)
    cookie = store.open(who)
    assert store.who(cookie) is not None
    time.sleep(1.2)
    assert store.who(cookie) is None
