"""Values every replica reads: pickled, and signed so that only a replica wrote them.

Unpickling runs code, so bytes read from Redis are verified before `pickle.loads` sees them:
HMAC-SHA256 under a key derived from the cluster's secret (`Signer`). Anyone who can write
to the Redis but lacks the secret can delete values, never run code in a replica.
"""

from __future__ import annotations

import hashlib
import hmac
import pickle
from typing import Any

from porch.errors import ConfigError

VERSION = b"p1"  # the format: VERSION + 32-byte MAC + pickle
_MAC_BYTES = 32


class TamperedValue(ValueError):
    """Bytes in the shared store that no replica of this cluster signed."""


class StateNotShareable(ConfigError, TypeError):
    """A State value that cannot travel between replicas (it does not pickle)."""


def derive(secret: bytes, purpose: str) -> bytes:
    """A key for one use of the cluster's secret (values, cookies, sign-ins): one leaked
    derived key does not give the others."""
    return hmac.new(secret, b"porch:" + purpose.encode(), hashlib.sha256).digest()


class Signer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, context: bytes, payload: bytes) -> bytes:
        # The context (which session, which State) is signed too: a valid value copied into
        # another session's or another State's place is refused like a forged one.
        return hmac.new(self._key, len(context).to_bytes(4, "big") + context + payload,
                        hashlib.sha256).digest()

    def sign(self, payload: bytes, context: bytes = b"") -> bytes:
        return VERSION + self._mac(context, payload) + payload

    def verify(self, data: bytes, context: bytes = b"") -> bytes:
        """The payload of `data`, or TamperedValue."""
        head, mac = data[:len(VERSION)], data[len(VERSION):len(VERSION) + _MAC_BYTES]
        payload = data[len(VERSION) + _MAC_BYTES:]
        if head != VERSION or len(mac) != _MAC_BYTES or \
                not hmac.compare_digest(mac, self._mac(context, payload)):
            raise TamperedValue("a shared value's signature does not match: it was not "
                                "written by a replica holding this cluster's secret")
        return payload

    def dumps(self, value: Any, context: bytes = b"", *, what: str = "value") -> bytes:
        try:
            payload = pickle.dumps(value, protocol=5)
        except Exception as exc:  # pickle raises TypeError, AttributeError, PicklingError...
            raise StateNotShareable(
                f"{what} holds a {type(value).__name__} that cannot be pickled ({exc}), so "
                "it cannot be kept in the cluster's shared store. Use gr.State(local=True) "
                "to keep it in this replica's memory only, or keep a handle (an id) in the "
                "State and the object elsewhere.") from exc
        return self.sign(payload, context)

    def loads(self, data: bytes, context: bytes = b"") -> Any:
        return pickle.loads(self.verify(data, context))  # noqa: S301 - verified first
