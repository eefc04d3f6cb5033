"""`porch api URL` and `porch call URL /name ARG...` against a porch server."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import porch
from porch.cli import _argument, main
from porch.cli_progress import status_line
from porch.client.status import ProgressUnit, Status, StatusUpdate
from tests.client.scenario_app import build


@pytest.fixture
def url(serve: Callable[..., str]) -> str:
    return serve(build(porch))


def test_api_lists_the_endpoints(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["api", url]) == 0
    out = capsys.readouterr().out
    assert 'predict(name, api_name="/greet") -> out' in out
    assert main(["api", url, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["named_endpoints"]["/add"]["parameters"][0]["parameter_name"] == "a"


def test_call_prints_the_result(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", url, "/greet", "x"]) == 0
    assert capsys.readouterr().out == "Hello x!\n"
    assert main(["call", url, "add", "2", "3"]) == 0  # the leading slash is optional
    assert float(capsys.readouterr().out) == 5
    assert main(["call", url, "/split", "abc"]) == 0
    assert json.loads(capsys.readouterr().out) == ["ABC", 3]


def test_call_uploads_at_paths_and_prints_the_download(
        url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.txt"
    source.write_text("quiet")
    assert main(["call", url, "/shout_file", f"@{source}",
                 "--download-dir", str(tmp_path / "dl")]) == 0
    assert Path(capsys.readouterr().out.strip()).read_text() == "QUIET"


def test_call_reports_failures(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", url, "/fail", "x"]) == 1
    assert "Custom failure: x" in capsys.readouterr().err
    assert main(["call", url, "/nope"]) == 1
    assert "/nope" in capsys.readouterr().err
    assert main(["call", url, "/greet"]) == 1
    assert "name" in capsys.readouterr().err


def test_unreachable_app(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["api", "http://127.0.0.1:9/"]) == 1
    assert "Could not connect" in capsys.readouterr().err


def test_argument_parsing(tmp_path: Path) -> None:
    assert _argument("3") == 3
    assert _argument('{"a": [1]}') == {"a": [1]}
    assert _argument("hello world") == "hello world"
    assert _argument('"7"') == "7"
    (tmp_path / "f.txt").write_text("x")
    assert _argument(f"@{tmp_path / 'f.txt'}")["orig_name"] == "f.txt"
    assert _argument("@") == "@"


def test_call_shows_progress_on_stderr_and_only_the_result_on_stdout(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", url, "/steps", "4"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "done\n"
    bars = [line for line in captured.err.splitlines() if line.startswith("working: [")]
    assert bars, captured.err  # gr.Progress's tqdm reached the terminal as a bar
    assert any("/4 steps" in line or "/4" in line for line in bars), bars
    assert main(["call", url, "/steps", "2", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_call_shows_its_place_in_the_queue(url: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # /slow_one runs one at a time: a call made while another runs waits, and says so.
    with porch.Client(url, verbose=False) as client:
        first = client.submit(1.5, api_name="/slow_one")
        time.sleep(0.3)
        assert main(["call", url, "/slow_one", "0.1"]) == 0
        first.result()
    captured = capsys.readouterr()
    assert float(captured.out) == 0.1
    assert "in queue: 1" in captured.err, captured.err


def test_status_lines() -> None:
    queued = StatusUpdate(code=Status.IN_QUEUE, rank=2, queue_size=5, eta=3.2)
    assert status_line(queued) == "in queue: 3 of 5, about 3 s"
    half = StatusUpdate(code=Status.PROGRESS, progress_data=[
        ProgressUnit(index=5, length=10, unit="files", progress=None, desc="copy")])
    assert status_line(half) == "copy: [" + "#" * 12 + "." * 12 + "]  50% 5/10 files"
    ratio = StatusUpdate(code=Status.PROGRESS, progress_data=[
        ProgressUnit(index=None, length=None, unit=None, progress=1.5, desc=None)])
    assert status_line(ratio) == "[" + "#" * 24 + "] 100%"  # clamped
    assert status_line(StatusUpdate(code=Status.FINISHED)) is None
