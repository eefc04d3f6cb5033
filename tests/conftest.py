"""Fixtures shared by every test folder: a real uvicorn server for an app, on a free port."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from hypothesis import settings

import porch

# Property tests assert rules, not speed: on a loaded 2-core CI machine one example can take
# longer than hypothesis' default 200 ms deadline without anything being wrong.
settings.register_profile("porch", deadline=None)
settings.load_profile("porch")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_app(demo: porch.Blocks, **options: Any) -> str:
    """Launch `demo` on 127.0.0.1 on a free port and prove it answers; the caller closes it."""
    options.setdefault("quiet", True)
    _, url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                            server_port=free_port(), **options)
    # launch() returns once uvicorn reports it is serving; prove it answers.
    # (401: the app has a login.)
    assert httpx.get(url + "/config", timeout=5, verify=False).status_code in (200, 401)
    return str(url)


@contextmanager
def launched(demo: porch.Blocks, **options: Any) -> Iterator[str]:
    """`with launched(demo) as url:` for module-scoped fixtures (no trailing slash)."""
    url = start_app(demo, **options)
    try:
        yield url.rstrip("/")
    finally:
        demo.close()


@pytest.fixture
def serve(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
          ) -> Iterator[Callable[..., str]]:
    """`url = serve(demo, **launch_options)`: launch on 127.0.0.1, closed after the test."""
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path_factory.mktemp("cache")))
    started: list[porch.Blocks] = []

    def start(demo: porch.Blocks, **options: Any) -> str:
        url = start_app(demo, **options)
        started.append(demo)
        return url

    yield start
    for demo in started:
        demo.close()
