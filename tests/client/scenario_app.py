"""One app, written once against the Gradio-shaped API, served by porch or by Gradio.

`build(gr)` takes the module (`porch` or `gradio`), so the client scenarios run against two
servers hosting the same endpoints, and any difference in what the client sees is the
servers' doing.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any


def greet(name: str) -> str:
    return "Hello " + name + "!"


def add(a: float, b: float) -> float:
    return a + b


def count(n: float) -> Iterator[str]:
    text = ""
    for i in range(int(n)):
        text += f"{i} "
        yield text
        time.sleep(0.05)


def fail(text: str) -> str:
    raise _module.Error(f"Custom failure: {text}", title="Bad input", duration=5)


def crash(text: str) -> str:
    raise RuntimeError("secret internal detail " + text)


def remember(word: str, words: list[str]) -> tuple[str, list[str]]:
    words = [*words, word]
    return ", ".join(words), words


def slow(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def chatty(text: str) -> str:
    _module.Info("starting " + text)
    time.sleep(0.2)
    _module.Warning("almost done")
    time.sleep(0.2)
    return text


def split(text: str) -> tuple[str, float]:
    return text.upper(), float(len(text))


def shout_file(path: str) -> str:
    """Read an uploaded text file and return a new file holding it upper-cased."""
    content = Path(path).read_text(encoding="utf-8")
    out = Path(tempfile.mkdtemp(prefix="scenario-")) / "shouted.txt"
    out.write_text(content.upper(), encoding="utf-8")
    return str(out)


_module: Any = None


def build(gr: ModuleType) -> Any:
    """The scenario app on `gr` (porch or gradio)."""
    global _module
    _module = gr
    with gr.Blocks(title="scenarios") as demo:
        name = gr.Textbox(label="name")
        out = gr.Textbox(label="out")
        n = gr.Number(label="n", value=3)
        a = gr.Number(label="a", value=1)
        b = gr.Number(label="b")
        total = gr.Number(label="total")
        length = gr.Number(label="length")
        words = gr.State([])
        go = gr.Button("Go")
        go.click(greet, name, out, api_name="greet")
        go.click(add, [a, b], total, api_name="add")
        go.click(count, n, out, api_name="count")
        go.click(fail, name, out, api_name="fail")
        go.click(crash, name, out, api_name="crash")
        go.click(remember, [name, words], [out, words], api_name="remember")
        go.click(slow, n, total, api_name="slow_one", concurrency_limit=1)
        go.click(chatty, name, out, api_name="chatty")
        go.click(split, name, [out, length], api_name="split")
        progress_type = getattr(gr, "Progress", None)
        if progress_type is not None:
            tracker = progress_type()  # Gradio finds a Progress by the argument's default

            def steps(n: float, progress: Any = tracker) -> str:
                for _ in progress.tqdm(range(int(n)), desc="working"):
                    time.sleep(0.15)
                return "done"

            go.click(steps, n, out, api_name="steps")
        file_component = getattr(gr, "File", None)
        if file_component is not None:
            f_in = file_component(label="f_in")
            f_out = file_component(label="f_out")
            go.click(shout_file, f_in, f_out, api_name="shout_file")
    return demo
