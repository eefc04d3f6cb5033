"""kill -9 in the middle of an upload: nothing partial is ever servable, the next start sweeps
it, and the restarted app serves uploads again (issue 10, load and faults)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).with_name("crash_app.py")
DEADLINE = 60.0


@contextmanager
def running_app(cache: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORT": str(port),
           "PORCH_TEMP_DIR": str(cache)}
    proc = subprocess.Popen([sys.executable, str(APP)], env=env, cwd=cache.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url) or proc.poll() is not None)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/config", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(condition: object) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)  # polling interval, not synchronisation


def partials(cache: Path) -> list[Path]:
    return [p for p in cache.glob("*/.porch-partial-*") if p.is_file()]


def test_kill_during_upload_leaves_nothing_servable_and_the_restart_serves(
        tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"upload.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    declared = len(head) + 10 * 1024 * 1024
    with running_app(cache) as (proc, url):
        port = int(url.rsplit(":", 1)[1])
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            sock.sendall((f"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                          f"Content-Length: {declared}\r\n\r\n").encode() + head)
            # Trickle until the server has written some of the file, then stop mid-body.
            sent = 0
            deadline = time.monotonic() + DEADLINE
            while not any(p.stat().st_size > 0 for p in partials(cache)):
                assert time.monotonic() < deadline, "the upload never reached the disk"
                sock.sendall(b"p" * 65536)
                sent += 65536
                time.sleep(0.02)
            (partial,) = partials(cache)
            # While it is being written it is no entry: not servable under any spelling.
            for spelling in (str(partial), partial.name, f"{partial.name[15:]}/upload.bin"):
                assert httpx.get(f"{url}/gradio_api/file={spelling}").status_code == 403
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            sock.close()
    assert sent < declared
    assert partials(cache) == [partial]  # the crash did leave it behind...
    assert not any(p.is_file() for p in cache.glob("*/*/*"))  # ...but never as an entry

    with running_app(cache) as (_, url):
        assert partials(cache) == []  # ...and the next start swept it
        token = partial.name.removeprefix(".porch-partial-")
        for spelling in (str(partial), f"{token}/upload.bin"):
            assert httpx.get(f"{url}/gradio_api/file={spelling}").status_code == 403
        (reference,) = httpx.post(f"{url}/gradio_api/upload",
                                  files={"files": ("after.txt", b"served again")}).json()
        output = httpx.post(f"{url}/gradio_api/run/echo_file", json={"data": [
            {"path": reference, "meta": {"_type": "gradio.FileData"}}]}).json()["data"][0]
        assert httpx.get(output["url"]).content == b"served again"
        assert httpx.get(f"{url}/gradio_api/file={reference}").content == b"served again"
