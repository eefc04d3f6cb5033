"""Redis replies as the types porch uses: redis-py types them loosely (`bytes | str | ...`)
because decoding is a client option; porch's clients never decode, so replies are bytes."""

from __future__ import annotations

from typing import Any


def as_bytes(reply: Any) -> bytes:
    if isinstance(reply, bytes):
        return reply
    if isinstance(reply, str):
        return reply.encode("utf-8", "surrogatepass")
    raise TypeError(f"expected a Redis string reply, got {type(reply).__name__}")


def as_text(reply: Any) -> str:
    return as_bytes(reply).decode("utf-8", "surrogatepass")
