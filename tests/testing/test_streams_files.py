"""AppTest on streams, files, renders, validators, direct (queue=False) events, unload
events, auth and app files."""

from __future__ import annotations

import tempfile
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import porch as gr
from porch.testing import AppTest, RequestRefused

RELEASE = threading.Event()
UNLOADED: list[str] = []


def count_up(n: float) -> Iterator[str]:
    for i in range(int(n)):
        yield f"step {i}"


def endless() -> Iterator[str]:
    i = 0
    while True:
        yield str(i)
        i += 1
        time.sleep(0.01)


def progress_report(progress: gr.Progress = gr.Progress()) -> str:
    progress(0.5, desc="half way")
    return "done"


def test_stream_yields_each_step_as_it_comes() -> None:
    with gr.Blocks() as demo:
        n = gr.Number(3, label="n")
        out = gr.Textbox(label="out")
        gr.Button("Count").click(count_up, n, out)
    with AppTest(demo) as at:
        stream = at.stream("Count")
        steps = [(step.data, step[out]) for step in stream]
        assert steps == [(["step 0"], "step 0"), (["step 1"], "step 1"),
                         (["step 2"], "step 2")]
        assert stream.result.ok and stream.result.steps == [s for s, _ in steps]
        assert at.get("out").value == "step 2"
        # Without stream(), the steps are still there once it has finished.
        assert at.click("Count").steps == [["step 0"], ["step 1"], ["step 2"]]


def test_a_stream_can_be_stopped() -> None:
    with gr.Blocks() as demo:
        out = gr.Textbox(label="out")
        gr.Button("Go").click(endless, None, out)
    with AppTest(demo) as at:
        stream = at.stream("Go")
        seen = []
        for step in stream:
            seen.append(step.data[0])
            if len(seen) == 3:
                break
        result = stream.stop()
        assert seen == ["0", "1", "2"]
        assert result.ok and result.runs[0].data is None  # cancelled: no final output
        assert at.runtime.scheduler.running_count() == 0


def test_cancels_stops_the_running_event() -> None:
    with gr.Blocks() as demo:
        out = gr.Textbox(label="out")
        go = gr.Button("Go")
        running = go.click(endless, None, out)
        gr.Button("Stop").click(None, None, None, cancels=[running])
    with AppTest(demo) as at:
        stream = at.stream("Go")
        next(iter(stream))
        at.click("Stop")
        assert stream.result.ok and at.runtime.scheduler.running_count() == 0


def test_progress_is_reported() -> None:
    with gr.Blocks() as demo:
        out = gr.Textbox(label="out")
        gr.Button("Go").click(progress_report, None, out)
    with AppTest(demo) as at:
        run = at.click("Go").runs[0]
        assert run.progress[0][0]["progress"] == 0.5
        assert run.progress[0][0]["desc"] == "half way"


def test_uploads_go_through_the_upload_route_and_the_gate(tmp_path: Path) -> None:
    def size_and_copy(path: str) -> tuple[str, str]:
        data = Path(path).read_bytes()
        copy = Path(tempfile.mkdtemp()) / "copy.txt"
        copy.write_bytes(data.upper())
        return f"{len(data)} bytes", str(copy)

    with gr.Blocks() as demo:
        upload = gr.File(label="in", type="filepath")
        size = gr.Textbox(label="size")
        result_file = gr.File(label="out")
        upload.upload(size_and_copy, upload, [size, result_file])
    source = tmp_path / "hello.txt"
    source.write_bytes(b"hello")
    with AppTest(demo, max_file_size=10) as at:
        result = at.get("in").upload(source)
        assert result.ok and at.get("size").value == "5 bytes"
        assert at.get("in").value["orig_name"] == "hello.txt"
        sent = at.get("out").value
        assert at.download(sent) == b"HELLO"
        big = tmp_path / "big.txt"
        big.write_bytes(b"x" * 100)
        with pytest.raises(RequestRefused) as refused:
            at.get("in").upload(big)
        assert refused.value.status == 413
        with pytest.raises(RequestRefused) as outside:
            at.download(str(tmp_path / "hello.txt"))  # a host path the app never sent
        assert outside.value.status == 403


def test_a_file_path_a_client_makes_up_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    with gr.Blocks() as demo:
        picked = gr.File(label="in", type="filepath")
        out = gr.Textbox(label="out")
        gr.Button("Read").click(lambda p: Path(p).read_text(), picked, out)
    with AppTest(demo) as at:
        at.get("in").set({"path": str(secret), "meta": {"_type": "gradio.FileData"}})
        result = at.click("Read")
        assert not result.ok and "was not uploaded to this app" in (result.error or "")
        assert result.failures[0].title == "Invalid input"
        assert at.get("out").value == ""


def test_render_swaps_components_and_their_events() -> None:
    with gr.Blocks() as demo:
        count = gr.Number(1, label="count")

        @gr.render(inputs=count)
        def boxes(n: float) -> None:
            for i in range(int(n)):
                box = gr.Textbox(label=f"box {i}")
                button = gr.Button(f"fill {i}")
                button.click(lambda: "filled", None, box)

    with AppTest(demo) as at:
        assert [h.label for h in at.get_all(type="textbox")] == ["box 0"]
        at.get("count").set(3)
        assert [h.label for h in at.get_all(type="textbox")] == ["box 0", "box 1", "box 2"]
        at.click("fill 2")
        assert at.get("box 2").value == "filled"


