"""porch.Client sends large files by tus (chunks, progress, resume after a drop) to a real
server, seen on the wire through a TCP proxy; a server without tus gets the plain upload."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

import porch
from porch.client import AsyncClient, Client, UploadRejected, handle_file
from porch.client.resumable import TusUploader

from ..compat.test_client_vs_gradio import GradioServers, gradio_servers  # noqa: F401
from .cutting_proxy import CuttingProxy, cutting_proxy

KIB = 1024
TUS = "/gradio_api/upload/tus"


def digest_app() -> porch.Blocks:
    def digest(file: str) -> str:
        with open(file, "rb") as f:
            return f"{os.path.basename(file)} {hashlib.sha256(f.read()).hexdigest()}"

    with porch.Blocks() as demo:
        given, out = porch.File(), porch.Textbox()
        porch.Button().click(digest, given, out, api_name="digest")
    return demo


@pytest.fixture
def proxy(serve: Callable[..., str]) -> Iterator[CuttingProxy]:
    with cutting_proxy(serve(digest_app())) as watched:
        yield watched


def random_file(tmp_path: Path, size: int, name: str = "big.bin") -> tuple[Path, str]:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_large_file_goes_by_tus_in_chunks_with_progress(proxy: CuttingProxy,
                                                          tmp_path: Path) -> None:
    source, sha = random_file(tmp_path, 1100 * KIB)
    seen: list[tuple[int, int, str]] = []
    with Client(proxy.url, verbose=False, resumable_threshold=512 * KIB,
                upload_chunk_size=256 * KIB,
                upload_progress=lambda *a: seen.append(a)) as client:
        assert client.predict(handle_file(source), api_name="/digest") == f"big.bin {sha}"
    assert proxy.count("PATCH", TUS + "/") == 5  # 4 full chunks and the rest
    assert proxy.count("POST", TUS) == 1 and proxy.count("OPTIONS", TUS) == 1
    assert proxy.requests[("POST", "/gradio_api/upload")] == 0
    sent = [s for s, _, _ in seen]
    assert sent == sorted(set(sent)) and sent[-1] == 1100 * KIB
    assert {(total, name) for _, total, name in seen} == {(1100 * KIB, "big.bin")}


def test_a_small_file_keeps_the_plain_upload(proxy: CuttingProxy, tmp_path: Path) -> None:
    source, sha = random_file(tmp_path, 100 * KIB, "small.bin")
    seen: list[tuple[int, int, str]] = []
    with Client(proxy.url, verbose=False, resumable_threshold=512 * KIB,
                upload_progress=lambda *a: seen.append(a)) as client:
        assert client.predict(handle_file(source), api_name="/digest") == f"small.bin {sha}"
    assert proxy.requests[("POST", "/gradio_api/upload")] == 1
    assert proxy.count("PATCH", TUS) == 0 and proxy.count("OPTIONS", TUS) == 0
    assert seen == [(100 * KIB, 100 * KIB, "small.bin")]


def test_none_turns_tus_off_and_zero_sends_even_an_empty_file(proxy: CuttingProxy,
                                                             tmp_path: Path) -> None:
    source, sha = random_file(tmp_path, 2 * KIB)
    with Client(proxy.url, verbose=False, resumable_threshold=None) as client:
        assert client.predict(handle_file(source), api_name="/digest") == f"big.bin {sha}"
    assert proxy.count("OPTIONS", TUS) == 0
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with Client(proxy.url, verbose=False, resumable_threshold=0) as client:
        assert client.predict(handle_file(empty), api_name="/digest") == (
            f"empty.bin {hashlib.sha256(b'').hexdigest()}")
    assert proxy.count("POST", TUS) == 1 and proxy.count("PATCH", TUS) == 0


def test_a_dropped_connection_resumes_from_the_servers_offset(proxy: CuttingProxy,
                                                              tmp_path: Path) -> None:
    size = 2048 * KIB
    source, sha = random_file(tmp_path, size)
    seen: list[int] = []
    proxy.cut_after = 1300 * KIB  # part way through the third chunk
    with Client(proxy.url, verbose=False, resumable_threshold=KIB,
                upload_chunk_size=512 * KIB,
                upload_progress=lambda sent, total, name: seen.append(sent)) as client:
        assert client.predict(handle_file(source), api_name="/digest") == f"big.bin {sha}"
    assert proxy.cuts == 1
    assert proxy.count("HEAD", TUS + "/") >= 1
    # Resumed, not restarted: the wire carried the file once, plus what the cut lost in
    # flight (under one chunk) and the requests' own lines.
    assert size < proxy.sent < size + 512 * KIB + 64 * KIB
    assert seen == sorted(set(seen)) and seen[-1] == size


def test_over_max_file_size_is_a_clear_413(serve: Callable[..., str], tmp_path: Path) -> None:
    url = serve(digest_app(), max_file_size=256 * KIB)
    source, _ = random_file(tmp_path, 300 * KIB)
    with Client(url, verbose=False, resumable_threshold=KIB) as client, \
            pytest.raises(UploadRejected, match="over the app's max_file_size"):
        client.predict(handle_file(source), api_name="/digest")

    async def straight_to_the_server() -> None:
        # Past the client's own check: the server refuses the declared length itself.
        async with httpx.AsyncClient() as http:
            await http.get(url + "/config")
            uploader = TusUploader(http, url + "/gradio_api/")
            await uploader.upload(source, "big.bin", 300 * KIB)

    with pytest.raises(UploadRejected) as refused:
        asyncio.run(straight_to_the_server())
    assert refused.value.status_code == 413
    assert "big.bin" in refused.value.message and "262144" in refused.value.message


def test_a_server_without_tus_gets_the_plain_upload(
        gradio_servers: GradioServers,  # noqa: F811
        tmp_path: Path) -> None:
    source = tmp_path / "words.txt"
    source.write_text("resumable or not\n", encoding="utf-8")
    seen: list[tuple[int, int, str]] = []
    with Client(gradio_servers.url, verbose=False, resumable_threshold=0,
                download_files=str(tmp_path / "dl"),
                upload_progress=lambda *a: seen.append(a)) as client:
        result = client.predict(handle_file(source), api_name="/shout_file")
    assert Path(result).read_text(encoding="utf-8") == "RESUMABLE OR NOT\n"
    assert seen == [(17, 17, "words.txt")]


def test_async_client_takes_the_same_keywords(proxy: CuttingProxy, tmp_path: Path) -> None:
    source, sha = random_file(tmp_path, 300 * KIB)
    seen: list[int] = []

    async def call() -> object:
        async with AsyncClient(proxy.url, verbose=False, resumable_threshold=KIB,
                               upload_chunk_size=100 * KIB,
                               upload_progress=lambda sent, _t, _n: seen.append(sent)) as c:
            return await c.predict(handle_file(source), api_name="/digest")

    assert asyncio.run(call()) == f"big.bin {sha}"
    assert proxy.count("PATCH", TUS + "/") == 3 and seen == [100 * KIB, 200 * KIB, 300 * KIB]
    with pytest.raises(ValueError, match="upload_chunk_size"):
        Client(proxy.url, verbose=False, upload_chunk_size=0)


def test_a_5xx_mid_upload_is_retried_from_the_servers_offset(proxy: CuttingProxy,
                                                             tmp_path: Path) -> None:
    source, sha = random_file(tmp_path, 1024 * KIB)
    proxy.refuse_patch = (3, 503)
    with Client(proxy.url, verbose=False, resumable_threshold=KIB,
                upload_chunk_size=256 * KIB) as client:
        assert client.predict(handle_file(source), api_name="/digest") == f"big.bin {sha}"
    assert proxy.refused == 1 and proxy.patches == 5
    # The server saw each of the 4 chunks once: the refused one came again after a HEAD.
    assert proxy.count("HEAD", TUS + "/") == 1 and proxy.count("PATCH", TUS + "/") == 4
