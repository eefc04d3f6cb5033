"""Real servers in front of porch for the sharing tests: Debian's nginx as a reverse proxy at a
path prefix, and Debian's OpenSSH server as the far end of a share tunnel.

Both run from a temporary folder (config, keys, pid, logs, temp files), listen on a free
loopback port, and are stopped by the process id they were started with. CI installs the
packages (.ci/run); elsewhere a missing package skips these tests, CI fails them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port

NGINX = "/usr/sbin/nginx"
SSHD = "/usr/sbin/sshd"
PREFIX = "/apps/demo"


def require(binary: str, package: str) -> None:
    if Path(binary).exists():
        return
    message = f"{binary} is missing: apt-get install {package} (.ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path,
                  timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}:\n{_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill if it does not end within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


NGINX_CONFIG = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
{user}
events {{ worker_connections 128; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 20m;
    server {{
        listen 127.0.0.1:{port};
        # The configuration docs/sharing.md recommends, with nginx's default buffering
        # (porch's event streams also say X-Accel-Buffering: no).
        location {prefix}/ {{
            proxy_pass http://127.0.0.1:{upstream}/;
            proxy_http_version 1.1;
{headers}
            proxy_read_timeout 3600s;
{extra}
        }}
    }}
}}
"""
FORWARDING = """\
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"""


@contextmanager
def nginx(upstream: int, tmp: Path, prefix: str = PREFIX, *, forwarding: bool = True,
          extra: str = "") -> Iterator[str]:
    """nginx on a free loopback port proxying `prefix/` to porch on `upstream`; yields the
    public URL of the app (ending in `prefix/`). `forwarding=False` leaves out the Host and
    X-Forwarded-* headers (nginx then sends its upstream's address as Host); `extra` adds
    directives to the location (a misconfiguration to find)."""
    require(NGINX, "nginx")
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    config = tmp / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(tmp=tmp, port=port, upstream=upstream,
                                          prefix=prefix, user=user,
                                          headers=FORWARDING if forwarding else "",
                                          extra=extra))
    with running_nginx(config, tmp, port):
        yield f"http://127.0.0.1:{port}{prefix}/"


@contextmanager
def running_nginx(config: Path, tmp: Path, port: int) -> Iterator[None]:
    """nginx with `config` (its files under `tmp`), until it listens on `port`; stopped after."""
    log = tmp / "error.log"
    process = subprocess.Popen([NGINX, "-e", str(log), "-p", str(tmp), "-c", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        yield
    finally:
        stop_process(process)


SSHD_CONFIG = """
Port {port}
ListenAddress 127.0.0.1
HostKey {tmp}/host_key
PidFile {tmp}/sshd.pid
AuthorizedKeysFile {tmp}/authorized_keys
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowTcpForwarding remote
GatewayPorts clientspecified
X11Forwarding no
PermitTTY no
"""


@contextmanager
def sshd(tmp: Path) -> Iterator[tuple[int, str]]:
    """sshd on a free loopback port with a throwaway host key and user key; yields
    (port, ssh command) where the command logs in with the key and trusts only that host."""
    require(SSHD, "openssh-server")
    if os.geteuid() != 0:
        message = "sshd needs root to accept logins"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    keygen = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
    port = free_port()
    subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / "host_key")],
                   check=True)
    subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / "user_key")],
                   check=True)
    (tmp / "authorized_keys").write_text((tmp / "user_key.pub").read_text())
    host_public = (tmp / "host_key.pub").read_text().split()[:2]
    (tmp / "known_hosts").write_text(f"[127.0.0.1]:{port} {' '.join(host_public)}\n")
    config = tmp / "sshd_config"
    config.write_text(SSHD_CONFIG.format(port=port, tmp=tmp))
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    log = tmp / "sshd.log"
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config), "-E", str(log)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    command = (f"ssh -F /dev/null -i {tmp}/user_key -o IdentitiesOnly=yes "
               f"-o UserKnownHostsFile={tmp}/known_hosts -o StrictHostKeyChecking=yes")
    try:
        wait_for_port(port, process, log)
        yield port, command
    finally:
        stop_process(process)


@contextmanager
def behind_nginx(demo: Any, tmp: Path, *, forwarding: bool = True, extra: str = "",
                 **options: Any) -> Iterator[str]:
    """Launch `demo` on loopback for nginx at `PREFIX`; yields the public URL (ending in /).
    `forwarding` and `extra` are nginx()'s."""
    port = free_port()
    options = {"root_path": PREFIX, "trusted_proxies": ["127.0.0.1"], "quiet": True, **options}
    demo.launch(prevent_thread_lock=True, server_port=port, **options)
    try:
        with nginx(port, tmp, forwarding=forwarding, extra=extra) as url:
            yield url
    finally:
        demo.close()
