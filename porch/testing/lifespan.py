"""The ASGI lifespan of the app under test, as uvicorn would run it: the runtime's periodic
work (cache cleanup, session sweeps) runs while the test does, and shutdown is the real one."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any


class Lifespan:
    def __init__(self, app: Any) -> None:
        self.app = app
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._started = asyncio.Event()
        self._stopped = asyncio.Event()
        self._failure: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def _receive(self) -> dict[str, Any]:
        return await self._inbox.get()

    async def _send(self, message: MutableMapping[str, Any]) -> None:
        kind = message["type"]
        if kind.endswith(".failed"):
            self._failure = str(message.get("message", ""))
        if kind.startswith("lifespan.startup"):
            self._started.set()
        elif kind.startswith("lifespan.shutdown"):
            self._stopped.set()

    async def start(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self._task = asyncio.get_running_loop().create_task(
            self.app(scope, self._receive, self._send))
        await self._inbox.put({"type": "lifespan.startup"})
        await self._started.wait()
        if self._failure is not None:
            raise RuntimeError(f"the app failed to start: {self._failure}")

    async def stop(self) -> None:
        await self._inbox.put({"type": "lifespan.shutdown"})
        await self._stopped.wait()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
