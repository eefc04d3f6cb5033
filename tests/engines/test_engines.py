"""engine=: events whose function runs on a Dask or Ray cluster, through a real porch
server and the official gradio_client. porch keeps the queue, concurrency limits, cancel,
progress, State and the file gate; the function runs in the engine's worker processes."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file

import porch as gr
from porch.errors import ConfigError
from tests.conftest import launched
from tests.engines import engine_functions as fns
from tests.integration.sse import join, queue_messages

ROOT = Path(__file__).resolve().parents[2]


def make_engine(kind: str) -> gr.engines.Engine:
    if kind == "dask":
        return gr.DaskEngine(n_workers=1, threads_per_worker=2)
    return gr.RayEngine(init={"num_cpus": 2})


@pytest.fixture(scope="module", params=["dask", "ray"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, str, Path]]:
    # The workers import the functions by module name, as they would an app's package.
    outputs = tmp_path_factory.mktemp("engine-out")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    os.environ["ENGINE_OUTPUT_DIR"] = str(outputs)
    engine = make_engine(request.param)
    with gr.Blocks() as demo:
        text = gr.Textbox()
        out = gr.Textbox()
        number = gr.Number()
        seen = gr.State()
        upload = gr.File()
        gr.Button("where").click(fns.where, text, out, api_name="where", engine=engine)
        gr.Button("count").click(fns.count_up, number, out, api_name="count", engine=engine)
        gr.Button("reports").click(fns.reports, text, out, api_name="reports", engine=engine)
        gr.Button("refuses").click(fns.refuses, text, out, api_name="refuses", engine=engine)
        gr.Button("nap").click(gr.run_on(engine)(fns.nap), text, out, api_name="nap",
                               concurrency_limit=1)
        gr.Button("ticks").click(fns.ticks, text, number, api_name="ticks", engine=engine)
        gr.Button("remember").click(fns.remember, [text, seen], [out, seen],
                                    api_name="remember", engine=engine)
        gr.Button("size").click(fns.file_size, upload, number, api_name="size", engine=engine)
        gr.Button("write").click(fns.writes_file, text, upload, api_name="write",
                                 engine=engine)
    with launched(demo, allowed_paths=[str(outputs)]) as url:
        yield url, request.param, outputs


def client(url: str) -> Client:
    return Client(url + "/", verbose=False)


def test_the_function_runs_in_a_worker_process(served: tuple[str, str, Path]) -> None:
    url, _, _ = served
    answer = client(url).predict("hi", api_name="/where")
    text, pid = answer.split("@")
    assert text == "HI"
    assert int(pid) != os.getpid()  # not the porch server's process


def test_a_generator_streams_each_step_in_order(served: tuple[str, str, Path]) -> None:
    url, _, _ = served
    job = client(url).submit(4, api_name="/count")
    assert job.result(timeout=60) == "step 3"
    assert job.outputs() == ["step 0", "step 1", "step 2", "step 3"]


def test_progress_and_toasts_raised_in_the_worker_reach_the_page(
        served: tuple[str, str, Path]) -> None:
    url, _, _ = served
    session = f"engine-{time.time_ns()}"
    join(url, 2, ["abc"], session)
    messages = queue_messages(url, session, timeout=60)
    kinds = [m["msg"] for m in messages]
    assert "progress" in kinds and "log" in kinds
    descs = {unit["desc"] for m in messages if m["msg"] == "progress"
             for unit in m["progress_data"]}
    assert {"warming up", "working"} <= descs
    assert any(m["msg"] == "log" and m["log"] == "half way there" for m in messages)
    done = [m for m in messages if m["msg"] == "process_completed"]
    assert done[0]["success"] and done[0]["output"]["data"] == ["cba"]


def test_a_gr_error_raised_in_the_worker_is_shown_as_itself(
        served: tuple[str, str, Path]) -> None:
    url, _, _ = served
    with pytest.raises(Exception, match="cannot take 'x'"):
        client(url).predict("x", api_name="/refuses")
    assert client(url).predict("still", api_name="/where").startswith("STILL@")


def test_concurrency_limit_is_kept_by_porch(served: tuple[str, str, Path]) -> None:
    url, _, _ = served
    c = client(url)
    jobs = [c.submit(f"n{i}", api_name="/nap") for i in range(3)]
    spans = sorted(tuple(map(float, job.result(timeout=90).split(":")[1:])) for job in jobs)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end - 0.01  # concurrency_limit=1: never two at once on the cluster


def test_cancel_stops_the_remote_generator(served: tuple[str, str, Path],
                                           tmp_path: Path) -> None:
    url, _, _ = served
    log = tmp_path / "ticks.log"
    job = client(url).submit(str(log), api_name="/ticks")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not log.exists() or len(log.read_text()) < 6):
        time.sleep(0.1)
    assert log.exists(), "the remote generator never started"
    job.cancel()
    time.sleep(2)  # let the worker notice between steps
    steps = len(log.read_text().splitlines())
    time.sleep(1.5)
    assert len(log.read_text().splitlines()) == steps < 200


def test_state_goes_to_the_worker_and_comes_back(served: tuple[str, str, Path]) -> None:
    url, _, _ = served
    c = client(url)
    assert c.predict("a", api_name="/remember") == "a"
    assert c.predict("b", api_name="/remember") == "a + b"


def test_files_in_and_out_pass_the_gate(served: tuple[str, str, Path],
                                        tmp_path: Path) -> None:
    url, _, outputs = served
    upload = tmp_path / "data.bin"
    upload.write_bytes(b"x" * 1234)
    c = client(url)
    assert c.predict(handle_file(str(upload)), api_name="/size") == 1234
    written = Path(c.predict("ab", api_name="/write"))
    assert written.read_text() == "ababab"
    assert not str(written).startswith(str(outputs))  # served through porch's cache


def test_bad_engine_values_are_refused_when_the_event_is_made() -> None:
    with gr.Blocks():
        button = gr.Button()
        with pytest.raises(ConfigError, match="engine="):
            button.click(fns.where, None, None, engine="spark")
        with pytest.raises(ConfigError, match="engine="):
            button.click(fns.where, None, None, engine=42)


def test_an_unreachable_scheduler_is_a_clear_error_and_the_server_keeps_serving(
        served: tuple[str, str, Path]) -> None:
    url, kind, _ = served
    if kind != "dask":
        return
    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(fns.where, box, box, api_name="lost",
                          engine=gr.DaskEngine("tcp://127.0.0.1:9"))
        gr.Button().click(str.upper, box, box, api_name="local")
    with launched(demo, show_error=True) as other:
        c = client(other)
        with pytest.raises(Exception, match="cannot reach the Dask scheduler"):
            c.predict("x", api_name="/lost")
        assert c.predict("x", api_name="/local") == "X"
    assert httpx.get(url + "/config").status_code == 200
