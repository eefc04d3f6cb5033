"""gr.cache against a real server, through gradio_client 2.7.2: a repeat call does not run
the function again and returns the same result, a stream is replayed step by step, other
inputs miss, uploads of the same bytes hit, and a hit does not wait for a busy queue."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import porch as gr

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client, handle_file  # noqa: E402

pytestmark = pytest.mark.compat


class Calls:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()

    def count(self, name: str) -> None:
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)


def cached_app(calls: Calls, release: threading.Event) -> gr.Blocks:
    @gr.cache
    def shout(text: str, times: float) -> str:
        calls.count("shout")
        return (text.upper() + "!") * int(times)

    @gr.cache
    def spell(word: str) -> Iterator[str]:
        calls.count("spell")
        for i in range(1, len(word) + 1):
            time.sleep(0.01)
            yield word[:i]

    @gr.cache
    def size(path: str) -> str:
        calls.count("size")
        return f"{Path(path).name}:{Path(path).stat().st_size}"

    @gr.cache
    def slow(x: float) -> float:
        calls.count("slow")
        if x == 2:
            release.wait(20)  # holds the event's only concurrency slot until released
        return x * 10

    def remember(text: str, store: gr.Cache = gr.Cache()) -> str:  # noqa: B008
        calls.count("remember")
        hit = store.get(text)
        if hit is not None:
            return f"remembered {hit['value']}"
        store.set(text, value=len(text))
        return "stored"

    with gr.Blocks() as demo:
        text, times, out = gr.Textbox(), gr.Number(), gr.Textbox()
        gr.Button().click(shout, [text, times], out, api_name="shout")
        gr.Button().click(spell, text, out, api_name="spell")
        upload = gr.File(type="filepath")
        gr.Button().click(size, upload, out, api_name="size")
        number = gr.Number()
        gr.Button().click(slow, number, number, api_name="slow", concurrency_limit=1)
        gr.Button().click(remember, text, out, api_name="remember")
    return demo


@pytest.fixture(scope="module")
def calls() -> Calls:
    return Calls()


@pytest.fixture(scope="module")
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture(scope="module")
def client(calls: Calls, release: threading.Event,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    from tests.conftest import launched

    with launched(cached_app(calls, release)) as url:
        yield Client(url, verbose=False,
                     download_files=str(tmp_path_factory.mktemp("downloads")))


def test_a_repeat_call_is_answered_without_running_again(client: Client, calls: Calls) -> None:
    first = client.predict("hi", 2, api_name="/shout")
    again = client.predict("hi", 2, api_name="/shout")
    assert first == again == "HI!HI!"
    assert calls["shout"] == 1
    assert client.predict("hi", 3, api_name="/shout") == "HI!HI!HI!"  # another input: a miss
    assert client.predict("ho", 2, api_name="/shout") == "HO!HO!"
    assert calls["shout"] == 3


def test_a_stream_is_replayed_step_by_step(client: Client, calls: Calls) -> None:
    def steps() -> list[Any]:
        job = client.submit("porch", api_name="/spell")
        job.result(timeout=20)
        return list(job.outputs())

    first = steps()
    again = steps()
    assert first == again == ["p", "po", "por", "porc", "porch"]
    assert calls["spell"] == 1


def test_uploads_of_the_same_bytes_hit(client: Client, calls: Calls, tmp_path: Path) -> None:
    same = tmp_path / "a.txt"
    same.write_text("twelve bytes")
    copy = tmp_path / "copy" / "a.txt"
    copy.parent.mkdir()
    copy.write_text("twelve bytes")
    other = tmp_path / "other" / "a.txt"
    other.parent.mkdir()
    other.write_text("thirteen bytes")
    assert client.predict(handle_file(str(same)), api_name="/size") == "a.txt:12"
    assert client.predict(handle_file(str(copy)), api_name="/size") == "a.txt:12"
    assert calls["size"] == 1  # uploaded twice, stored under two random names: one run
    assert client.predict(handle_file(str(other)), api_name="/size") == "a.txt:14"
    assert calls["size"] == 2


def test_a_hit_does_not_wait_for_the_busy_queue(client: Client, calls: Calls,
                                                release: threading.Event) -> None:
    assert client.predict(1, api_name="/slow") == 10
    busy = client.submit(2, api_name="/slow")  # takes the only slot, and keeps it
    deadline = time.monotonic() + 10
    while calls["slow"] < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert calls["slow"] == 2
    waiting = client.submit(3, api_name="/slow")  # a miss: waits behind the busy run
    started = time.monotonic()
    assert client.predict(1, api_name="/slow") == 10  # a hit: answered at once
    assert time.monotonic() - started < 5
    assert not busy.done() and not waiting.done()
    release.set()
    assert busy.result(timeout=20) == 20 and waiting.result(timeout=20) == 30
    assert calls["slow"] == 3


def test_a_cache_parameter_is_the_same_store_every_call(client: Client, calls: Calls) -> None:
    assert client.predict("abc", api_name="/remember") == "stored"
    assert client.predict("abc", api_name="/remember") == "remembered 3"
    assert calls["remember"] == 2  # gr.Cache is read by hand: the function runs each time
    info = client.view_api(return_format="dict", print_info=False)
    parameters = info["named_endpoints"]["/remember"]["parameters"]
    assert [p["parameter_name"] for p in parameters] == ["text"]


def test_cached_calls_count_through_one_client_in_parallel(client: Client,
                                                           calls: Calls) -> None:
    before = calls["shout"]
    jobs = [client.submit("par", 1, api_name="/shout") for _ in range(4)]
    assert {job.result(timeout=20) for job in jobs} == {"PAR!"}
    # Concurrent misses may each run (no app code waits on another's result), but later
    # calls never do.
    ran = calls["shout"] - before
    assert 1 <= ran <= 4
    assert client.predict("par", 1, api_name="/shout") == "PAR!"
    assert calls["shout"] - before == ran

