"""The small shared stores of a cluster, in Redis: logins, the file cache's registry, and
OpenID Connect sign-ins (under way, and signed in). Each expires by Redis TTL, not by a
sweeper; none holds a secret a dump of the Redis would leak (tokens are kept hashed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import redis

from porch.blocks.oauth import OAuthProfile, OAuthToken
from porch.cluster.replies import as_bytes, as_text
from porch.files.registry import CacheEntry, Record
from porch.server.oidc.checks import random_token
from porch.server.oidc.sessions import PendingSignIn, SignedIn

LOGIN_TTL = 7 * 24 * 3600  # a login unused this long ends (each use renews it)


def _hashed(token: str) -> str:
    # Only the hash is a key: whoever reads the Redis learns no cookie it could present.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class RedisLoginSessions:
    """`LoginSessions`: `<prefix>:auth:tok:<sha256(token)>` -> user name, with a sliding TTL;
    `<prefix>:auth:user:<sha256(name)>` the set of a user's token hashes (for logging out
    everywhere)."""

    def __init__(self, client: redis.Redis, prefix: str, ttl: int = LOGIN_TTL) -> None:
        self.client = client
        self.prefix = f"{prefix}:auth"
        self.ttl = ttl

    def _user_key(self, username: str) -> str:
        return f"{self.prefix}:user:{_hashed(username)}"

    def open(self, username: str) -> str:
        import secrets

        token = secrets.token_urlsafe(32)
        hashed = _hashed(token)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(f"{self.prefix}:tok:{hashed}", username, ex=self.ttl)
            pipe.sadd(self._user_key(username), hashed)
            pipe.expire(self._user_key(username), self.ttl)
            pipe.execute()
        return token

    def user(self, token: str) -> str | None:
        found = self.client.getex(f"{self.prefix}:tok:{_hashed(token)}", ex=self.ttl)
        return None if found is None else as_text(found)

    def close(self, token: str) -> None:
        key = f"{self.prefix}:tok:{_hashed(token)}"
        with self.client.pipeline(transaction=True) as pipe:
            pipe.get(key)
            pipe.delete(key)
            user, _ = pipe.execute()
        if user is not None:
            self.client.srem(self._user_key(as_text(user)), _hashed(token))

    def close_user(self, username: str) -> None:
        hashes = self.client.smembers(self._user_key(username))
        keys = [f"{self.prefix}:tok:{as_text(h)}" for h in hashes]
        self.client.delete(self._user_key(username), *keys)


class RedisRegistry:
    """`CacheRegistry` shared by every replica whose cache sits on the same storage:
    `<prefix>:f:e:<path>` one entry's record (JSON), `<prefix>:f:lru` a ZSET of entries by
    last use, `<prefix>:f:bytes` the total. The entries this replica added are remembered,
    so its `clear()` (its cache closing and deleting its own folder) drops only those."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = f"{prefix}:f"
        self._mine: set[str] = set()

    def _entry(self, key: str) -> str:
        return f"{self.prefix}:e:{key}"

    @property
    def total(self) -> int:
        return int(self.client.get(f"{self.prefix}:bytes") or 0)

    def add(self, key: str, record: Record) -> None:
        self.take(key)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self._entry(key), _record_json(record))
            pipe.zadd(f"{self.prefix}:lru", {key: record.used})
            pipe.incrby(f"{self.prefix}:bytes", record.entry.size)
            pipe.execute()
        self._mine.add(key)

    def get(self, key: str) -> Record | None:
        data = self.client.get(self._entry(key))
        return None if data is None else _record(as_bytes(data))

    def touch(self, key: str, when: float, holder: str | None) -> None:
        record = self.get(key)
        if record is None:
            return
        record.used = when
        record.held_by(holder)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self._entry(key), _record_json(record), xx=True)
            pipe.zadd(f"{self.prefix}:lru", {key: when}, xx=True)
            pipe.execute()

    def take(self, key: str) -> Record | None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.getdel(self._entry(key))
            pipe.zrem(f"{self.prefix}:lru", key)
            data, _ = pipe.execute()
        self._mine.discard(key)
        if data is None:
            return None  # another replica took it first: only one subtracts its size
        record = _record(as_bytes(data))
        self.client.decrby(f"{self.prefix}:bytes", record.entry.size)
        return record

    def oldest_first(self) -> list[tuple[str, Record]]:
        keys = [as_text(k) for k in self.client.zrange(f"{self.prefix}:lru", 0, -1)]
        if not keys:
            return []
        found = self.client.mget([self._entry(k) for k in keys])
        return [(k, _record(as_bytes(d))) for k, d in zip(keys, found, strict=True)
                if d is not None]

    def clear(self) -> None:
        for key in list(self._mine):
            self.take(key)

    def __len__(self) -> int:
        return int(self.client.zcard(f"{self.prefix}:lru"))


