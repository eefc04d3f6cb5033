"""Issue 10's file-grant rules over HTTP, against an app subprocess started with cwd=/ whose
function returns whatever path the client sends (the worst case the grants must survive).

The subprocess gets its own TMPDIR, so "the temp dir", "<tmp>/porch" and "<tmp>/gradio" are
folders of this test; PORCH_TEMP_DIR puts its cache outside them.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).with_name("grants_app.py")
SECRET = "SECRET-GRANTS-5b1d"
PUBLIC = "PUBLIC-GRANTS-0e7c"
NFC = unicodedata.normalize("NFC", "caf\u00e9")
NFD = unicodedata.normalize("NFD", NFC)
DEADLINE = 60.0


@dataclass
class App:
    url: str
    port: int
    root: Path
    allowed: Path
    tmpdir: Path
    stdout: str

    def returned(self, api: str, text: str) -> httpx.Response:
        return httpx.post(f"{self.url}/gradio_api/run/{api}", json={"data": [text]}, timeout=30)

    def served_output(self, api: str, text: str) -> str | None:
        """What the client can download from ``api``'s file output; None if refused."""
        response = self.returned(api, text)
        assert SECRET not in response.text
        output: Any = response.json().get("data") if response.status_code == 200 else None
        if not output or output[0] is None:
            return None
        got = httpx.get(output[0]["url"], timeout=30)
        return got.text if got.status_code == 200 else None

    def raw_get(self, target: str) -> tuple[int, bytes]:
        request = (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                   "Connection: close\r\n\r\n")
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(request.encode("latin-1"))
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        response = b"".join(chunks)
        return int(response.split(b" ", 2)[1]), response


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/config", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    root = tmp_path_factory.mktemp("grants").resolve()
    allowed, tmpdir, cache = root / "allowed", root / "tmpdir", root / "cache"
    for folder in (allowed / "blocked", allowed / NFD, allowed / "sub", tmpdir, cache):
        folder.mkdir(parents=True)
    (allowed / "public.txt").write_text(PUBLIC)
    (allowed / ".env").write_text(SECRET)
    (allowed / "blocked" / "secret.txt").write_text(SECRET)
    (allowed / NFD / "secret.txt").write_text(SECRET)
    (tmpdir / "before_launch.txt").write_text(SECRET)  # same user, but older than the app
    (root / "outside.txt").write_text(SECRET)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORT": str(port), "TMPDIR": str(tmpdir),
           "PORCH_TEMP_DIR": str(cache), "ALLOWED": str(allowed),
           "BLOCKED": os.pathsep.join([str(allowed / "blocked"), str(allowed / NFC)]),
           "SECRET_ENV_MARKER": SECRET}
    env.pop("GRADIO_TEMP_DIR", None)
    out = root / "stdout.txt"
    with out.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, str(APP)], env=env, cwd="/", stdout=sink,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + DEADLINE
        while not (_answers(url) or proc.poll() is not None):
            assert time.monotonic() < deadline, "app did not start"
            time.sleep(0.05)  # polling interval, not synchronisation
        assert proc.poll() is None, out.read_text()
        # The report is printed just after the server starts answering: wait for its last line.
        while "returned paths:" not in out.read_text():
            assert time.monotonic() < deadline and proc.poll() is None, out.read_text()
            time.sleep(0.05)  # polling interval, not synchronisation
        yield App(url, port, root, allowed, tmpdir, out.read_text())
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_report_says_the_working_directory_is_not_granted(app: App) -> None:
    assert "cwd      /  (not granted: it is the file system root)" in app.stdout
    assert f"temp     {app.tmpdir}  (returned paths only: files this app writes" in app.stdout


@pytest.mark.parametrize("chosen", ["/proc/self/environ", "proc/self/environ", "/proc/1/environ",
                                    "/etc/passwd", "etc/hostname", "/dev/zero",
                                    "/sys/kernel/notes"])
def test_cwd_root_does_not_grant_system_files(app: App, chosen: str) -> None:
    response = app.returned("by_path", chosen)
    assert SECRET not in response.text and "root:" not in response.text
    assert app.served_output("by_path", chosen) is None


def test_files_outside_the_grants_and_old_temp_files_are_refused(app: App) -> None:
    assert app.served_output("by_path", str(app.root / "outside.txt")) is None
    assert app.served_output("by_path", str(app.tmpdir / "before_launch.txt")) is None
    assert app.served_output("by_path", str(app.allowed / "public.txt")) == PUBLIC


@pytest.mark.parametrize("api", ["named_temp", "made_dir"])
def test_temp_files_the_function_writes_are_served(app: App, api: str) -> None:
    assert app.served_output(api, PUBLIC) == PUBLIC


@pytest.mark.parametrize("cache", ["porch", "gradio"])
def test_files_in_another_apps_cache_are_refused(app: App, cache: str) -> None:
    planted = app.tmpdir / cache / secrets.token_hex(16) / "entry.txt"
    planted.parent.mkdir(parents=True)
    planted.write_text(SECRET)  # written after launch by this uid: only the cache rule stops it
    assert app.served_output("by_path", str(planted)) is None
    fresh = app.tmpdir / f"fresh-{cache}.txt"
    fresh.write_text(PUBLIC)  # the same file outside a cache dir is granted
    assert app.served_output("by_path", str(fresh)) == PUBLIC


@pytest.mark.parametrize("secret", ["blocked/secret.txt", ".env"])
def test_hardlinks_in_an_allowed_folder_are_refused(app: App, secret: str) -> None:
    link = app.allowed / "sub" / f"link-{secret.replace('/', '-').lstrip('.')}"
    os.link(app.allowed / secret, link)
    try:
        status, body = app.raw_get(f"/gradio_api/file={link}")
        assert status == 403 and SECRET.encode() not in body
        assert app.served_output("by_path", str(link)) is None
    finally:
        link.unlink()


@pytest.mark.parametrize("name", [NFD, NFC, NFC.upper(), NFD.upper()])
def test_blocked_path_matches_every_unicode_form(app: App, name: str) -> None:
    target = f"/gradio_api/file={quote(str(app.allowed / name / 'secret.txt'))}"
    status, body = app.raw_get(target)
    assert status in (403, 404) and SECRET.encode() not in body


@pytest.mark.parametrize("tail", ["/", "/.", "//", "%2F"])
def test_trailing_slash_is_not_served(app: App, tail: str) -> None:
    status, body = app.raw_get(f"/gradio_api/file={app.allowed}/public.txt{tail}")
    assert status in (400, 403, 404) and PUBLIC.encode() not in body
    status, body = app.raw_get(f"/gradio_api/file={app.allowed}/public.txt")
    assert status == 200 and PUBLIC.encode() in body
