"""The `porch` command.

    porch app.py [--no-reload]        run an app, restarting it when a source file changes
                 [--backend URL]      ... as a replica sharing state through Redis
    porch api URL                     list a running app's endpoints (porch or Gradio)
    porch call URL /name ARG...       call one endpoint and print its result
    porch audit app.py                print what the app exposes, without serving it

Subcommands are dispatched on the first argument (see SUBCOMMANDS), so a file named like a
subcommand must be given with a path (`porch ./api`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from porch.version import __version__


class AppSourceFilter:
    """Which changes restart the app: Python files, outside hidden, cache and venv folders.

    watchfiles' own PythonFilter knows the usual tool folders; porch also skips any folder
    (or file) whose name starts with a dot and plain `venv`, as the reloader always has.
    """

    skipped_dirs = frozenset({"__pycache__", "node_modules", "venv"})

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, change: object, path: str) -> bool:
        candidate = Path(path)
        if candidate.suffix not in (".py", ".pyw"):
            return False
        try:
            parts = candidate.relative_to(self.root).parts
        except ValueError:
            return False
        return not any(part.startswith(".") or part in self.skipped_dirs for part in parts)


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
    # watchfiles waits on the OS's change notifications (inotify) instead of re-reading every
    # file's mtime twice a second, and debounces an editor's burst of writes into one restart.
    import watchfiles

    process = _start(app)
    restarts = 0
    try:
        for _changes in watchfiles.watch(watch, watch_filter=AppSourceFilter(watch),
                                         debounce=400, step=50):
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
    return 0


# ---- client subcommands -------------------------------------------------------------------


def _client_parser(name: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"porch {name}", description=description)
    parser.add_argument("url", help="the app's address, e.g. http://127.0.0.1:7860/")
    parser.add_argument("--auth", metavar="USER:PASSWORD", help="log in first")
    return parser


def _auth(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    user, sep, password = value.partition(":")
    if not sep:
        raise SystemExit("porch: --auth takes USER:PASSWORD")
    return user, password


def _argument(text: str) -> Any:
    """A command-line value: `@path` is a file to upload, valid JSON is JSON, else a string."""
    if text.startswith("@") and len(text) > 1:
        from porch.client import handle_file

        return handle_file(text[1:])
    try:
        return json.loads(text)
    except ValueError:
        return text


def _api_command(argv: Sequence[str]) -> int:
    parser = _client_parser("api", "List the endpoints of a running porch or Gradio app.")
    parser.add_argument("--json", action="store_true", help="print the view_api() dict")
    args = parser.parse_args(argv)
    from porch.client import Client
    from porch.errors import PorchError

    try:
        with Client(args.url, auth=_auth(args.auth), verbose=False) as client:
            if args.json:
                print(json.dumps(client.view_api(print_info=False, return_format="dict"),
                                 indent=2))
            else:
                client.view_api()
    except (PorchError, ValueError) as exc:
        print(f"porch api: {exc}", file=sys.stderr)
        return 1
    return 0


def _call_command(argv: Sequence[str]) -> int:
    parser = _client_parser("call", "Call one endpoint of a running porch or Gradio app and "
                                    "print its result.")
    parser.add_argument("api_name", help="the endpoint, e.g. /predict")
    parser.add_argument("args", nargs="*", metavar="ARG",
                        help="arguments in order: JSON when valid JSON, else a string; "
                             "@path uploads a file")
    parser.add_argument("--download-dir", metavar="DIR",
                        help="where output files go (default: a temporary folder)")
    parser.add_argument("--quiet", action="store_true",
                        help="no queue position or progress on stderr")
    args = parser.parse_args(argv)
    from porch.client import Client
    from porch.errors import AppError, PorchError

    api_name = args.api_name if args.api_name.startswith("/") else "/" + args.api_name
    options: dict[str, Any] = {"auth": _auth(args.auth), "verbose": False}
    if args.download_dir:
        options["download_files"] = args.download_dir
    try:
        values = [_argument(arg) for arg in args.args]
        with Client(args.url, **options) as client:
            job = client.submit(*values, api_name=api_name)
            if not args.quiet:
                from porch.cli_progress import watch

                watch(job, sys.stderr)
            result = job.result()
    except AppError as exc:
        print(f"porch call: {api_name} failed: {exc.message}", file=sys.stderr)
        return 1
    except (PorchError, ValueError, TypeError) as exc:
        print(f"porch call: {exc}", file=sys.stderr)
        return 1
    print(result if isinstance(result, str) else json.dumps(result, indent=2, default=str))
    return 0


def _doctor_command(argv: Sequence[str]) -> int:
    parser = _client_parser("doctor", "Check a deployed app through its proxy: TLS, root "
                                      "path, streams, upload limits, Host/Origin rules.")
    parser.add_argument("--ca-file", metavar="PEM", help="trust this CA (a private one)")
    parser.add_argument("--upload-size", type=int, default=32, metavar="MIB",
                        help="the largest upload to try, in MiB (default 32; never more "
                             "than the app's max_file_size)")
    args = parser.parse_args(argv)
    from porch.doctor import diagnose, report

    print(f"porch doctor {args.url}")
    findings = diagnose(args.url, auth=_auth(args.auth), ca_file=args.ca_file,
                        upload_size=args.upload_size * 1024 * 1024)
    return 1 if report(findings, sys.stdout) else 0


AUDIT_MARK = "Files this app exposes:"


def _audit_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="porch audit",
        description="Print the files an app exposes (and risky setups) without serving it.")
    parser.add_argument("app", help="the app's Python file, e.g. app.py")
    args = parser.parse_args(argv)
    app = Path(args.app)
    if not app.is_file():
        parser.error(f"{app} is not a file")
    # The app runs as it would for real (same cwd, same environment), but launch() only
    # prints its exposure report: PORCH_AUDIT is read by the server's settings.
    result = subprocess.run([sys.executable, str(app)], env={**os.environ, "PORCH_AUDIT": "1"},
                            capture_output=True, text=True, timeout=120)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        return result.returncode
    if AUDIT_MARK not in result.stdout:
        print(f"porch audit: {app} never called launch(), so there is nothing to report.",
              file=sys.stderr)
        return 1
    return 0


# First-argument words that name a subcommand rather than an app file.
SUBCOMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "api": _api_command,
    "audit": _audit_command,
    "call": _call_command,
    "doctor": _doctor_command,
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in SUBCOMMANDS:
        return SUBCOMMANDS[arguments[0]](arguments[1:])
    parser = argparse.ArgumentParser(
        prog="porch", description="Run a porch app, restarting it when its files change."
    )
    parser.add_argument("--version", action="version", version=f"porch {__version__}")
    parser.add_argument("app", help="the app's Python file, e.g. app.py")
    parser.add_argument("--no-reload", action="store_true", help="run once, without watching")
    parser.add_argument("--backend", metavar="URL",
                        help="keep what replicas share in this Redis, e.g. "
                             "redis://127.0.0.1:6379/0 (sets PORCH_BACKEND; docs/cluster.md)")
    args = parser.parse_args(arguments)
    app = Path(args.app)
    if not app.is_file():
        parser.error(f"{app} is not a file")
    if args.backend is not None:
        from porch.server.backend import BackendURLError, backend_url

        try:
            backend_url(args.backend)
        except BackendURLError as exc:
            parser.error(str(exc))
        # The app runs in a child process: its launch() reads the choice from there.
        os.environ["PORCH_BACKEND"] = args.backend
    if args.no_reload:
        return subprocess.call([sys.executable, str(app)])
    return run_with_reload(app.resolve(), watch=app.resolve().parent)
