"""porch.Client against porch servers: in-process (ASGI transport) and over real HTTP."""

from __future__ import annotations

import asyncio
import concurrent.futures
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

import porch
from porch.client import (
    AppError,
    AsyncClient,
    Client,
    QueueFull,
    Status,
    UploadRejected,
    handle_file,
)
from porch.server.app import create_app
from tests.client.scenario_app import build

LOCAL = "http://127.0.0.1/"  # porch answers local Host names only


@pytest.fixture
def in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path / "cache"))
    transport = httpx.ASGITransport(app=create_app(build(porch)))
    with Client(LOCAL, transport=transport, verbose=False,
                download_files=str(tmp_path / "dl")) as client:
        yield client


@pytest.fixture
def url(serve: Callable[..., str]) -> str:
    return serve(build(porch)) + "/"


# ---- in process --------------------------------------------------------------------------------


def test_asgi_predict_with_defaults_and_tuples(in_process: Client) -> None:
    assert in_process.predict("x", api_name="/greet") == "Hello x!"
    assert in_process.predict(b=2, api_name="/add") == 3
    assert in_process.predict("ab", api_name="/split") == ("AB", 2)


def test_asgi_state_and_reset_session(in_process: Client) -> None:
    first = in_process.session_hash
    assert in_process.predict("one", api_name="/remember") == "one"
    assert in_process.predict("two", api_name="/remember") == "one, two"
    in_process.reset_session()
    assert in_process.session_hash != first
    assert in_process.predict("three", api_name="/remember") == "three"


def test_asgi_generator_outputs(in_process: Client) -> None:
    job = in_process.submit(3, api_name="/count")
    assert list(job) == ["0 ", "0 1 ", "0 1 2 "]
    assert job.status().code is Status.FINISHED


def test_asgi_async_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path))
    app = create_app(build(porch))

    async def scenario() -> None:
        client = AsyncClient(LOCAL, transport=httpx.ASGITransport(app=app), verbose=False)
        try:
            # Connects on first use.
            assert await client.predict("x", api_name="/greet") == "Hello x!"
            info = await client.view_api(print_info=False, return_format="dict")
            assert isinstance(info, dict) and "/greet" in info["named_endpoints"]
            assert await client.predict("one", api_name="/remember") == "one"
            await client.reset_session()
            assert await client.predict("two", api_name="/remember") == "two"
        finally:
            await client.close()

    asyncio.run(scenario())


