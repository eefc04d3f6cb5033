"""The echo app of tests/compat/test_parallel_calls.py. `python -m tests.compat.parallel_app
PORT` serves it in a process of its own, so that the server does not share the clients' GIL
(as for a real deployment)."""

from __future__ import annotations

import sys
import time

import porch as gr

CONCURRENCY = 20  # every call of a round runs at once


def echo(text: str) -> str:
    time.sleep(0.002)  # long enough for calls to overlap, short enough for 12,000 of them
    return text


def echo_app() -> gr.Blocks:
    with gr.Blocks() as demo:
        given = gr.Textbox()
        answer = gr.Textbox()
        given.submit(echo, given, answer, api_name="echo", concurrency_limit=CONCURRENCY)
    return demo


if __name__ == "__main__":
    echo_app().launch(server_name="127.0.0.1", server_port=int(sys.argv[1]), quiet=True)
