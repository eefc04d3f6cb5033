"""Apps for the queue-feature tests: progress, time limits, batches, shared limits, sessions."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import porch as gr


class Meter:
    """Counts how many calls run at once (thread-safe), and the most ever seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.active -= 1


def steps(n: float, progress: gr.Progress = gr.Progress()) -> str:
    progress(0.0, desc="warming up")
    for _ in progress.tqdm(range(int(n)), desc="stepping", unit="steps"):
        time.sleep(0.03)
    gr.Info("done stepping")
    return f"{int(n)} steps"


def tqdm_steps(n: float, progress: gr.Progress = gr.Progress(track_tqdm=True)) -> str:
    from tqdm import tqdm

    for _ in tqdm(range(int(n)), desc="inner tqdm", mininterval=0):
        time.sleep(0.02)
    return "tracked"


def hang(seconds: float) -> str:
    time.sleep(seconds)
    return "woke up"


async def async_hang(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "woke up"


def ticking(n: float) -> Iterator[str]:
    for i in range(int(n)):
        yield str(i)
        time.sleep(0.05)


batch_sizes: list[int] = []


def shout_batch(words: list[str]) -> list[list[str]]:
    batch_sizes.append(len(words))
    time.sleep(0.2)  # long enough for the other callers to queue up behind the first
    return [[w.upper() for w in words]]


def broken_batch(words: list[str]) -> list[str]:
    return ["not one list per output"]


shared = Meter()


def shared_a(x: float) -> float:
    with shared:
        time.sleep(0.1)
    return x


def shared_b(x: float) -> float:
    with shared:
        time.sleep(0.1)
    return -x


unloaded: list[str] = []
deleted: list[Any] = []


def remember(word: str, words: list[str]) -> tuple[str, list[str]]:
    words = [*words, word]
    return " ".join(words), words


def features(max_size: int | None = None) -> gr.Blocks:
    with gr.Blocks(title="queue features") as demo:
        n = gr.Number(label="n", value=3)
        text = gr.Textbox(label="text")
        out = gr.Textbox(label="out")
        words = gr.State([], time_to_live=600, delete_callback=deleted.append)
        go = gr.Button("Go")
        go.click(steps, n, out, api_name="steps")
        go.click(tqdm_steps, n, out, api_name="tqdm_steps")
        go.click(hang, n, out, api_name="hang", time_limit=0.3, concurrency_limit=None)
        go.click(async_hang, n, out, api_name="async_hang", time_limit=0.3)
        go.click(ticking, n, out, api_name="ticking", time_limit=0.3)
        go.click(shout_batch, text, out, api_name="shout", batch=True, max_batch_size=3)
        go.click(broken_batch, text, out, api_name="broken_batch", batch=True)
        go.click(shared_a, n, n, api_name="shared_a", concurrency_id="gpu",
                 concurrency_limit=1)
        go.click(shared_b, n, n, api_name="shared_b", concurrency_id="gpu",
                 concurrency_limit=3)
        go.click(remember, [text, words], [out, words], api_name="remember")
        go.click(steps, n, out, api_name="direct_steps", queue=False)
        demo.unload(lambda: unloaded.append("bye"))
    demo.queue(max_size=max_size)
    return demo
