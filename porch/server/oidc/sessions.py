"""What a sign-in leaves on the server: sign-ins under way (by `state`) and signed-in
browsers (by a signed cookie). The runtime asks its `Backend` for both (`PendingStore`,
`SignedInStore`); the ones here keep them in this process' memory, like `auth.Sessions` (a
restart signs everyone out). A cluster backend keeps them where every replica sees them,
with one cookie key for all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from porch.blocks.oauth import OAuthProfile, OAuthToken
from porch.server.oidc.checks import random_token

Clock = Callable[[], float]


@dataclass(frozen=True)
class PendingSignIn:
    """One trip to the issuer: what its answer must match, and where to go afterwards."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    target: str
    started: float


class PendingStore(Protocol):
    def start(self, *, nonce: str, code_verifier: str, redirect_uri: str,
              target: str) -> PendingSignIn: ...

    def take(self, state: str) -> PendingSignIn | None: ...


class PendingSignIns:
    """Sign-ins under way. Each `state` is taken once: a replayed callback finds nothing."""

    def __init__(self, timeout: float, *, limit: int = 10_000,
                 clock: Clock = time.monotonic) -> None:
        self.timeout = timeout
        self.limit = limit
        self.clock = clock
        self._pending: OrderedDict[str, PendingSignIn] = OrderedDict()

    def start(self, *, nonce: str, code_verifier: str, redirect_uri: str,
              target: str) -> PendingSignIn:
        self._drop_expired()
        pending = PendingSignIn(random_token(), nonce, code_verifier, redirect_uri, target,
                                self.clock())
        self._pending[pending.state] = pending
        while len(self._pending) > self.limit:  # a flood of starts pushes out the oldest
            self._pending.popitem(last=False)
        return pending

    def take(self, state: str) -> PendingSignIn | None:
        """The sign-in `state` names, once, if it has not expired."""
        pending = self._pending.pop(state, None)
        if pending is None or self.clock() - pending.started > self.timeout:
            return None
        return pending

    def _drop_expired(self) -> None:
        now = self.clock()
        while self._pending:
            oldest = next(iter(self._pending.values()))
            if now - oldest.started <= self.timeout:
                break
            self._pending.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pending)


@dataclass(frozen=True)
class SignedIn:
    profile: OAuthProfile
    token: OAuthToken
    expires_at: float  # Unix time: the access token's expiry, after which nobody is signed in


class SignedInStore(Protocol):
    def open(self, who: SignedIn) -> str: ...

    def who(self, cookie: str | None) -> SignedIn | None: ...

    def close(self, cookie: str | None) -> None: ...


class SignedInSessions:
    """Signed-in browsers: cookie `<token>.<mac>` -> who. The token is random; the MAC (keyed
    per process) refuses a made-up cookie before any lookup."""

    def __init__(self, *, limit: int = 10_000, clock: Clock = time.time) -> None:
        self.limit = limit
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._sessions: OrderedDict[str, SignedIn] = OrderedDict()

    def _mac(self, token: str) -> str:
        return hmac.new(self._key, token.encode("utf-8", "surrogatepass"),
                        hashlib.sha256).hexdigest()

    def open(self, who: SignedIn) -> str:
        token = random_token()
        self._sessions[token] = who
        while len(self._sessions) > self.limit:
            self._sessions.popitem(last=False)
        return f"{token}.{self._mac(token)}"

    def _token(self, cookie: str | None) -> str | None:
        token, _, mac = (cookie or "").partition(".")
        # Bytes: a cookie may carry any character, and compare_digest takes only ASCII str.
        if token and mac and hmac.compare_digest(mac.encode("utf-8", "surrogatepass"),
                                                 self._mac(token).encode()):
            return token
        return None

    def who(self, cookie: str | None) -> SignedIn | None:
        token = self._token(cookie)
        who = None if token is None else self._sessions.get(token)
        if who is None:
            return None
        if who.expires_at <= self.clock():
            del self._sessions[token]  # type: ignore[arg-type]
            return None
        return who

    def close(self, cookie: str | None) -> None:
        token = self._token(cookie)
        if token is not None:
            self._sessions.pop(token, None)

    def __len__(self) -> int:
        return len(self._sessions)
