"""Serving an app with uvicorn: port choice, a server thread, blocking, Ctrl-C and close."""

from __future__ import annotations

import errno
import logging
import socket
import sys
import threading
import time
from typing import Any

import uvicorn

from porch.blocks.blocks import Blocks
from porch.blocks.static_paths import static_paths
from porch.errors import ConfigError
from porch.server import exposure
from porch.server.app import create_app
from porch.server.settings import DEFAULT_PORT, Settings

log = logging.getLogger("porch.server")

PORT_SCAN = 100
# Gradio's launch() options that change nothing here; accepted so that apps run unchanged.
_ACCEPTED_GRADIO_OPTIONS = frozenset(
    {"inbrowser", "debug", "favicon_path", "ssr_mode", "pwa", "mcp_server", "footer_links",
     "enable_monitoring", "state_session_capacity", "app_kwargs", "node_server_name",
     "node_port", "i18n", "_frontend", "show_api", "share_server_address",
     "share_server_protocol", "share_server_tls_certificate", "strict_cors", "theme", "css",
     "js", "head", "allowed_hosts"}
)


class Server:
    """uvicorn running one app in a background thread."""

    def __init__(self, app: Any, sock: socket.socket, url: str) -> None:
        self.url = url
        self._socket = sock
        # proxy_headers off: RequestGuard alone decides whom to believe about X-Forwarded-*.
        config = uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False,
                                timeout_graceful_shutdown=2, access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="porch-server", daemon=True)

    def _run(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self, timeout: float = 20.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise ConfigError("The server failed to start; see the log above.")
            if time.monotonic() > deadline:
                raise ConfigError("The server did not start in time.")
            time.sleep(0.01)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


def _bind(host: str, port: int | None) -> socket.socket:
    """A listening socket on `port`, or (when None) on the first free port from 7860."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    candidates = [port] if port is not None else range(DEFAULT_PORT, DEFAULT_PORT + PORT_SCAN)
    last_error: OSError | None = None
    for candidate in candidates:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError as exc:
            sock.close()
            last_error = exc
            if exc.errno != errno.EADDRINUSE:
                break
            continue
        sock.listen(2048)
        sock.set_inheritable(True)
        return sock
    if port is not None:
        raise ConfigError(
            f"Cannot listen on {host}:{port} ({last_error}). Pass another server_port= "
            "or set PORCH_SERVER_PORT."
        )
    raise ConfigError(
        f"No free port between {DEFAULT_PORT} and {DEFAULT_PORT + PORT_SCAN - 1} on {host}."
    )


def launch(
    blocks: Blocks,
    *,
    server_name: str | None = None,
    server_port: int | None = None,
    share: bool | None = None,
    show_error: bool = False,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
    max_threads: int = 40,
    max_file_size: int | str | None = None,
    allowed_paths: list[str] | None = None,
    blocked_paths: list[str] | None = None,
    strict_files: bool | None = None,
    root_path: str | None = None,
    trusted_proxies: list[str] | None = None,
    cache_max_size: int | str | None = None,
    **gradio_options: Any,
) -> tuple[Any, str, str | None]:
    """Serve `blocks` on `server_name:server_port` (see `Blocks.launch`)."""
    unknown = set(gradio_options) - _ACCEPTED_GRADIO_OPTIONS
    if unknown:
        raise TypeError(f"launch() got unknown option(s): {', '.join(sorted(unknown))}")
    if blocks.server is not None:
        blocks.close()
    settings = Settings.build(
        server_name=server_name, server_port=server_port, show_error=show_error, quiet=quiet,
        max_threads=max_threads, max_file_size=max_file_size, allowed_paths=allowed_paths,
        blocked_paths=blocked_paths, static_paths=static_paths(), strict_files=strict_files,
        root_path=root_path, trusted_proxies=trusted_proxies or (),
        cache_max_size=cache_max_size,
    )
    if settings.audit_only:
        print(exposure.report(blocks, settings, settings.cache_base / "<one folder per launch>"),
              flush=True)
        return None, "", None
    sock = _bind(settings.server_name, settings.server_port)
    host, port = sock.getsockname()[:2]
    shown_host = "127.0.0.1" if host == "0.0.0.0" else f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"
    app = create_app(blocks, settings)
    server = Server(app, sock, url)
    server.start()
    blocks.server = server
    if not quiet:
        print(f"Running on {url}", flush=True)
        print(exposure.report(blocks, settings, app.state.runtime.cache.root), flush=True)
        if share:
            print("Share links are not available in this version of porch; "
                  "the app is served locally only.", flush=True)
    if not prevent_thread_lock:
        _block_until_interrupted(blocks)
    return app, url, None


def _block_until_interrupted(blocks: Blocks) -> None:
    try:
        while blocks.server is not None and blocks.server.is_alive():
            time.sleep(0.1)
    except KeyboardInterrupt:
        print("Keyboard interruption in main thread... closing server.", file=sys.stderr)
    finally:
        blocks.close()
