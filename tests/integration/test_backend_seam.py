"""The runtime keeps everything requests share in the backend it is given (the seams a
cluster backend fills, issue 12): a real server over a backend that records what it handed
out, driven over HTTP through a login, an upload, State and a queued call."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

import porch as gr
from porch.files.registry import MemoryRegistry, Record
from porch.queue.channels import MemoryBus
from porch.queue.scheduler import Job, Scheduler
from porch.queue.sessions import MemoryStateStore
from porch.server.app import create_app
from porch.server.auth import Sessions
from porch.server.backend import MemoryBackend
from porch.server.brake import Attempt, MemoryLoginBrake
from porch.server.settings import Settings
from tests.conftest import free_port


class Recording(MemoryBackend):
    """Today's parts, each noting its first use, so the test sees the runtime used them."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def message_bus(self, **options: Any) -> Any:
        used = self.used

        class Bus(MemoryBus):
            def open(self, key: str) -> Any:
                used.add("bus")
                return super().open(key)

        return Bus(**options)

    def job_queue(self, *, max_size: int | None) -> Any:
        used = self.used

        class Queue(Scheduler):
            def submit(self, job: Job) -> None:
                used.add("queue")
                super().submit(job)

        return Queue(max_size=max_size)

    def state_store(self, **options: Any) -> Any:
        used = self.used

        class Store(MemoryStateStore):
            def open(self, session_hash: str, **kw: Any) -> Any:
                used.add("states")
                return super().open(session_hash, **kw)

        return Store(**options)

    def cache_registry(self) -> Any:
        used = self.used

        class Registry(MemoryRegistry):
            def add(self, key: str, record: Record) -> None:
                used.add("registry")
                super().add(key, record)

        return Registry()

    def login_sessions(self) -> Any:
        used = self.used

        class Logins(Sessions):
            def open(self, username: str) -> str:
                used.add("logins")
                return super().open(username)

        return Logins()

    def login_brake(self) -> Any:
        used = self.used

        class Brake(MemoryLoginBrake):
            async def reserve(self, user: str, source: str, address: str | None) -> Attempt:
                used.add("brake")
                return await super().reserve(user, source, address)

        return Brake()


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        file, out, count = gr.File(), gr.Textbox(), gr.State(0)

        def size(path: str, n: int) -> tuple[str, int]:
            with open(path, "rb") as handle:
                return f"{len(handle.read())}:{n + 1}", n + 1

        gr.Button().click(size, [file, count], [out, count], api_name="size")
    return demo


@pytest.fixture
def served(tmp_path, monkeypatch) -> Iterator[tuple[str, Recording]]:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path))
    backend = Recording()
    settings = Settings.build(server_name="127.0.0.1", auth=("ada", "lovelace"), quiet=True)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(app(), settings, backend),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/config", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    yield url, backend
    server.should_exit = True
    thread.join(10)


def test_every_shared_part_comes_from_the_backend(served: tuple[str, Recording]) -> None:
    url, backend = served
    with httpx.Client(base_url=url, timeout=30) as client:
        assert client.post("/login", data={"username": "ada", "password": "lovelace"},
                           ).status_code in (200, 302, 303)
        ref = client.post("/gradio_api/upload",
                          files={"files": ("a.bin", b"x" * 42)}).json()[0]
        session = uuid.uuid4().hex
        data = {"data": [{"path": ref, "meta": {"_type": "gradio.FileData"}}, None],
                "fn_index": 0, "session_hash": session}
        assert client.post("/gradio_api/queue/join", json=data).status_code == 200
        with client.stream("GET", "/gradio_api/queue/data",
                           params={"session_hash": session}) as stream:
            assert any('"42:1"' in line for line in stream.iter_lines())
    assert backend.used == {"bus", "queue", "states", "registry", "logins", "brake"}


def test_a_brake_the_app_passes_itself_wins_over_the_backends(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path))
    mine = MemoryLoginBrake()
    settings = Settings.build(auth=("ada", "lovelace"), login_brake=mine)
    backend = Recording()
    create_app(app(), settings, backend)
    assert settings.auth is not None and settings.auth.brake is mine
    assert type(settings.auth.sessions).__name__ == "Logins"  # the backend's logins
