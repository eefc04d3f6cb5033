"""What the load and fault benchmarks share: starting `load_apps.py` / `echo_app.py` on porch
or Gradio, and one call over the queue API or the plain `/call` API with httpx, every
message checked.

The streams are read with httpx on keep-alive connections: the client is the same for both
frameworks, so its cost does not favour either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
from procs import ProcessGroup, Server, free_port

BENCH = Path(__file__).resolve().parent
P = "/gradio_api"
# Bounds every wait so a stuck server fails the run instead of hanging it.
TIMEOUT = httpx.Timeout(30.0)
# A stream longer than this is not one of our short calls: fail rather than loop.
MAX_LINES = 10_000


class CallError(Exception):
    """A call that did not end the way a well-behaved server ends it."""


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # Gradio: no analytics, no SSR (no Node server), no update check, no HF telemetry.
    env.update(GRADIO_ANALYTICS_ENABLED="False", GRADIO_SSR_MODE="False",
               HF_HUB_DISABLE_TELEMETRY="1", HF_HUB_OFFLINE="1", DO_NOT_TRACK="1")
    env.pop("PORCH_SERVER_PORT", None)
    env.pop("GRADIO_SERVER_PORT", None)
    # The apps import porch from the worktree they sit in, not from wherever the venv's
    # editable install points.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(BENCH.parent), *filter(None, [env.get("PYTHONPATH")])])
    env.update(extra or {})
    return env


def find_gradio_python(option: str | None) -> str | None:
    """--gradio-python, $GRADIO_PYTHON, /tmp/porch-bench-gradio, or this interpreter when it
    can import gradio (the CI venv has gradio 6.31.0)."""
    for candidate in (option, os.environ.get("GRADIO_PYTHON"),
                      "/tmp/porch-bench-gradio/bin/python"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    if option:
        raise SystemExit(f"--gradio-python {option}: not an executable file")
    probe = subprocess.run([sys.executable, "-c", "import gradio"], capture_output=True,
                           timeout=120, check=False)
    return sys.executable if probe.returncode == 0 else None


def version_of(python: str, framework: str) -> str:
    out = subprocess.run([python, "-c", f"import {framework}; print({framework}.__version__)"],
                         capture_output=True, text=True, timeout=120, check=False,
                         env=server_env())
    return out.stdout.strip() or "?"


def start(group: ProcessGroup, framework: str, script: str, args: list[str],
          python: str | None = None, env: dict[str, str] | None = None) -> Server:
    """Start `bench/<script> <framework> <args...> <port>` and wait for its /config."""
    port = free_port()
    cmd = [python or sys.executable, str(BENCH / script), framework, *args, str(port)]
    server, _ = group.start_server(framework, cmd, port, env=server_env(env))
    return server


def new_session() -> str:
    return uuid.uuid4().hex


def output_of(message: dict[str, Any]) -> list[Any]:
    output = message.get("output") or {}
    data: list[Any] = output.get("data") or []
    return data


async def queue_call(client: httpx.AsyncClient, session: str, fn_index: int,
                     data: list[Any]) -> list[dict[str, Any]]:
    """`queue/join`, then `queue/data` read to `close_stream`: the stream's messages.

    Raises CallError unless the event completed successfully.
    """
    joined = await client.post(f"{P}/queue/join", json={"data": data, "fn_index": fn_index,
                                                         "session_hash": session})
    if joined.status_code != 200:
        raise CallError(f"join: {joined.status_code} {joined.text[:200]!r}")
    event_id = joined.json().get("event_id")
    messages: list[dict[str, Any]] = []
    async with client.stream("GET", f"{P}/queue/data",
                             params={"session_hash": session}) as response:
        if response.status_code != 200:
            raise CallError(f"data: {response.status_code}")
        # Read on to the end of the body (the server ends it after close_stream): leaving
        # early would make httpx drop the connection instead of reusing it.
        async for line in response.aiter_lines():
            if len(messages) > MAX_LINES:
                raise CallError("stream too long")
            if line.startswith("data: "):
                messages.append(json.loads(line[6:]))
    done = [m for m in messages if m.get("msg") == "process_completed"]
    if len(done) != 1 or done[0].get("event_id") != event_id:
        raise CallError(f"expected one process_completed of {event_id}, got "
                        f"{[m.get('msg') for m in messages][-5:]}")
    if not done[0].get("success", True) or "error" in (done[0].get("output") or {}):
        raise CallError(f"failed: {done[0]!r}"[:300])
    return messages


async def simple_call(client: httpx.AsyncClient, api_name: str, data: list[Any]) -> list[Any]:
    """The plain-HTTP API (PROTOCOL.md §4): `POST /call/<api>` then its SSE stream; the
    `complete` event's data."""
    posted = await client.post(f"{P}/call/{api_name}", json={"data": data})
    if posted.status_code != 200:
        raise CallError(f"call: {posted.status_code} {posted.text[:200]!r}")
    event_id = posted.json()["event_id"]
    event = None
    async with client.stream("GET", f"{P}/call/{api_name}/{event_id}") as response:
        if response.status_code != 200:
            raise CallError(f"call stream: {response.status_code}")
        lines = 0
        async for line in response.aiter_lines():
            lines += 1
            if lines > MAX_LINES:
                raise CallError("stream too long")
            if line.startswith("event: "):
                event = line[7:].strip()
            elif line.startswith("data: ") and event in ("complete", "error"):
                if event == "error":
                    raise CallError(f"error event: {line[6:200]}")
                result: list[Any] = json.loads(line[6:])
                return result
    raise CallError("stream ended without complete")


async def upload(client: httpx.AsyncClient, name: str, content: bytes) -> str:
    """`POST /upload` with one file: the reference the server answers (echoed back as-is)."""
    response = await client.post(f"{P}/upload", files={"files": (name, content)})
    if response.status_code != 200:
        raise CallError(f"upload: {response.status_code} {response.text[:200]!r}")
    refs = response.json()
    if not isinstance(refs, list) or len(refs) != 1:
        raise CallError(f"upload answered {refs!r}"[:200])
    ref: str = refs[0]
    return ref


def file_data(ref: str) -> dict[str, Any]:
    return {"path": ref, "meta": {"_type": "gradio.FileData"}}


def tree_stats(root: Path) -> tuple[int, int]:
    """Files and bytes under `root` (0, 0 if it is gone)."""
    files = size = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            files += 1
            try:
                size += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return files, size


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A small fixed-width table."""
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
