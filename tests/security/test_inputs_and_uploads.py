"""File inputs must be issued by this app; uploads are bounded while they stream."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import httpx
import pytest

from tests.security.conftest import PUBLIC, SECRET, Sandbox


def run_echo(sandbox: Sandbox, value: object) -> httpx.Response:
    return httpx.post(f"{sandbox.url}/gradio_api/run/echo_file", json={"data": [value]})


def file_data(path: str) -> dict[str, object]:
    return {"path": path, "meta": {"_type": "gradio.FileData"}}


def test_uploaded_file_round_trips(sandbox: Sandbox) -> None:
    paths = httpx.post(f"{sandbox.url}/gradio_api/upload",
                       files={"files": ("hello.txt", PUBLIC.encode())}).json()
    assert len(paths) == 1 and "hello.txt" in paths[0]
    output = run_echo(sandbox, file_data(paths[0])).json()["data"][0]
    served = httpx.get(output["url"])
    assert served.text == PUBLIC


@pytest.mark.parametrize("path", ["{outside}/secret.txt", "{allowed}/public.txt",
                                  "{cache}/planted.txt", "{cache}/../outside/secret.txt",
                                  "{allowed}/.env", "http://127.0.0.1:{port}/config",
                                  "http://2130706433:{port}/config", "file:///etc/passwd"])
def test_injected_input_paths_are_refused(sandbox: Sandbox, path: str) -> None:
    cache = Path(os.environ.get("PORCH_TEMP_DIR", sandbox.root / "cache"))
    planted = sandbox.root / "cache" / "planted.txt"
    planted.write_text(SECRET)
    target = path.format(outside=sandbox.outside, allowed=sandbox.allowed, port=sandbox.port,
                         cache=cache)
    response = run_echo(sandbox, file_data(target))
    assert response.status_code == 500
    assert SECRET not in response.text
    assert response.json()["error"]  # says why, e.g. "File ... was not uploaded to this app."


def test_input_without_the_file_marker_is_refused(sandbox: Sandbox) -> None:
    response = run_echo(sandbox, {"path": str(sandbox.outside / "secret.txt")})
    assert response.status_code == 500
    assert "FileData" in response.json()["error"]


def _cache_files(sandbox: Sandbox) -> set[str]:
    return {str(p) for p in (sandbox.root / "cache").rglob("*") if p.is_file()}


def test_oversize_upload_is_cut_off_and_leaves_nothing(sandbox: Sandbox) -> None:
    before = _cache_files(sandbox)
    response = httpx.post(f"{sandbox.url}/gradio_api/upload",
                          files={"files": ("big.bin", b"x" * 5000)})
    assert response.status_code == 413
    assert "1024 bytes" in response.text
    assert _cache_files(sandbox) == before


def test_oversize_chunked_upload_is_answered_before_the_body_ends(sandbox: Sandbox) -> None:
    """A client still sending gets its 413 early: the server does not read the rest."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"big.bin\"\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as sock:
        sock.sendall((f"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1:{sandbox.port}\r\n"
                      f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n").encode())
        chunk = head + b"x" * 4096
        sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        sock.settimeout(10)
        answer = sock.recv(4096)  # arrives although the body never finished
    assert answer.startswith(b"HTTP/1.1 413")


def test_upload_needs_multipart_and_refuses_compressed_bodies(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/gradio_api/upload"
    assert httpx.post(url, content=b"x", headers={"content-type": "text/plain"}).status_code \
        == 400
    gzip = httpx.post(url, content=b"x", headers={
        "content-type": "multipart/form-data; boundary=x", "content-encoding": "gzip"})
    assert gzip.status_code == 415


def test_upload_names_never_leave_the_cache(sandbox: Sandbox) -> None:
    for name in ["../../evil.txt", "..", ".env", "/", "a\x00b.txt"]:
        response = httpx.post(f"{sandbox.url}/gradio_api/upload",
                              files={"files": (name, b"x")})
        assert response.status_code in (200, 400)
        for path in response.json() if response.status_code == 200 else []:
            assert Path(path).resolve().is_relative_to((sandbox.root / "cache").resolve())
            assert not Path(path).name.startswith(".")
    assert not (sandbox.root / "evil.txt").exists()
