"""porch.Client drives porch and the real Gradio 6.31.0 alike.

Every scenario runs twice: against the scenario app served by porch, and against the same
app (tests/client/scenario_app.py) served by Gradio in a subprocess. A scenario that passes
on one and fails on the other is a behaviour difference between the servers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import porch
from porch.client import (
    AppError,
    AsyncClient,
    AuthenticationError,
    Client,
    Status,
    UploadRejected,
    handle_file,
)
from tests.client.scenario_app import build
from tests.conftest import free_port

pytestmark = pytest.mark.compat

ROOT = Path(__file__).resolve().parents[2]
USER = ("alice", "s3cret")


class GradioServers:
    def __init__(self, url: str, guarded_url: str) -> None:
        self.url = url
        self.guarded_url = guarded_url


def _wait_for_config(url: str, process: subprocess.Popen[bytes], log: Path,
                     expect: int = 200) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Gradio exited with {process.returncode}:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url + "config", timeout=2).status_code == expect:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"Gradio did not answer on {url} within 120 s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="session")
def gradio_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GradioServers]:
    if importlib.util.find_spec("gradio") is None:
        pytest.skip("gradio is not installed (pip install -e '.[test]')")
    port, guarded_port = free_port(), free_port()
    folder = tmp_path_factory.mktemp("gradio")
    log = folder / "gradio.log"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_TEMP_DIR": str(folder / "cache"),
           "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.compat.gradio_app", str(port), str(guarded_port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        guarded = f"http://127.0.0.1:{guarded_port}/"
        _wait_for_config(url, process, log)
        _wait_for_config(guarded, process, log, expect=401)
        yield GradioServers(url, guarded)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    """One app to drive: which server runs it, and how to reach it."""

    def __init__(self, kind: str, url: str, guarded: Callable[[], str]) -> None:
        self.kind = kind
        self.url = url
        self._guarded = guarded

    def guarded_url(self) -> str:
        """The app behind a login, with max_file_size=1kb and show_error=True."""
        return self._guarded()


@pytest.fixture(params=["porch", "gradio"])
def server(request: pytest.FixtureRequest, serve: Callable[..., str]) -> Server:
    if request.param == "gradio":
        servers: GradioServers = request.getfixturevalue("gradio_servers")
        return Server("gradio", servers.url, lambda: servers.guarded_url)

    def porch_guarded() -> str:
        # Not through `serve`, which expects /config to answer without a login.
        demo = build(porch)
        try:
            _, url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                                    server_port=free_port(), quiet=True, auth=USER,
                                    max_file_size="1kb", show_error=True)
        except TypeError as exc:
            pytest.skip(f"porch's launch() does not take auth= yet ({exc})")
        request.addfinalizer(demo.close)
        return url + "/"

    return Server("porch", serve(build(porch)) + "/", porch_guarded)


@pytest.fixture
def client(server: Server, tmp_path: Path) -> Iterator[Client]:
    with Client(server.url, verbose=False, download_files=str(tmp_path / "downloads")) as c:
        yield c


def _has(client: Client, api_name: str) -> bool:
    return api_name in client.view_api(print_info=False, return_format="dict")[
        "named_endpoints"]


# ---- calling ------------------------------------------------------------------------------


def test_predict_positional(client: Client) -> None:
    assert client.predict("x", api_name="/greet") == "Hello x!"


def test_predict_keywords_and_defaults(client: Client) -> None:
    assert client.predict(b=5, api_name="/add") == 6
    assert client.predict(2, b=5, api_name="/add") == 7
    with pytest.raises(TypeError):
        client.predict(api_name="/add")


def test_several_outputs_come_as_a_tuple(client: Client) -> None:
    assert client.predict("abc", api_name="/split") == ("ABC", 3)


def test_unknown_endpoint_is_refused_before_sending(client: Client) -> None:
    with pytest.raises(ValueError, match="greet"):
        client.predict("x", api_name="greet")


def test_submit_and_iterate_a_generator(client: Client) -> None:
    job = client.submit(4, api_name="/count")
    seen = list(job)
    assert seen == ["0 ", "0 1 ", "0 1 2 ", "0 1 2 3 "]
    assert job.result(timeout=10) == "0 1 2 3 "
    assert job.outputs() == seen
    assert job.status().code is Status.FINISHED and job.status().success is True


def test_two_jobs_share_one_stream(client: Client) -> None:
    jobs = [client.submit(n, api_name="/count") for n in (3, 5)]
    assert [job.result(timeout=15) for job in jobs] == ["0 1 2 ", "0 1 2 3 4 "]
    assert client.predict("after", api_name="/greet") == "Hello after!"


def test_app_error_carries_its_fields(client: Client) -> None:
    with pytest.raises(AppError) as caught:
        client.predict("x", api_name="/fail")
    error = caught.value
    assert (error.message, error.title, error.duration, error.visible) == (
        "Custom failure: x", "Bad input", 5, True)
    assert isinstance(error, ValueError)


def test_internal_errors_stay_hidden(client: Client) -> None:
    with pytest.raises(AppError) as caught:
        client.predict("x", api_name="/crash")
    assert "secret" not in str(caught.value)
    assert "show_error=True" in str(caught.value)


def test_state_lives_per_session(client: Client) -> None:
    assert client.predict("one", api_name="/remember") == "one"
    assert client.predict("two", api_name="/remember") == "one, two"
    client.reset_session()
    assert client.predict("three", api_name="/remember") == "three"


# ---- status ---------------------------------------------------------------------------------


def _watch(job: Any, timeout: float = 20) -> list[Any]:
    seen = []
    deadline = time.monotonic() + timeout
    while not job.done() and time.monotonic() < deadline:
        seen.append(job.status())
        time.sleep(0.01)
    seen.append(job.status())
    return seen


def test_queue_rank_under_concurrency_limit_one(client: Client) -> None:
    first = client.submit(0.8, api_name="/slow_one")
    while first.status().code is not Status.PROCESSING and not first.done():
        time.sleep(0.01)
    second = client.submit(0.8, api_name="/slow_one")
    seen = _watch(second)
    assert first.result(timeout=10) == 0.8 and second.result(timeout=10) == 0.8
    queued = [s for s in seen if s.code is Status.IN_QUEUE]
    assert queued, [s.code for s in seen]
    assert all(isinstance(s.rank, int) and s.rank >= 0 for s in queued)
    assert any(s.code is Status.PROCESSING for s in seen)
    assert seen[-1].code is Status.FINISHED


def test_logs_show_as_log_statuses(client: Client) -> None:
    job = client.submit("x", api_name="/chatty")
    seen = _watch(job)
    logs = [s.log for s in seen if s.code is Status.LOG]
    assert ("starting x", "info") in logs
    assert ("almost done", "warning") in logs
    assert job.result() == "x"


def test_progress_shows_as_progress_statuses(client: Client, server: Server) -> None:
    if not _has(client, "/steps"):
        pytest.skip(f"{server.kind} has no gr.Progress")
    job = client.submit(4, api_name="/steps")
    seen = _watch(job)
    units = [s.progress_data[0] for s in seen
             if s.code is Status.PROGRESS and s.progress_data]
    assert units and units[-1].length == 4 and units[-1].desc == "working"
    assert job.result() == "done"


def test_cancel_a_running_generator(client: Client) -> None:
    job = client.submit(500, api_name="/count")
    deadline = time.monotonic() + 10
    while not job.outputs() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job.cancel() is True
    assert job.status().code is Status.CANCELLED and job.done()
    with pytest.raises(concurrent.futures.CancelledError):
        job.result()
    assert 0 < len(job.outputs()) < 500
    assert job.cancel() is False
    assert client.predict("after", api_name="/greet") == "Hello after!"


def test_cancel_a_queued_job(client: Client, server: Server) -> None:
    # The running job belongs to another session: Gradio's /cancel stops every running
    # event of the same endpoint *in the cancelling session*, which would be the blocker.
    with Client(server.url, verbose=False) as other:
        blocker = other.submit(0.8, api_name="/slow_one")
        while blocker.status().code is not Status.PROCESSING:
            time.sleep(0.01)
        queued = client.submit(0.3, api_name="/slow_one")
        while queued.status().code is not Status.IN_QUEUE:
            time.sleep(0.01)
        assert queued.cancel() is True
        assert blocker.result(timeout=10) == 0.8
    assert queued.status().code is Status.CANCELLED
    assert queued.outputs() == []
    assert client.predict(0.1, api_name="/slow_one") == 0.1


# ---- files ----------------------------------------------------------------------------------


def test_upload_and_download(client: Client, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("hello file")
    result = client.predict(handle_file(source), api_name="/shout_file")
    local = Path(result)
    assert local.read_text() == "HELLO FILE"
    assert local.name == "shouted.txt"
    assert local.parent.parent == (tmp_path / "downloads").resolve()
    assert len(local.parent.name) == 64  # the sha256 of the content


def test_download_files_false_returns_file_data(server: Server, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("abc")
    with Client(server.url, verbose=False, download_files=False) as client:
        result = client.predict(handle_file(source), api_name="/shout_file")
    assert isinstance(result, dict)
    assert result["meta"] == {"_type": "gradio.FileData"}
    assert result["path"].endswith("shouted.txt")
    assert httpx.get(result["url"], timeout=5).text == "ABC"


# ---- discovery ------------------------------------------------------------------------------


def test_view_api_dict_equals_gradio_clients(client: Client, server: Server,
                                             monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    gradio_client = pytest.importorskip("gradio_client")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    theirs = gradio_client.Client(server.url, verbose=False, analytics_enabled=False,
                                  download_files=str(tmp_path))
    try:
        expected = theirs.view_api(print_info=False, return_format="dict")
    finally:
        theirs.close()
    assert client.view_api(print_info=False, return_format="dict") == expected
    text = client.view_api(print_info=False, return_format="str")
    assert isinstance(text, str) and 'api_name="/greet"' in text


# ---- the async face ---------------------------------------------------------------------------


def test_async_client(server: Server, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with AsyncClient(server.url, verbose=False,
                               download_files=str(tmp_path)) as client:
            assert await client.predict("x", api_name="/greet") == "Hello x!"
            job = await client.submit(3, api_name="/count")
            assert [out async for out in job] == ["0 ", "0 1 ", "0 1 2 "]
            assert await job == "0 1 2 "
            results = await asyncio.gather(
                client.predict(1, 2, api_name="/add"), client.predict("y", api_name="/greet"))
            assert results == [3, "Hello y!"]
            with pytest.raises(AppError, match="Custom failure: z"):
                await client.predict("z", api_name="/fail")

    asyncio.run(scenario())


# ---- the guarded app: login, upload limit, show_error -------------------------------------------


def test_login_is_required_and_works(server: Server, tmp_path: Path) -> None:
    url = server.guarded_url()
    with pytest.raises(AuthenticationError):
        Client(url, verbose=False)
    with pytest.raises(AuthenticationError):
        Client(url, auth=("alice", "wrong"), verbose=False)
    with Client(url, auth=USER, verbose=False, download_files=str(tmp_path)) as client:
        assert client.predict("x", api_name="/greet") == "Hello x!"
        assert list(client.submit(2, api_name="/count")) == ["0 ", "0 1 "]
        small = tmp_path / "small.txt"
        small.write_text("ok")
        assert Path(client.predict(handle_file(small), api_name="/shout_file")).read_text() \
            == "OK"
        big = tmp_path / "big.txt"
        big.write_bytes(b"x" * 1025)
        with pytest.raises(UploadRejected, match="1024"):
            client.predict(handle_file(big), api_name="/shout_file")
        with pytest.raises(AppError, match="secret internal detail q"):
            client.predict("q", api_name="/crash")
