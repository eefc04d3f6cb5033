"""Apps the load tests serve. `python -m tests.load.apps echo PORT` serves the echo app in a
process of its own, so that its memory is measured alone."""

from __future__ import annotations

import asyncio
import sys
import threading
import time

import porch as gr


def echo_app() -> gr.Blocks:
    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(lambda x: x, box, box, api_name="echo", concurrency_limit=None)
    return demo


class Meter:
    """How many calls run at once, the most ever seen, and how many ran to their end."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.finished = 0

    def enter(self) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)

    def leave(self, finished: bool) -> None:
        with self.lock:
            self.active -= 1
            self.finished += finished


def sleeper_app(meter: Meter, limit: int, seconds: float) -> gr.Blocks:
    """`nap(x)`: a sync function sleeping `seconds` (in a worker thread), limit `limit`."""

    def nap(x: str) -> str:
        meter.enter()
        try:
            time.sleep(seconds)
        finally:
            meter.leave(True)
        return x

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(nap, box, box, api_name="nap", concurrency_limit=limit)
    return demo


def async_sleeper_app(meter: Meter, limit: int, seconds: float) -> gr.Blocks:
    """`nap(x)`: a coroutine sleeping `seconds`; a cancelled call never reaches its end."""

    async def nap(x: str) -> str:
        meter.enter()
        finished = False
        try:
            await asyncio.sleep(seconds)
            finished = True
        finally:
            meter.leave(finished)
        return x

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(nap, box, box, api_name="nap", concurrency_limit=limit)
    return demo


def main() -> None:
    name, port = sys.argv[1], int(sys.argv[2])
    if name != "echo":
        raise SystemExit(f"unknown app {name!r}")
    echo_app().launch(server_name="127.0.0.1", server_port=port, quiet=True)


if __name__ == "__main__":
    main()
