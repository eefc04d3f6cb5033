"""One client, many threads, one session: every call gets its own result, round after round.

The pattern of issue 10 (item 1): 20 `predict()` calls from 10 threads on a queued endpoint,
300 rounds, through gradio_client and through porch.Client, against a porch server in its own
process. A stream that says close_stream while one of the session's events is pending (or a
join answered before the client has read close_stream) shows up here as a CancelledError or
a RemoteError in some round.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

import porch as gr
from tests.compat import parallel_app
from tests.conftest import free_port

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")

pytestmark = pytest.mark.compat

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 300
CALLS_PER_ROUND = parallel_app.CONCURRENCY
THREADS = 10
CALL_TIMEOUT = 30.0  # a lost call fails its round at most this late, never hangs the test


@pytest.fixture
def echo_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PORCH_TEMP_DIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "tests.compat.parallel_app", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "config", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the echo server did not start")
            time.sleep(0.05)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        assert process.stderr is not None
        errors = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        assert "Traceback" not in errors, errors


def run_rounds(predict: Callable[[str], Any]) -> list[str]:
    """Every way a call went wrong over all rounds (empty when each got its own input back)."""
    problems: list[str] = []
    with ThreadPoolExecutor(THREADS) as pool:
        for round_number in range(ROUNDS):
            inputs = [f"round {round_number} call {n}" for n in range(CALLS_PER_ROUND)]
            futures = [pool.submit(predict, text) for text in inputs]
            for text, future in zip(inputs, futures, strict=True):
                try:
                    result = future.result(timeout=CALL_TIMEOUT)
                except BaseException as exc:  # CancelledError is a BaseException here
                    problems.append(f"{text}: {type(exc).__name__}: {exc}")
                else:
                    if result != text:
                        problems.append(f"{text}: got {result!r}")
    return problems


def test_gradio_client_parallel_predicts_all_succeed(echo_url: str) -> None:
    client = gradio_client.Client(echo_url, verbose=False)
    try:
        problems = run_rounds(lambda text: client.predict(text, api_name="/echo"))
    finally:
        client.close()
    assert problems == []


def test_porch_client_parallel_predicts_all_succeed(echo_url: str) -> None:
    with gr.Client(echo_url, verbose=False) as client:
        problems = run_rounds(lambda text: client.predict(text, api_name="/echo"))
    assert problems == []
