"""gradio_client 2.7.2 round-trips porch's opaque upload references.

gradio_client sends the string `/upload` answered back as the FileData `path`, and downloads
an output from `file=<its path>` (not from its `url`): both must work with `<token>/<name>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import porch as gr

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client, handle_file  # noqa: E402

pytestmark = pytest.mark.compat
REFERENCE = r"[0-9a-f]{32}/[^/]+"


def echo_app(allowed: Path) -> gr.Blocks:
    with gr.Blocks() as demo:
        one_in, one_out = gr.File(), gr.File()
        many_in, many_out = gr.File(file_count="multiple"), gr.File(file_count="multiple")
        name, report = gr.Textbox(), gr.File()
        gr.Button().click(lambda p: p, one_in, one_out, api_name="echo_file")
        gr.Button().click(lambda ps: ps, many_in, many_out, api_name="echo_files")
        gr.Button().click(lambda n: str(allowed / n), name, report, api_name="report")
    return demo


@pytest.fixture
def app_url(serve: Callable[..., str], tmp_path: Path) -> str:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "report.txt").write_text("the report")
    return serve(echo_app(allowed), allowed_paths=[str(allowed)])


def test_upload_predict_download_round_trip(app_url: str, tmp_path: Path) -> None:
    source = tmp_path / "in put.txt"
    source.write_bytes(b"round trip \x00\xff")
    client = Client(app_url, verbose=False, download_files=str(tmp_path / "dl"))
    result = Path(client.predict(handle_file(str(source)), api_name="/echo_file"))
    assert result.read_bytes() == source.read_bytes()
    assert result.name == "in put.txt"
    assert result.is_relative_to(tmp_path / "dl")


def test_several_files_and_a_returned_file(app_url: str, tmp_path: Path) -> None:
    sources = []
    for i in range(3):
        sources.append(tmp_path / f"f{i}.txt")
        sources[-1].write_text(f"file {i}")
    client = Client(app_url, verbose=False, download_files=str(tmp_path / "dl"))
    results = client.predict([handle_file(str(s)) for s in sources], api_name="/echo_files")
    assert [Path(r).read_text() for r in results] == ["file 0", "file 1", "file 2"]
    assert Path(client.predict("report.txt", api_name="/report")).read_text() == "the report"


def test_output_file_data_names_no_host_path(app_url: str, tmp_path: Path) -> None:
    source = tmp_path / "x.txt"
    source.write_text("x")
    client = Client(app_url, verbose=False, download_files=False)
    output = client.predict(handle_file(str(source)), api_name="/echo_file")
    assert re.fullmatch(REFERENCE, output["path"]), output
    assert not output["url"].split("file=", 1)[1].startswith("/")
    returned = client.predict("report.txt", api_name="/report")
    assert re.fullmatch(REFERENCE, returned["path"])
    assert str(tmp_path) not in str(returned)
