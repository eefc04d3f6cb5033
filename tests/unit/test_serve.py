"""launch(): ports, blocking until Ctrl-C, and the `porch` command's reload."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from porch.errors import ConfigError
from porch.server.serve import _bind
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_busy_explicit_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"Cannot listen on 127.0.0.1:{port}"):
            _bind("127.0.0.1", port)


def test_default_port_is_the_first_free_one_from_7860() -> None:
    first = _bind("127.0.0.1", None)
    try:
        second = _bind("127.0.0.1", None)
        try:
            a, b = first.getsockname()[1], second.getsockname()[1]
            assert 7860 <= a < b < 7960
        finally:
            second.close()
    finally:
        first.close()


def _wait_for_line(process: subprocess.Popen[str], prefix: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith(prefix):
            return line.strip()
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"no line starting with {prefix!r}")


def _wait_for(url: str, expected: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = httpx.post(url, json={"data": ["x"]}, timeout=2)
            if response.status_code == 200 and response.json()["data"] == [expected]:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered {expected!r}")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_script_launch_blocks_prints_url_and_stops_cleanly(tmp_path: Path,
                                                          stop: signal.Signals) -> None:
    port = free_port()
    env = {**os.environ, "PORCH_SERVER_PORT": str(port), "PORCH_TEMP_DIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, str(ROOT / "examples" / "hello.py")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env)
    try:
        assert _wait_for_line(process, "Running on") == f"Running on http://127.0.0.1:{port}"
        _wait_for(f"http://127.0.0.1:{port}/gradio_api/run/greet", "Hello x!")
        process.send_signal(stop)
        assert process.wait(timeout=15) == 0  # a clean exit, after the server's shutdown
    finally:
        process.kill()
        if process.stdout:
            process.stdout.close()


APP = """
import porch as gr
def greet(name):
    return "{greeting} " + name
gr.Interface(greet, "text", "text").launch()
"""


def test_porch_command_reloads_the_app_when_it_changes(tmp_path: Path) -> None:
    port = free_port()
    app = tmp_path / "app.py"
    app.write_text(APP.format(greeting="Hello"))
    env = {**os.environ, "PORCH_SERVER_PORT": str(port), "PORCH_TEMP_DIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "porch", str(app)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env)
    url = f"http://127.0.0.1:{port}/gradio_api/run/greet"
    try:
        _wait_for(url, "Hello x")
        app.write_text(APP.format(greeting="Howdy"))
        _wait_for(url, "Howdy x")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill()
        if process.stdout:
            process.stdout.close()


def test_version_flag() -> None:
    out = subprocess.run([sys.executable, "-m", "porch", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out.startswith("porch 0.")


def test_reload_watches_the_apps_python_files_only(tmp_path: Path) -> None:
    from porch.cli import AppSourceFilter

    watches = AppSourceFilter(tmp_path)
    assert watches(None, str(tmp_path / "app.py"))
    assert watches(None, str(tmp_path / "pkg" / "model.py"))
    # Data the app writes, hidden folders, caches and virtualenvs never restart it.
    assert not watches(None, str(tmp_path / "output.csv"))
    assert not watches(None, str(tmp_path / ".porch" / "flagged" / "log.py"))
    assert not watches(None, str(tmp_path / "venv" / "lib" / "site.py"))
    assert not watches(None, str(tmp_path / "__pycache__" / "app.py"))
    assert not watches(None, "/elsewhere/app.py")
