"""Share links: a reverse SSH tunnel from a server you control to the local app.

`launch(share="ssh://user@host[:port]")` (or `share=True` with `PORCH_SHARE_SERVER` set) runs
the system's OpenSSH client:

    ssh -N -R [bind:]<remote_port>:127.0.0.1:<local_port> [-p port] [user@]host

Remote port 0 lets the server pick one (ssh reports it); the public URL is then
`http://host:<port>`, reachable from outside when the server's sshd has `GatewayPorts` on.
Query parameters tune it: `remote_port=8080` (a fixed port, e.g. behind nginx there),
`bind=127.0.0.1` (the remote listen address; needs `GatewayPorts clientspecified`) and
`public_url=https://demo.example.com` (the URL to print, for a proxy in front).
`PORCH_SHARE_SSH_COMMAND` replaces `ssh` (e.g. `ssh -i ~/.ssh/share_key`), as GIT_SSH_COMMAND.

The tunnel dies with the app: `close()` (and Ctrl-C, and interpreter exit) kill it, and on
POSIX a watchdog shell kills ssh when this process's end of a pipe closes, so even a killed
app does not leave a tunnel pointing at a port someone else may bind next.
"""

from __future__ import annotations

import atexit
import os
import re
import shlex
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from porch.errors import ConfigError

HOW_TO = (
    "Share links go through an SSH server you control: pass share='ssh://user@host' or set "
    "PORCH_SHARE_SERVER=ssh://user@host (see docs/sharing.md for the server's side)."
)

# Runs ssh, and kills it when stdin (a pipe from the app) reaches end of file.
_WATCHDOG = (
    'exec 3<&0; "$@" </dev/null & child=$!; '
    '{ read -r _ <&3; kill "$child" 2>/dev/null; } & watcher=$!; '
    'wait "$child"; status=$?; kill "$watcher" 2>/dev/null; exit "$status"'
)
_ALLOCATED = re.compile(r"Allocated port (\d+) for remote forward")
_SUCCESS = re.compile(r"remote forward success for: listen (?:\S*:)?(\d+),")


class ShareError(ConfigError):
    """The tunnel could not be opened; the message carries ssh's own words."""


@dataclass(frozen=True)
class ShareTarget:
    host: str
    user: str | None = None
    port: int | None = None
    remote_port: int = 0
    bind: str | None = None
    public_url: str | None = None

    @classmethod
    def parse(cls, spec: str) -> ShareTarget:
        try:
            parts = urlsplit(spec.strip())
            hostname = parts.hostname
        except ValueError:
            hostname = None
        if not hostname or parts.scheme != "ssh":
            raise ConfigError(f"A share server looks like ssh://user@host[:port]; got {spec!r}. "
                              + HOW_TO)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"remote_port", "bind", "public_url"}
        if unknown:
            raise ConfigError(f"Unknown share option(s): {', '.join(sorted(unknown))}.")
        try:
            port = parts.port
            remote_port = int(query.get("remote_port", "0"))
        except ValueError:
            raise ConfigError(f"Bad port in share server {spec!r}.") from None
        if not 0 <= remote_port < 65536:
            raise ConfigError(f"remote_port must be 0..65535, got {remote_port}.")
        public_url = query.get("public_url")
        if public_url is not None and urlsplit(public_url).scheme not in ("http", "https"):
            raise ConfigError(f"public_url must be an http(s) URL, got {public_url!r}.")
        bind = query.get("bind")
        for value in (hostname, parts.username or "", bind or ""):
            # Each ends up as one argument of ssh: none may look like an option.
            if value.startswith("-") or any(c.isspace() for c in value):
                raise ConfigError(f"Bad share server {spec!r}.")
        return cls(host=hostname, user=parts.username, port=port,
                   remote_port=remote_port, bind=bind, public_url=public_url)

    @property
    def public_host(self) -> str:
        """The Host name browsers will send (the guard must answer it)."""
        return (urlsplit(self.public_url).hostname or "") if self.public_url else self.host

    def url_for(self, remote_port: int) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{remote_port}"


class ShareTunnel:
    """One `ssh -R` process forwarding a remote port to `local_host:local_port`."""

    def __init__(self, target: ShareTarget, local_host: str, local_port: int,
                 ssh_command: Sequence[str] | str = "ssh") -> None:
        self.target = target
        command = shlex.split(ssh_command) if isinstance(ssh_command, str) else list(ssh_command)
        local = f"[{local_host}]" if ":" in local_host else local_host
        bind = f"{self.target.bind}:" if self.target.bind else ""
        self.argv = [
            *command, "-N", "-T",
            "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes",
            "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3",
            # debug1 is where ssh reports a forward it was granted (fixed ports say no more).
            "-o", "LogLevel=DEBUG1",
            "-R", f"{bind}{self.target.remote_port}:{local}:{local_port}",
        ]
        if self.target.port:
            self.argv += ["-p", str(self.target.port)]
        destination = f"{target.user}@{target.host}" if target.user else target.host
        self.argv += ["--", destination]
        self.url: str | None = None
        self._process: subprocess.Popen[str] | None = None
        self._lines: deque[str] = deque(maxlen=40)
        self._port: int | None = None
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None

    def open(self, timeout: float = 30.0) -> str:
        """Start ssh and wait until the remote port is forwarding; returns the public URL."""
        argv = ["/bin/sh", "-c", _WATCHDOG, "porch-share", *self.argv] \
            if os.name == "posix" else self.argv
        try:
            self._process = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True, start_new_session=True)
        except FileNotFoundError:
            raise ShareError(f"Cannot run {self.argv[0]!r}: install the OpenSSH client, or "
                             "point PORCH_SHARE_SSH_COMMAND at it.") from None
        atexit.register(self.close)
        self._reader = threading.Thread(target=self._read, name="porch-share-ssh", daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self._ready.wait(0.5)  # let the reader catch ssh's last words
                self.close()
                said = "\n".join(line for line in self._lines
                                 if not line.startswith("debug")) or "(nothing)"
                raise ShareError(f"The share tunnel to {self.target.host} did not open. "
                                 f"ssh said:\n{said}")
        assert self._port is not None
        self.url = self.target.url_for(self._port)
        return self.url

    def _read(self) -> None:
        process = self._process
        assert process is not None and process.stderr is not None
        wanted = self.target.remote_port
        for raw in process.stderr:  # drained to the end, so ssh never blocks on a full pipe
            line = raw.rstrip()
            self._lines.append(line)
            if self._ready.is_set():
                continue
            allocated = _ALLOCATED.search(line)
            granted = _SUCCESS.search(line)
            if allocated:
                self._port = int(allocated.group(1))
                self._ready.set()
            elif granted and wanted and int(granted.group(1)) == wanted:
                self._port = wanted
                self._ready.set()

    def is_alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        atexit.unregister(self.close)
        if process.poll() is None:
            try:
                # Its own session: the group holds the watchdog shell and ssh, nothing else.
                os.killpg(process.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError, AttributeError):
                process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if process.stdin is not None:
            process.stdin.close()
        if self._reader is not None:
            self._reader.join(timeout=5)  # ssh is gone: its stderr reaches end of file
        if process.stderr is not None and (self._reader is None or not self._reader.is_alive()):
            process.stderr.close()