def test_a_validator_refuses_inputs_before_the_event_runs() -> None:
    ran: list[str] = []

    def check(name: str) -> list[dict[str, Any]]:
        return [gr.validate(bool(name), "Give a name")]

    with gr.Blocks() as demo:
        name = gr.Textbox(label="name")
        out = gr.Textbox(label="out")
        gr.Button("Go").click(lambda n: ran.append(n) or n, name, out, validator=check)
    with AppTest(demo) as at:
        result = at.click("Go")
        assert not result.ok and result.invalid == {name.id: "Give a name"} and ran == []
        at.get("name").set("Ada")
        assert at.click("Go").ok and ran == ["Ada"]


def test_queue_false_events_run_directly() -> None:
    with gr.Blocks() as demo:
        x = gr.Number(2, label="x")
        y = gr.Number(label="y")
        gr.Button("Square").click(lambda v: v * v, x, y, queue=False)
        gr.Button("Fail").click(lambda v: 1 / 0, x, y, queue=False)
    with AppTest(demo, show_error=True) as at:
        assert at.click("Square").ok and at.get("y").value == 4
        assert at.click("Fail").error == "division by zero"


def test_closing_a_session_runs_its_unload_events() -> None:
    with gr.Blocks() as demo:
        name = gr.Textbox(label="name")
        demo.unload(lambda: UNLOADED.append("gone"))
    UNLOADED.clear()
    with AppTest(demo) as at:
        other = at.new_session()
        other.close()
        assert UNLOADED == ["gone"]
        assert name.id == at.get("name").id
    assert UNLOADED == ["gone", "gone"]


def test_an_app_with_auth_needs_a_login() -> None:
    with gr.Blocks() as demo:
        gr.Textbox("hi", label="t")
    with pytest.raises(RequestRefused) as refused:
        AppTest(demo, auth=("ada", "pw"))
    assert refused.value.status == 401
    with AppTest(demo, auth=("ada", "pw"), login=("ada", "pw")) as at:
        assert at.get("t").value == "hi"
        with pytest.raises(RequestRefused):
            at.new_session(login=("ada", "wrong"))


def test_from_file_finds_the_app(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text("import porch as gr\n"
                   "with gr.Blocks() as demo:\n"
                   "    gr.Textbox('from a file', label='t')\n"
                   "if __name__ == '__main__':\n"
                   "    demo.launch()\n")
    with AppTest.from_file(app) as at:
        assert at.get("t").value == "from a file"
    other = tmp_path / "other.py"
    other.write_text("import porch as gr\n"
                     "one = gr.Blocks()\n"
                     "two = gr.Blocks()\n")
    with pytest.raises(LookupError, match="found 2 Blocks"):
        AppTest.from_file(other)
    with AppTest.from_file(other, name="two") as at:
        assert at.get_all(type="textbox") == []


def test_a_call_that_does_not_settle_times_out() -> None:
    def wait() -> str:
        RELEASE.wait(5)
        return "late"

    with gr.Blocks() as demo:
        out = gr.Textbox(label="out")
        gr.Button("Wait").click(wait, None, out)
    RELEASE.clear()
    with AppTest(demo, timeout=0.5) as at:
        with pytest.raises(TimeoutError, match="did not settle"):
            at.click("Wait")
        RELEASE.set()


def wav(path: Path, samples: int, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x01\x00" * samples)
    return path


def test_a_streaming_input_is_fed_chunk_by_chunk(tmp_path: Path) -> None:
    with gr.Blocks() as demo:
        mic = gr.Audio(sources=["microphone"], streaming=True, label="mic")
        heard = gr.Textbox(label="heard")
        total = gr.State(0)
        after = gr.Textbox(label="after")

        def listen(chunk: tuple[int, Any], seen: int) -> tuple[str, int]:
            rate, samples = chunk
            seen += len(samples)
            return f"{rate} Hz, {len(samples)} samples, {seen} in all", seen

        mic.stream(listen, [mic, total], [heard, total]).then(lambda: "closed", None, after)
    chunks = [wav(tmp_path / f"c{n}.wav", n) for n in (100, 200, 300)]
    with AppTest(demo) as at:
        result = at.get("mic").feed(chunks)
        assert result.ok
        assert [step[0] for step in result.steps] == [
            "8000 Hz, 100 samples, 100 in all", "8000 Hz, 200 samples, 300 in all",
            "8000 Hz, 300 samples, 600 in all"]
        assert at.state[total] == 600 and at.get("after").value == "closed"
        assert not at.runtime.inboxes.get(result.runs[0].event_id or "")
        # Fired once (as an API call would), it runs on the current chunk alone.
        once = at.get("mic").trigger("stream")
        assert once.ok and once[heard] == "8000 Hz, 300 samples, 900 in all"


def test_two_sessions_run_at_the_same_time() -> None:
    gate = threading.Event()

    def wait_for_gate(name: str) -> str:
        assert gate.wait(10)
        return f"released {name}"

    with gr.Blocks() as demo:
        name = gr.Textbox(label="name")
        out = gr.Textbox(label="out")
        gr.Button("Wait").click(wait_for_gate, name, out)
        gr.Button("Release").click(lambda: gate.set() or "set", None, out)
    with AppTest(demo) as at:
        at.get("name").set("Ada")
        waiting = at.stream("Wait")  # runs on in the background
        other = at.new_session()
        assert other.click("Release").ok  # would hang if the first held the app
        assert waiting.result[out] == "released Ada"
        assert other.get("out").value == "set" and at.get("out").value == "released Ada"