def test_view_api_prints_and_returns(in_process: Client,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert in_process.view_api() is None
    printed = capsys.readouterr().out
    assert 'predict(a, b, api_name="/add") -> total' in printed
    assert "a: float  [Number]  default 1" in printed
    assert "b: float  [Number]  required" in printed
    assert printed == f'{in_process.view_api(print_info=False, return_format="str")}\n'
    info = in_process.view_api(print_info=False, return_format="dict")
    assert isinstance(info, dict)
    assert info["unnamed_endpoints"] == {}
    assert "api_visibility" not in info["named_endpoints"]["/greet"]


# ---- over HTTP -----------------------------------------------------------------------------------


def test_status_moves_through_the_queue(url: str) -> None:
    with Client(url, verbose=False) as client:
        first = client.submit(0.6, api_name="/slow_one")
        while first.status().code is not Status.PROCESSING and not first.done():
            time.sleep(0.01)
        second = client.submit(0.6, api_name="/slow_one")
        codes = []
        while not second.done():
            status = second.status()
            if not codes or codes[-1][0] is not status.code:
                codes.append((status.code, status.rank, status.queue_size))
            time.sleep(0.005)
        assert first.result() == 0.6 and second.result() == 0.6
    assert (Status.IN_QUEUE, 0, 1) in codes
    names = [code for code, _, _ in codes]
    assert names.index(Status.IN_QUEUE) < names.index(Status.PROCESSING)
    assert second.status().code is Status.FINISHED


def test_queue_full(serve: Callable[..., str]) -> None:
    demo = build(porch).queue(max_size=1)
    with Client(serve(demo), verbose=False) as client:
        running = client.submit(0.6, api_name="/slow_one")
        while running.status().code is not Status.PROCESSING:
            time.sleep(0.01)
        waiting = client.submit(0.1, api_name="/slow_one")
        while waiting.status().code is not Status.IN_QUEUE:
            time.sleep(0.01)
        refused = client.submit(0.1, api_name="/slow_one")
        with pytest.raises(QueueFull, match="full"):
            refused.result(timeout=5)
        assert refused.status().success is False
        assert waiting.result(timeout=5) == 0.1


def test_show_error_reveals_internal_errors(serve: Callable[..., str]) -> None:
    with Client(serve(build(porch), show_error=True), verbose=False) as client:
        with pytest.raises(AppError, match="secret internal detail q"):
            client.predict("q", api_name="/crash")


def test_upload_limit_is_checked_before_sending(serve: Callable[..., str],
                                                tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 1025)
    small = tmp_path / "small.txt"
    small.write_text("fine")
    with Client(serve(build(porch), max_file_size="1kb"), verbose=False,
                download_files=str(tmp_path / "dl")) as client:
        with pytest.raises(UploadRejected, match="max_file_size of 1024"):
            client.predict(handle_file(big), api_name="/shout_file")
        assert Path(client.predict(handle_file(small), api_name="/shout_file")).read_text() \
            == "FINE"


def test_cancelled_job_ends_quickly_and_the_client_goes_on(url: str) -> None:
    with Client(url, verbose=False) as client:
        job = client.submit(500, api_name="/count")
        next(job)
        assert job.cancel() is True
        with pytest.raises(concurrent.futures.CancelledError):
            job.result(timeout=1)
        assert list(job) == job.outputs()[1:]
        assert client.predict("x", api_name="/greet") == "Hello x!"


def test_cancel_a_queued_job_in_the_same_session(url: str) -> None:
    """porch cancels exactly the event named (Gradio 6.31 also stops the running job of the
    same endpoint in the same session; see tests/compat)."""
    with Client(url, verbose=False) as client:
        blocker = client.submit(0.6, api_name="/slow_one")
        while blocker.status().code is not Status.PROCESSING:
            time.sleep(0.01)
        queued = client.submit(0.3, api_name="/slow_one")
        while queued.status().code is not Status.IN_QUEUE:
            time.sleep(0.01)
        assert queued.cancel() is True
        assert blocker.result(timeout=5) == 0.6
        assert queued.status().code is Status.CANCELLED and queued.outputs() == []


def test_result_timeout(url: str) -> None:
    with Client(url, verbose=False) as client:
        job = client.submit(0.5, api_name="/slow_one")
        with pytest.raises(TimeoutError):
            job.result(timeout=0.05)
        assert job.result(timeout=5) == 0.5


def test_result_callbacks_get_the_values(url: str) -> None:
    got: list[tuple[object, ...]] = []
    done = threading.Event()

    def callback(*values: object) -> None:
        got.append(values)
        done.set()

    with Client(url, verbose=False) as client:
        client.submit("ab", api_name="/split", result_callbacks=[callback]).result(timeout=5)
        assert done.wait(5)
    assert got == [("AB", 2)]


def test_close_stops_the_background_thread(url: str) -> None:
    before = {t.ident for t in threading.enumerate()}
    client = Client(url, verbose=True)
    assert client.predict("x", api_name="/greet") == "Hello x!"
    client.close()
    client.close()  # closing twice is fine
    left = [t for t in threading.enumerate() if t.ident not in before and t.name ==
            "porch-client"]
    assert left == []
    with pytest.raises(RuntimeError, match="closed"):
        client.predict("x", api_name="/greet")


def test_import_porch_client_stays_light() -> None:
    code = (
        "import sys, porch.client, porch; porch.Client; "
        "bad = [m for m in ('starlette', 'uvicorn', 'numpy', 'PIL', 'gradio', 'gradio_client')"
        " if m in sys.modules]; print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


def test_porch_exports_the_client_lazily() -> None:
    code = (
        "import sys, porch; assert 'httpx' not in sys.modules; "
        "from porch import Client, AsyncClient, handle_file; "
        "import porch.client as c; assert Client is c.Client and handle_file is c.handle_file;"
        "assert AsyncClient is c.AsyncClient; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "ok"
