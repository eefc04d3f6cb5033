"""Starting, watching and always stopping the benchmark's server and client processes."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT_S = 60.0
# Short enough not to add much to the launch time being measured, long enough not to steal
# the CPU from the server that is starting.
POLL_INTERVAL_S = 0.005
STOP_GRACE_S = 5.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port nothing listens on now. The kernel picks it; a tiny race before use remains."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_mib(self) -> float:
        """Resident memory of the server process (VmRSS)."""
        return _status_kib(self.pid, "VmRSS") / 1024

    def peak_rss_mib(self) -> float:
        """Highest resident memory so far (VmHWM)."""
        return _status_kib(self.pid, "VmHWM") / 1024

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process, all its threads included."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        # After the ")" that ends the command name, utime and stime are fields 12 and 13.
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{key} not found for pid {pid}")


def _config_ok(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/config")
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        conn.close()


class ProcessGroup:
    """Every process started through it is stopped by `close()`, whatever happened before.

    Each child gets its own session (process group), so a terminal Ctrl-C reaches only this
    script, which then stops the children itself; and stopping a child's group also stops
    anything that child spawned.
    """

    def __init__(self) -> None:
        self._procs: list[subprocess.Popen[bytes]] = []
        self._logdir = Path(tempfile.mkdtemp(prefix="porch-bench-"))

    def __enter__(self) -> ProcessGroup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def popen(self, cmd: Sequence[str], env: dict[str, str] | None, log_name: str,
              ) -> tuple[subprocess.Popen[bytes], Path]:
        log_path = self._logdir / f"{log_name}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(list(cmd), env=env, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    preexec_fn=_default_sigint)
        self._procs.append(proc)
        return proc, log_path

    def start_server(self, name: str, cmd: Sequence[str], port: int,
                     env: dict[str, str] | None = None) -> tuple[Server, float]:
        """Start a server and poll `GET /config` until 200. Returns it and the seconds from
        spawning the process to that first 200."""
        started = time.perf_counter()
        proc, log_path = self.popen(cmd, env, f"{name}-{port}")
        server = Server(name, proc, f"http://{HOST}:{port}", log_path)
        deadline = started + START_TIMEOUT_S
        while time.perf_counter() < deadline:
            if _config_ok(port):
                return server, time.perf_counter() - started
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode} before serving:\n"
                                   f"{server.log_tail()}")
            time.sleep(POLL_INTERVAL_S)
        self.stop(proc)
        raise RuntimeError(f"{name} did not answer /config within {START_TIMEOUT_S:.0f}s:\n"
                           f"{server.log_tail()}")

    def run(self, cmd: Sequence[str], timeout: float, env: dict[str, str] | None = None,
            ) -> str:
        """Run a short-lived process (a client, an import probe) and return its stdout."""
        proc = subprocess.Popen(list(cmd), env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=_default_sigint)
        self._procs.append(proc)
        try:
            out, err = proc.communicate(timeout=timeout)
        finally:
            self.stop(proc)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:3])}... failed ({proc.returncode}):\n"
                               f"{err.decode(errors='replace')[-2000:]}")
        return out.decode()

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGINT (every target shuts down cleanly on it), then SIGKILL after a grace time."""
        # Signals go only to a child not yet reaped: until then its pid (the group id) cannot
        # have been reused by an unrelated process.
        if proc.poll() is None:
            _kill_group(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                _kill_group(proc.pid, signal.SIGKILL)
                proc.wait(timeout=STOP_GRACE_S)
        # Forgotten only once reaped: a Ctrl-C that cuts this wait short leaves it to close().
        if proc in self._procs:
            self._procs.remove(proc)

    def close(self) -> None:
        for proc in list(self._procs):
            with contextlib.suppress(Exception):
                self.stop(proc)
        shutil.rmtree(self._logdir, ignore_errors=True)


def _default_sigint() -> None:
    """In the child before exec: a shell starts background jobs with SIGINT ignored, and the
    child would inherit that and shrug off the SIGINT that stops it cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _kill_group(pgid: int, sig: signal.Signals) -> None:
    # The group id is the pid of a child we started with start_new_session=True.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Make SIGTERM unwind like Ctrl-C, so `finally` blocks stop the servers."""
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class Timer:
    """Wall time of the whole run, for the report."""

    start: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start
