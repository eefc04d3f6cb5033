"""porch.Client round-trips files through porch's opaque upload references."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

import porch as gr
from porch.client import Client, UploadRejected, handle_file

REFERENCE = r"[0-9a-f]{32}/[^/]+"


@pytest.fixture
def app_url(serve: Callable[..., str]) -> str:
    with gr.Blocks() as demo:
        given, echoed = gr.File(), gr.File()
        many_in, many_out = gr.File(file_count="multiple"), gr.File(file_count="multiple")
        gr.Button().click(lambda p: p, given, echoed, api_name="echo_file")
        gr.Button().click(lambda ps: ps, many_in, many_out, api_name="echo_files")
    return serve(demo, max_upload_files=2)


def test_upload_predict_download_round_trip(app_url: str, tmp_path: Path) -> None:
    source = tmp_path / "données.bin"
    source.write_bytes(bytes(range(256)) * 10)
    with Client(app_url, verbose=False, download_files=str(tmp_path / "dl")) as client:
        result = Path(client.predict(handle_file(source), api_name="/echo_file"))
        assert result.read_bytes() == source.read_bytes()
        assert result.name == "données.bin"
    with Client(app_url, verbose=False, download_files=False) as client:
        output = client.predict(handle_file(source), api_name="/echo_file")
    assert re.fullmatch(REFERENCE, output["path"]) and str(tmp_path) not in str(output)
    assert httpx.get(output["url"]).content == source.read_bytes()


def test_a_refused_upload_shows_the_servers_message(app_url: str, tmp_path: Path) -> None:
    sources = []
    for i in range(3):
        sources.append(tmp_path / f"f{i}.txt")
        sources[-1].write_text(str(i))
    with Client(app_url, verbose=False, download_files=str(tmp_path / "dl")) as client:
        ok = client.predict([handle_file(s) for s in sources[:2]], api_name="/echo_files")
        assert [Path(p).read_text() for p in ok] == ["0", "1"]
        # porch.Client uploads one file per request, so the per-request cap does not bite;
        # a raw request over it gets the JSON 413 that the client would show.
    response = httpx.post(f"{app_url}/gradio_api/upload",
                          files=[("files", (s.name, s.read_bytes())) for s in sources])
    assert response.status_code == 413
    assert response.json()["detail"] == "Too many files in one upload (max 2)."


def test_the_clients_413_message_is_the_detail(serve: Callable[..., str],
                                               tmp_path: Path) -> None:
    with gr.Blocks() as demo:
        given, echoed = gr.File(), gr.File()
        gr.Button().click(lambda p: p, given, echoed, api_name="echo_file")
    url = serve(demo, max_upload_size=2048)
    big = tmp_path / "big.bin"
    big.write_bytes(b"b" * 4096)
    with Client(url, verbose=False, download_files=str(tmp_path / "dl")) as client:
        with pytest.raises(UploadRejected) as info:
            client.predict(handle_file(big), api_name="/echo_file")
    assert str(info.value) == "Upload exceeded the maximum allowed size of 2048 bytes per request."
