"""Progress: what it reports, how the server throttles it, and that it is not an API input."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import porch as gr
from porch import protocol
from porch.components.base import Conversion
from porch.reporting import Progress, current_reporter, track_tqdm, untrack_tqdm
from porch.server.reporter import PROGRESS_INTERVAL_S, Reporter
from tests.unit.test_queue import in_fresh_loop


class Recorder:
    def __init__(self) -> None:
        self.progress_data: list[list[dict[str, Any]]] = []
        self.logs: list[tuple[str, str]] = []

    def log(self, level: str, message: str, duration: float | None, title: str,
            visible: bool) -> None:
        self.logs.append((level, message))

    def progress(self, data: list[dict[str, Any]]) -> None:
        self.progress_data.append(data)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    token = current_reporter.set(rec)
    yield rec
    current_reporter.reset(token)


def test_fraction_and_pair_with_description(recorder: Recorder) -> None:
    progress = Progress()
    assert progress(0.25, desc="loading") == 0.25
    progress((3, 10), desc="items", unit="files")
    assert recorder.progress_data == [
        [{"index": None, "length": None, "unit": "steps", "progress": 0.25, "desc": "loading"}],
        [{"index": 3, "length": 10, "unit": "files", "progress": None, "desc": "items"}],
    ]


def test_tqdm_reports_each_index_before_its_item(recorder: Recorder) -> None:
    progress = Progress()
    items = list(progress.tqdm(["a", "b", "c"], desc="working"))
    assert items == ["a", "b", "c"]
    assert [(d[0]["index"], d[0]["length"], d[0]["desc"]) for d in recorder.progress_data] == [
        (0, 3, "working"), (1, 3, "working"), (2, 3, "working")]


def test_nested_tqdm_reports_outer_then_inner(recorder: Recorder) -> None:
    progress = Progress()
    for _ in progress.tqdm(range(2), desc="outer"):
        for _ in progress.tqdm(range(2), desc="inner"):
            pass
    nested = [d for d in recorder.progress_data if len(d) == 2]
    assert nested and [u["desc"] for u in nested[0]] == ["outer", "inner"]


def test_manual_tracker_and_generators_without_length(recorder: Recorder) -> None:
    progress = Progress()
    bar = progress.tqdm(None, total=4, desc="manual")
    bar.update(2)
    bar.close()
    for _ in progress.tqdm((i for i in range(2)), desc="gen"):
        pass
    assert recorder.progress_data[1][0]["index"] == 2
    assert recorder.progress_data[-1][0]["length"] is None


def test_outside_an_event_progress_is_a_no_op() -> None:
    progress = Progress()
    assert progress(0.5) == 0.5
    assert list(progress.tqdm([1, 2])) == [1, 2]


def test_track_tqdm_reports_real_tqdm_bars(recorder: Recorder) -> None:
    tqdm = pytest.importorskip("tqdm")
    progress = Progress(track_tqdm=True)
    token = track_tqdm(progress)
    try:
        for _ in tqdm.tqdm(range(5), desc="tqdm bar", mininterval=0, disable=False):
            pass
    finally:
        untrack_tqdm(token)
    descs = {unit["desc"] for data in recorder.progress_data for unit in data}
    assert "tqdm bar" in descs
    lengths = {unit["length"] for data in recorder.progress_data for unit in data}
    assert 5 in lengths
    before = len(recorder.progress_data)
    for _ in tqdm.tqdm(range(3), mininterval=0):  # no longer tracked
        pass
    assert len(recorder.progress_data) == before


@in_fresh_loop
async def test_reporter_throttles_progress_and_keeps_the_latest() -> None:
    loop = asyncio.get_running_loop()
    sent: list[dict[str, Any]] = []
    reporter = Reporter([(sent.append, "e1")], loop)

    def hammer() -> None:
        for i in range(2000):
            reporter.progress([{"index": i, "length": 2000, "unit": "steps", "progress": None,
                                "desc": "fast"}])

    thread = threading.Thread(target=hammer)
    started = time.monotonic()
    thread.start()
    thread.join()
    await asyncio.sleep(PROGRESS_INTERVAL_S * 3)
    elapsed = time.monotonic() - started
    progress = [m for m in sent if m["msg"] == protocol.MSG_PROGRESS]
    # At most one per interval (plus the first), and the newest value is the one kept.
    assert 1 <= len(progress) <= elapsed / PROGRESS_INTERVAL_S + 2
    assert progress[-1]["progress_data"][0]["index"] == 1999
    assert all(m["event_id"] == "e1" for m in progress)
    reporter.close()
    reporter.progress([{"index": 0}])
    reporter.log("info", "late", 1, "Info", True)
    await asyncio.sleep(PROGRESS_INTERVAL_S * 2)
    assert sent[-1] is progress[-1]  # closed: nothing more goes out


@in_fresh_loop
async def test_reporter_sends_logs_to_every_member_of_a_batch() -> None:
    sent: list[dict[str, Any]] = []
    reporter = Reporter([(sent.append, "a"), (sent.append, "b")], asyncio.get_running_loop())
    reporter.log("warning", "careful", 5, "Warning", True)
    assert [(m["event_id"], m["log"], m["level"]) for m in sent] == [
        ("a", "careful", "warning"), ("b", "careful", "warning")]


def test_progress_parameter_is_injected_not_an_api_input() -> None:
    def slow(text: str, progress: gr.Progress = gr.Progress(), times: float = 2) -> str:
        assert isinstance(progress, gr.Progress)
        return text * int(times)

    def first(progress: gr.Progress = gr.Progress(track_tqdm=True), text: str = "") -> str:
        assert isinstance(progress, gr.Progress) and progress.track_tqdm
        return text.upper()

    with gr.Blocks() as demo:
        box, number = gr.Textbox(label="t"), gr.Number(label="n")
        dep = gr.Button().click(slow, [box, number], box)
        other = gr.Button().click(first, box, box)
    params = demo.api_info()["named_endpoints"]["/slow"]["parameters"]
    assert [p["parameter_name"] for p in params] == ["text", "times"]
    args, kwargs = demo.prepare_inputs(dep, ["ab", 3], {}, Conversion())
    assert args == ["ab"] and set(kwargs) == {"progress", "times"}
    assert slow(*args, **kwargs) == "ababab"
    # The Progress comes first: the input must still reach `text`, by keyword.
    args, kwargs = demo.prepare_inputs(other, ["x"], {}, Conversion())
    assert first(*args, **kwargs) == "X"
    fresh = demo.prepare_inputs(other, ["x"], {}, Conversion())[1]["progress"]
    assert fresh is not kwargs["progress"]  # a new tracker per call
