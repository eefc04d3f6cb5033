"""How many ordinary Gradio apps run on porch with only the import changed.

    python bench/compat.py              # every app in bench/compat_apps/
    python bench/compat.py hello_world calculator

Each app in `bench/compat_apps/` is written as a Gradio user writes it, with
`import porch as gr`. Each runs as its own process (`python app.py`, `PORCH_SERVER_PORT` set,
its own working and temp directory), is waited for by polling `/config`, is called with the
official gradio_client on its first API endpoint with a sensible input, and is then stopped.
The last line is `N passed, M failed`; the exit code is 1 if any app failed.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

APPS = Path(__file__).resolve().parent / "compat_apps"
ROOT = APPS.parents[1]
START_TIMEOUT_S = 60.0
CALL_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Case:
    """The input for an app's first endpoint, and a check of what it returns."""

    args: tuple[Any, ...] = ()
    check: Callable[[Any], bool] = field(default=lambda result: result is not None)
    kwargs: dict[str, Any] = field(default_factory=dict)


def _file(name: str) -> tuple[str, str]:
    return ("FILE", name)


def _text_of(path: Any) -> str:
    return Path(str(path)).read_text()


CASES: dict[str, Case] = {
    "hello_world": Case(("World",), lambda r: r == "Hello World!"),
    "sentence_builder": Case(
        (3, "dog", ["USA"], "park", ["ran"], True),
        lambda r: r.startswith("The 3 dogs from USA went to the park where they ran")),
    "calculator": Case((6, "multiply", 7), lambda r: r == 42),
    "sepia_filter": Case((_file("sample.png"),), lambda r: Path(r).stat().st_size > 0),
    "chatbot_blocks": Case(("hi", []), lambda r: r[0] == "" and len(r[1]) == 2),
    "state_counter": Case((), lambda r: r == 1),
    "tabs_accordion": Case(("porch",), lambda r: r == "hcrop"),
    "file_roundtrip": Case((_file("sample.txt"),), lambda r: _text_of(r) == "SAMPLE TEXT\n"),
    "progress_bar": Case(("abc",), lambda r: r == "cba"),
    "generator_stream": Case((3,), lambda r: r == "0 1 2 "),
    "form_controls": Case(
        ("large", ["basil"], "delivery", "ring twice"),
        lambda r: r == {"size": "large", "toppings": ["basil"], "delivery": "delivery",
                        "notes": "ring twice"}),
    "dataframe_stats": Case(
        ({"headers": ["a", "b"], "data": [[1, 2], [3, 4], [5, 6]]},),
        lambda r: "count" in str(r)),
    "label_classifier": Case(("good good bad",), lambda r: r["label"] == "positive"),
    "markdown_html": Case(("Title", "body"), lambda r: r[0].startswith("# Title")
                          and "<h2>Title</h2>" in r[1]),
    "json_echo": Case(({"a": 1},), lambda r: r == {"a": 1, "keys": 1}),
    "image_classifier": Case((_file("sample.png"),),
                             lambda r: r["label"] in ("bright", "dark", "colourful")),
    "audio_reverse": Case((_file("sample.wav"),), lambda r: Path(r).stat().st_size > 44),
    "video_passthrough": Case((_file("sample.mp4"),), lambda r: Path(r).stat().st_size > 0),
    "blocks_events": Case(("Ada",), lambda r: r == "Welcome to porch, Ada!"),
    "chat_interface": Case(("hey",), lambda r: r == "You typed: hey"),
    "tabbed_interface": Case(("Ann",), lambda r: r == "Hello Ann"),
    "cached_examples": Case(("abc", "German"), lambda r: r == "[German] cba"),
    "flagging_app": Case(("a cat", 0.5), lambda r: "a cat" in r),
    "multimodal_chat": Case(({"text": "two", "files": [_file("sample.txt"),
                                                       _file("sample.png")]},),
                            lambda r: r == "You uploaded 2 files and said: two"),
    "gallery_app": Case((2,), lambda r: len(r) == 2),
    "dynamic_ui": Case(("Ann",), lambda r: r == "Hi Ann (as guest)"),
    "highlight_text": Case(("short wonderful",),
                           lambda r: any(item["class_or_confidence"] == "long"
                                         if isinstance(item, dict) else item[1] == "long"
                                         for item in r)),
}


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str
    seconds: float


