"""Functions the engine tests run on Dask/Ray workers. They live in an importable module
(the workers import it by name, as they would an app's own package)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import porch as gr


def where(text: str) -> str:
    return f"{text.upper()}@{os.getpid()}"


def count_up(n: float):  # type: ignore[no-untyped-def]
    for i in range(int(n)):
        yield f"step {i}"


def reports(text: str, progress=gr.Progress()) -> str:  # noqa: B008 - Gradio's spelling
    progress(0.25, desc="warming up")
    time.sleep(0.3)  # progress is sent at most every so often: let each report go out
    for _ in progress.tqdm(range(3), desc="working"):
        time.sleep(0.3)
    gr.Info("half way there")
    return text[::-1]


def refuses(text: str) -> str:
    raise gr.Error(f"cannot take {text!r}", title="Refused")


def nap(label: str) -> str:
    started = time.time()
    time.sleep(0.6)
    return f"{label}:{started:.3f}:{time.time():.3f}"


def ticks(log: str):  # type: ignore[no-untyped-def]
    """Writes each step to `log` (so a test can see the worker stop), for ~20 s at most."""
    for i in range(200):
        with open(log, "a") as out:
            out.write(f"{i}\n")
        yield i
        time.sleep(0.1)


def remember(text: str, seen: list[str] | None) -> tuple[str, list[str]]:
    seen = [*(seen or []), text]
    return " + ".join(seen), seen


def file_size(path: str) -> int:
    return Path(path).stat().st_size


def writes_file(text: str) -> str:
    out = Path(os.environ["ENGINE_OUTPUT_DIR"]) / f"{os.getpid()}-{time.time_ns()}.txt"
    out.write_text(text * 3)
    return str(out)
