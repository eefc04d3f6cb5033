"""The app `porch.load` loads in tests/compat/test_load_remote.py, built by the same code on
porch or on Gradio (`python -m tests.compat.remote_app gradio PORT` serves Gradio's)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from typing import Any


def shout(text: str, times: float) -> str:
    return (text.upper() + "!") * int(times)


def count(n: float) -> Iterator[str]:
    for i in range(int(n)):
        yield f"step {i + 1}"


def remember(word: str, seen: list[str] | None) -> tuple[str, list[str]]:
    kept = [*(seen or []), word]
    return " ".join(kept), kept


def write(text: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
        file.write(text)
    return file.name


def build(gr: Any) -> Any:
    with gr.Blocks(title="remote") as demo:
        with gr.Row():
            text = gr.Textbox(label="text")
            times = gr.Number(2, label="times")
        out = gr.Textbox(label="out")
        gr.Button("shout").click(shout, [text, times], out, api_name="shout")
        gr.Button("count").click(count, times, out, api_name="count")
        seen = gr.State([])
        gr.Button("remember").click(remember, [text, seen], [out, seen], api_name="remember")
        file = gr.File(label="file")
        gr.Button("write").click(write, text, file, api_name="write")
    return demo


if __name__ == "__main__":
    import gradio

    build(gradio).launch(server_name="127.0.0.1", server_port=int(sys.argv[2]), quiet=True,
                         ssr_mode=False)