# ---- sample files ---------------------------------------------------------------------------
def write_samples(folder: Path) -> None:
    """Small input files made here (no downloads): text, PNG, WAV and an MP4 container."""
    (folder / "sample.txt").write_text("sample text\n")
    _write_png(folder / "sample.png")
    with wave.open(str(folder / "sample.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        frames = bytearray()
        for i in range(800):
            value = int(8000 * math.sin(i / 8))
            frames += value.to_bytes(2, "little", signed=True)
        out.writeframes(bytes(frames))
    # An MP4 header box: enough for an app that passes the video through untouched.
    (folder / "sample.mp4").write_bytes(
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)


def _write_png(path: Path) -> None:
    import struct
    import zlib

    width, height = 8, 8
    # Each row: filter byte 0, then RGB pixels (a small gradient).
    raw = b"".join(b"\x00" + b"".join(bytes((30 * x, 25 * y, 180)) for x in range(width))
                   for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# ---- one app --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running(app: Path, workdir: Path) -> Iterator[str]:
    """Start `python app.py` in its own process group; yield its URL; always stop it."""
    port = free_port()
    env = {**os.environ, "PORCH_SERVER_PORT": str(port), "PORCH_TEMP_DIR": str(workdir / "cache"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    log = (workdir / "app.log").open("wb")
    proc = subprocess.Popen([sys.executable, str(app)], cwd=workdir, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"exited with {proc.returncode} before serving: "
                                   f"{_tail(workdir / 'app.log')}")
            try:
                if httpx.get(url + "/config", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"no /config after {START_TIMEOUT_S:.0f}s")
            time.sleep(0.05)
        yield url
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _tail(path: Path, lines: int = 6) -> str:
    text = path.read_text(errors="replace").strip().splitlines()
    return " | ".join(text[-lines:])


def _inputs(value: Any, samples: Path) -> Any:
    from gradio_client import handle_file

    if isinstance(value, tuple) and len(value) == 2 and value[0] == "FILE":
        return handle_file(str(samples / value[1]))
    if isinstance(value, tuple):
        return tuple(_inputs(v, samples) for v in value)
    if isinstance(value, list):
        return [_inputs(v, samples) for v in value]
    if isinstance(value, dict):
        return {k: _inputs(v, samples) for k, v in value.items()}
    return value


def check_app(name: str, scratch: Path) -> Outcome:
    """Launch one app, call its first endpoint, check the answer."""
    from gradio_client import Client

    started = time.monotonic()
    workdir = scratch / name
    workdir.mkdir(parents=True)
    samples = scratch / "samples"
    case = CASES.get(name, Case())
    try:
        with running(APPS / f"{name}.py", workdir) as url:
            client = Client(url, verbose=False, download_files=str(workdir / "downloads"))
            endpoints = client.view_api(print_info=False, return_format="dict")
            first = next(iter(endpoints["named_endpoints"]), None)
            if first is None:
                raise RuntimeError("no API endpoint")
            job = client.submit(*_inputs(case.args, samples), api_name=first, **case.kwargs)
            result = job.result(timeout=CALL_TIMEOUT_S)
            client.close()
        if not case.check(result):
            return Outcome(name, False, f"{first} returned {result!r:.200}",
                           time.monotonic() - started)
        return Outcome(name, True, first, time.monotonic() - started)
    except Exception as exc:  # any failure is this app's result, never the run's
        detail = f"{type(exc).__name__}: {exc}".replace("\n", " ")
        return Outcome(name, False, detail[:400], time.monotonic() - started)


def run(names: Sequence[str] | None = None, workers: int = 3,
        report: Callable[[Outcome], None] = lambda o: None) -> list[Outcome]:
    """Check the named apps (default: all), `workers` at a time; outcomes in name order."""
    chosen = sorted(names or [p.stem for p in APPS.glob("*.py")])
    with tempfile.TemporaryDirectory(prefix="porch-compat-") as tmp:
        scratch = Path(tmp)
        (scratch / "samples").mkdir()
        write_samples(scratch / "samples")
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = []
            for outcome in pool.map(lambda n: check_app(n, scratch), chosen):
                report(outcome)
                outcomes.append(outcome)
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("apps", nargs="*", help="app names (default: all)")
    parser.add_argument("--workers", type=int, default=3)
    options = parser.parse_args(argv)

    def show(o: Outcome) -> None:
        print(f"{'PASS' if o.ok else 'FAIL'}  {o.name:<20} {o.seconds:5.1f}s  {o.detail}",
              flush=True)

    outcomes = run(options.apps or None, options.workers, show)
    passed = sum(o.ok for o in outcomes)
    print(f"{passed} passed, {len(outcomes) - passed} failed")
    return 0 if passed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
