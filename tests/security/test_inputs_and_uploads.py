"""File inputs must be issued by this app; uploads are bounded while they stream."""

from __future__ import annotations

import os
import re
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
    cache = (sandbox.root / "cache").resolve()
    for name in ["../../evil.txt", "..", ".env", "/", "a\x00b.txt"]:
        response = httpx.post(f"{sandbox.url}/gradio_api/upload",
                              files={"files": (name, b"x")})
        assert response.status_code in (200, 400)
        for reference in response.json() if response.status_code == 200 else []:
            assert not reference.startswith("/") and str(cache) not in reference
            (stored,) = cache.glob(f"*/{reference}")
            assert stored.resolve().is_relative_to(cache)
            assert not stored.name.startswith(".")
    assert not (sandbox.root / "evil.txt").exists()


def test_upload_answers_references_not_host_paths(sandbox: Sandbox) -> None:
    """CVE-2023-51449's first step was reading the upload dir from /upload's answer."""
    response = httpx.post(f"{sandbox.url}/gradio_api/upload",
                          files=[("files", ("a.txt", b"A")), ("files", ("b.txt", b"B"))])
    references = response.json()
    assert len(references) == 2
    for reference, content in zip(references, ["A", "B"], strict=True):
        assert re.fullmatch(r"[0-9a-f]{32}/[ab]\.txt", reference)
        assert httpx.get(f"{sandbox.url}/gradio_api/file={reference}").text == content
    assert str(sandbox.root) not in response.text and "/tmp" not in response.text
    # The traversal of the PoC now has nowhere to start from.
    token = references[0].split("/")[0]
    for probe in [f"{token}/../../outside/secret.txt", f"{token}/..%2f..%2foutside/secret.txt",
                  f"{references[0]}/../../outside/secret.txt"]:
        status, raw = sandbox.raw_get(f"/gradio_api/file={probe}")
        assert status in (400, 403, 404) and SECRET.encode() not in raw


def test_output_file_data_carries_no_host_path(sandbox: Sandbox) -> None:
    (reference,) = httpx.post(f"{sandbox.url}/gradio_api/upload",
                              files={"files": ("in.txt", PUBLIC.encode())}).json()
    for path in (reference, str(_entry_path(sandbox, reference))):  # both spellings work
        response = run_echo(sandbox, file_data(path))
        output = response.json()["data"][0]
        assert str(sandbox.root) not in response.text
        assert re.fullmatch(r"[0-9a-f]{32}/in\.txt", output["path"])
        assert httpx.get(output["url"]).text == PUBLIC
        assert httpx.get(f"{sandbox.url}/gradio_api/file={output['path']}").text == PUBLIC
    returned = httpx.post(f"{sandbox.url}/gradio_api/run/by_name",
                          json={"data": ["public.txt"]})
    assert str(sandbox.root) not in returned.text
    assert httpx.get(returned.json()["data"][0]["url"]).text == PUBLIC


def test_a_reference_that_was_never_issued_is_refused(sandbox: Sandbox) -> None:
    (instance,) = [p for p in (sandbox.root / "cache").iterdir() if p.is_dir()]
    planted = instance / ("a" * 32) / "planted.txt"
    planted.parent.mkdir(exist_ok=True)
    planted.write_text(SECRET)
    reference = "a" * 32 + "/planted.txt"
    served = httpx.get(f"{sandbox.url}/gradio_api/file={reference}")
    assert served.status_code == 403 and SECRET not in served.text
    response = run_echo(sandbox, file_data(reference))
    assert response.status_code == 500 and SECRET not in response.text
    assert str(sandbox.root) not in response.text


def _entry_path(sandbox: Sandbox, reference: str) -> Path:
    (stored,) = (sandbox.root / "cache").glob(f"*/{reference}")
    return stored