def _record_json(record: Record) -> str:
    entry = record.entry
    return json.dumps({"path": str(entry.path), "orig_name": entry.orig_name,
                       "size": entry.size, "mime_type": entry.mime_type, "dev": record.dev,
                       "ino": record.ino, "created": record.created, "used": record.used,
                       "holders": list(record.holders)})


def _record(data: bytes) -> Record:
    raw: dict[str, Any] = json.loads(data)
    entry = CacheEntry(Path(raw["path"]), raw["orig_name"], int(raw["size"]), raw["mime_type"])
    return Record(entry, int(raw["dev"]), int(raw["ino"]), float(raw["created"]),
                  float(raw["used"]), dict.fromkeys(raw["holders"]))


class RedisPendingSignIns:
    """`PendingStore`: `<prefix>:oidc:p:<state>` -> the sign-in (JSON), expiring after the
    login timeout; taken with GETDEL, so a replayed callback finds nothing on any replica."""

    def __init__(self, client: redis.Redis, prefix: str, timeout: float) -> None:
        self.client = client
        self.prefix = f"{prefix}:oidc:p"
        self.timeout = timeout

    def start(self, *, nonce: str, code_verifier: str, redirect_uri: str,
              target: str) -> PendingSignIn:
        pending = PendingSignIn(random_token(), nonce, code_verifier, redirect_uri, target,
                                time.time())
        self.client.set(f"{self.prefix}:{pending.state}", json.dumps(pending.__dict__),
                        px=max(int(self.timeout * 1000), 1))
        return pending

    def take(self, state: str) -> PendingSignIn | None:
        data = self.client.getdel(f"{self.prefix}:{state}")
        if data is None:
            return None
        pending = PendingSignIn(**json.loads(data))
        if time.time() - pending.started > self.timeout:
            return None
        return pending


class RedisSignedInSessions:
    """`SignedInStore`: cookie `<token>.<mac>` (the MAC under a key every replica derives
    from the cluster's secret) -> `<prefix>:oidc:s:<sha256(token)>`, expiring with the
    access token."""

    def __init__(self, client: redis.Redis, prefix: str, key: bytes) -> None:
        self.client = client
        self.prefix = f"{prefix}:oidc:s"
        self._key = key

    def _mac(self, token: str) -> str:
        return hmac.new(self._key, token.encode("utf-8", "surrogatepass"),
                        hashlib.sha256).hexdigest()

    def open(self, who: SignedIn) -> str:
        token = random_token()
        data = json.dumps({"profile": dict(who.profile), "token": who.token.__dict__,
                           "expires_at": who.expires_at})
        ttl = max(int(who.expires_at - time.time()), 1)
        self.client.set(f"{self.prefix}:{_hashed(token)}", data, ex=ttl)
        return f"{token}.{self._mac(token)}"

    def _token(self, cookie: str | None) -> str | None:
        token, _, mac = (cookie or "").partition(".")
        if token and mac and hmac.compare_digest(mac.encode("utf-8", "surrogatepass"),
                                                 self._mac(token).encode()):
            return token
        return None

    def who(self, cookie: str | None) -> SignedIn | None:
        token = self._token(cookie)
        data = None if token is None else self.client.get(f"{self.prefix}:{_hashed(token)}")
        if data is None:
            return None
        raw = json.loads(data)
        who = SignedIn(OAuthProfile(raw["profile"]), OAuthToken(**raw["token"]),
                       float(raw["expires_at"]))
        return who if who.expires_at > time.time() else None

    def close(self, cookie: str | None) -> None:
        token = self._token(cookie)
        if token is not None:
            self.client.delete(f"{self.prefix}:{_hashed(token)}")
