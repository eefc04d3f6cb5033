"""Replicas of one app for the cluster tests: real porch processes sharing one Redis and one
cache folder, and Debian's nginx balancing them round-robin with no stickiness."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import free_port
from tests.proxies import NGINX, require, running_nginx, stop_process

ROOT = Path(__file__).resolve().parents[2]


class Replica:
    def __init__(self, app: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = app.parent / f"replica-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(app)], env={**env, "PORCH_SERVER_PORT": str(self.port)},
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(self.url + "/config", timeout=2)
                return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"replica did not start: {self.log.read_text()}")
            time.sleep(0.1)

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """kill -9: no shutdown, no goodbye, its leases simply stop being renewed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_process(self.process)


def cluster_env(redis_url: str, folder: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PORCH_BACKEND": redis_url, "PORCH_CLUSTER_SECRET": "test-secret",
            "PORCH_TEMP_DIR": str(folder / "cache"), "PYTHONPATH": str(ROOT), **extra}


@contextmanager
def replicas(source: str, count: int, env: dict[str, str], folder: Path
             ) -> Iterator[list[Replica]]:
    """`count` replicas of the app `source` (started one after another, stopped at the end)."""
    folder.mkdir(parents=True, exist_ok=True)
    app = folder / "app.py"
    app.write_text(source)
    started: list[Replica] = []
    try:
        for _ in range(count):
            started.append(Replica(app, env))
        yield started
    finally:
        for replica in started:
            replica.stop()


BALANCER = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 50m;
    upstream porch {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://porch;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_buffering off;
            proxy_read_timeout 3600s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


@contextmanager
def balancer(ports: list[int], tmp: Path) -> Iterator[str]:
    """nginx round-robin over `ports` (no stickiness: each request to the next one); yields
    its URL. A replica that refuses connections is skipped (proxy_next_upstream)."""
    require(NGINX, "nginx")
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in ports)
    config = tmp / "nginx.conf"
    config.write_text(BALANCER.format(tmp=tmp, port=port, servers=servers, user=user))
    with running_nginx(config, tmp, port):
        yield f"http://127.0.0.1:{port}/"
