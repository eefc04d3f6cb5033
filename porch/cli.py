"""The `porch` command: `porch app.py` runs an app and restarts it when a source file changes."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from porch.version import __version__

POLL_SECONDS = 0.5


def _snapshot(folder: Path) -> dict[Path, float]:
    """Modification times of the Python files the app is likely made of."""
    times: dict[Path, float] = {}
    for path in folder.rglob("*.py"):
        if any(part.startswith(".") or part in ("__pycache__", "node_modules", "venv")
               for part in path.relative_to(folder).parts):
            continue
        try:
            times[path] = path.stat().st_mtime
        except OSError:
            continue
    return times


def _start(app: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(app)], cwd=os.getcwd())


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_with_reload(app: Path, *, watch: Path, max_restarts: int | None = None) -> int:
    """Run `app` in a child process; restart it whenever a .py file under `watch` changes."""
    process = _start(app)
    seen = _snapshot(watch)
    restarts = 0
    try:
        while True:
            time.sleep(POLL_SECONDS)
            current = _snapshot(watch)
            if current != seen:
                seen = current
                print(f"Change detected; restarting {app.name}...", flush=True)
                _stop(process)
                process = _start(app)
                restarts += 1
                if max_restarts is not None and restarts >= max_restarts:
                    process.wait()
                    return process.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(process)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="porch", description="Run a porch app, restarting it when its files change."
    )
    parser.add_argument("--version", action="version", version=f"porch {__version__}")
    parser.add_argument("app", help="the app's Python file, e.g. app.py")
    parser.add_argument("--no-reload", action="store_true", help="run once, without watching")
    args = parser.parse_args(argv)
    app = Path(args.app)
    if not app.is_file():
        parser.error(f"{app} is not a file")
    if args.no_reload:
        return subprocess.call([sys.executable, str(app)])
    return run_with_reload(app.resolve(), watch=app.resolve().parent)
