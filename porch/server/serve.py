"""Serving an app with uvicorn: port choice, a server thread, blocking, Ctrl-C and close."""

from __future__ import annotations

import dataclasses
import errno
import logging
import signal
import socket
import sys
import threading
import time
from typing import Any

import uvicorn

from porch.blocks.blocks import Blocks
from porch.blocks.static_paths import static_paths
from porch.components.i18n import I18n, checked_i18n
from porch.errors import ConfigError
from porch.server import exposure
from porch.server.app import create_app
from porch.server.auth import AuthDependency, AuthOption
from porch.server.brake import LoginBrake
from porch.server.deadlines import slow_request_protocol
from porch.server.settings import DEFAULT_PORT, Settings
from porch.server.tunnel import HOW_TO, ShareError, ShareTarget, ShareTunnel
from porch.unhonoured import unhonoured

log = logging.getLogger("porch.server")

PORT_SCAN = 100
# Gradio's launch() options porch does not act on, with Gradio's defaults: accepted so apps
# run unchanged, and warned about once when given another value (porch.unhonoured).
# ssr_mode=False asks for what porch always does (no server-side rendering): not warned.
UNHONOURED_LAUNCH_OPTIONS: dict[str, Any] = {
    "inline": None, "inbrowser": False, "debug": False, "height": 500, "width": "100%",
    "favicon_path": None, "ssl_verify": True, "footer_links": None, "run_history": None,
    "app_kwargs": None, "share_server_address": None, "share_server_protocol": None,
    "share_server_tls_certificate": None, "enable_monitoring": None, "strict_cors": True,
    "node_server_name": None, "node_port": None, "ssr_mode": None, "pwa": None,
    "num_workers": None, "_frontend": True,
    "show_api": True,
}


class Server:
    """uvicorn running one app in a background thread (and the share tunnel, if any)."""

    def __init__(self, app: Any, sock: socket.socket, url: str,
                 ssl: dict[str, Any] | None = None, *, header_timeout: float = 10.0) -> None:
        self.url = url
        self._socket = sock
        self.tunnel: ShareTunnel | None = None
        # proxy_headers off: RequestGuard alone decides whom to believe about X-Forwarded-*.
        # http=: uvicorn's h11 protocol plus a deadline on request heads (deadlines.py).
        config = uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False,
                                timeout_graceful_shutdown=2, access_log=False,
                                http=slow_request_protocol(header_timeout), **(ssl or {}))
        if ssl:
            try:
                config.load()  # here, so a bad certificate or key is the caller's error
            except (OSError, ValueError) as exc:
                raise ConfigError(f"Cannot use the TLS certificate/key: {exc}") from exc
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
        if self.tunnel is not None:
            self.tunnel.close()
            self.tunnel = None
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


def _bind(host: str, port: int | None) -> socket.socket:
    """A listening socket on `port`, or (when None) on the first free port from 7860."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    candidates = [port] if port is not None else range(DEFAULT_PORT, DEFAULT_PORT + PORT_SCAN)
    last_error: OSError | None = None
    for candidate in candidates:
        # IPPROTO_TCP, not the default 0: asyncio turns Nagle off (TCP_NODELAY) only on
        # sockets that say they are TCP, and with Nagle on, each response or stream message
        # sent in several writes waits ~40 ms for the client's delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
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
    share: bool | str | None = None,
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
    cache_max_idle: float | str | None = None,
    state_session_capacity: int = 10_000,
    state_max_size: int | str | None = None,
    closed_session_keep: float | None = None,
    result_ttl: float | None = None,
    reattach_grace: float | None = None,
    session_burst: int | None = None,
    session_rate: float | None = None,
    max_upload_files: int | None = None,
    max_upload_size: int | str | None = None,
    max_upload_field_size: int | str | None = None,
    max_json_size: int | str | None = None,
    header_timeout: float | None = None,
    body_timeout: float | None = None,
    min_body_rate: int | str | None = None,
    auth: AuthOption | None = None,
    auth_message: str | None = None,
    auth_dependency: AuthDependency | None = None,
    login_brake: LoginBrake | None = None,
    login_optional: bool = False,
    allowed_hosts: list[str] | None = None,
    allow_embedding: bool | list[str] | None = None,
    allow_app_scripts: bool | None = None,
    mcp_server: bool | None = None,
    backend: str | None = None,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
    ssl_keyfile_password: str | None = None,
    _app: Any = None,
    i18n: I18n | None = None,
    **gradio_options: Any,
) -> tuple[Any, str, str | None]:
    """Serve `blocks` on `server_name:server_port` (see `Blocks.launch`).

    Sharing (docs/sharing.md): `auth=` (user, password) pairs or a function, `auth_message=`,
    `auth_dependency=` (request -> user or None); `login_brake=` a `LoginBrake` in place of
    the in-memory one (porch.server.brake); `login_optional=True` (porch's own) keeps the app
    public with the login offered, for events with `requires_login=True`
    (docs/private-endpoints.md); `root_path=` and `trusted_proxies=` behind
    a reverse proxy; `allowed_hosts=` extra Host names for a loopback-bound app;
    `ssl_certfile=`/`ssl_keyfile=`/`ssl_keyfile_password=` for HTTPS; `allow_embedding=`
    (False, True or origins) for framing; `allow_app_scripts=True` lets the app's own
    `head=` and `js=` scripts run, under a per-page CSP nonce (PORCH_ALLOW_APP_SCRIPTS);
    `share=True` or `share="ssh://user@host"` for a share link through your own SSH
    server. `_app=` a Starlette/FastAPI application that gets porch's routes and guard
    (porch.Server's). `i18n=` a `gr.I18n` whose tables the page translates its tokens with
    (docs/i18n.md). `backend=` a Redis URL (`redis://host:6379/0`; PORCH_BACKEND) keeps
    logins, the login brake, State and the file registry where every replica of the app
    sees them (docs/cluster.md). Returns (app, local URL, share URL or None).

    Uploads: `max_file_size=` per file; per request `max_upload_files=` (1000),
    `max_upload_size=` (5 GB, the whole body) and `max_upload_field_size=` (64 KB, one
    non-file field); None takes PORCH_MAX_UPLOAD_FILES/_SIZE/_FIELD_SIZE or the default.
    JSON bodies: `max_json_size=` ("2mb"; PORCH_MAX_JSON_SIZE). Slow clients: a request head
    within `header_timeout=` s (10), a body pausing at most `body_timeout=` s (30) and then
    averaging `min_body_rate=` bytes/s ("1kb"), else 408.

    The file cache cleans itself: at most `cache_max_size=` bytes ("auto": 5 GB or a quarter
    of the free disk; "unlimited") and entries unused for `cache_max_idle=` seconds (a day;
    "unlimited") are removed, least recently used first, never one a live session holds.

    Durable jobs (docs/durable-jobs.md): a client whose stream dropped reattaches with the
    last message id it saw; an event's messages stay `result_ttl=` seconds (300) after it
    ended, and a running event waits `reattach_grace=` seconds (30) for its client to come
    back before it is cancelled (PORCH_RESULT_TTL, PORCH_REATTACH_GRACE).
    """
    unknown = set(gradio_options) - set(UNHONOURED_LAUNCH_OPTIONS)
    if unknown:
        raise TypeError(f"launch() got unknown option(s): {', '.join(sorted(unknown))}")
    i18n = checked_i18n(i18n)
    if gradio_options.get("ssr_mode") is False:
        gradio_options.pop("ssr_mode")
    unhonoured("launch()", gradio_options,
               {name: UNHONOURED_LAUNCH_OPTIONS[name] for name in gradio_options})
    if blocks.server is not None:
        blocks.close()
    if i18n is not None:
        blocks.i18n_instance = i18n
    settings = Settings.build(
        server_name=server_name, server_port=server_port, show_error=show_error, quiet=quiet,
        max_threads=max_threads, max_file_size=max_file_size, allowed_paths=allowed_paths,
        blocked_paths=blocked_paths, static_paths=static_paths(), strict_files=strict_files,
        root_path=root_path, trusted_proxies=trusted_proxies or (),
        cache_max_size=cache_max_size, cache_max_idle=cache_max_idle,
        state_session_capacity=state_session_capacity,
        state_max_size=state_max_size, closed_session_keep=closed_session_keep,
        result_ttl=result_ttl, reattach_grace=reattach_grace,
        session_burst=session_burst, session_rate=session_rate,
        max_upload_files=max_upload_files, max_upload_size=max_upload_size,
        max_upload_field_size=max_upload_field_size, max_json_size=max_json_size,
        header_timeout=header_timeout, body_timeout=body_timeout, min_body_rate=min_body_rate,
        auth=auth, auth_message=auth_message, login_brake=login_brake,
        login_optional=login_optional, auth_dependency=auth_dependency,
        allowed_hosts=allowed_hosts or (),
        allow_embedding=allow_embedding, allow_app_scripts=allow_app_scripts,
        mcp_server=mcp_server, backend=backend,
    )
    if not settings.allow_app_scripts and (
            blocks.js or "<script" in (blocks.all_head() or "").lower()):
        log.warning("this app's head=/js= scripts will not run: the page's Content-Security-"
                    "Policy blocks them. launch(allow_app_scripts=True) lets the app's own "
                    "scripts run under a per-page nonce.")
    target = _share_target(share, settings)
    if target is not None:
        # Browsers reach the app by the tunnel's public name: a Host to answer, not a rebinding.
        settings = dataclasses.replace(
            settings, allowed_hosts=(*settings.allowed_hosts, target.public_host.lower()))
    if settings.audit_only:
        print(exposure.report(blocks, settings, settings.cache_base / "<one folder per launch>"),
              flush=True)
        return None, "", None
    ssl = _ssl_options(ssl_certfile, ssl_keyfile, ssl_keyfile_password)
    shared = None
    if settings.backend is not None:
        # A cluster's backend (porch/cluster), imported only when one is asked for: it is
        # the only user of redis-py. Connecting here makes an unreachable Redis the
        # launch's error, before any port is taken.
        from porch.cluster import connect_backend

        shared = connect_backend(settings, blocks)
    sock = _bind(settings.server_name, settings.server_port)
    host, port = sock.getsockname()[:2]
    shown_host = "127.0.0.1" if host == "0.0.0.0" else f"[{host}]" if ":" in host else host
    url = f"{'https' if ssl else 'http'}://{shown_host}:{port}"
    try:
        # Building the app runs app code (examples caching) that may fail: free the port.
        app = create_app(blocks, settings, backend=shared, into=_app)
        server = Server(app, sock, url, ssl=ssl, header_timeout=settings.header_timeout)
    except BaseException:
        sock.close()
        raise
    server.start()
    blocks.server = server
    if not quiet:
        print(f"Running on {url}", flush=True)
        print(exposure.report(blocks, settings, app.state.runtime.cache.root), flush=True)
        for line in blocks.launch_messages(url):
            print(line, flush=True)
    share_url = None
    if target is not None:
        local = "127.0.0.1" if host == "0.0.0.0" else "::1" if host == "::" else host
        server.tunnel = ShareTunnel(target, local, port, settings.share_ssh_command)
        try:
            share_url = server.tunnel.open()
        except ShareError as exc:
            server.tunnel = None
            print(f"{exc}\nThe app is served locally only.", file=sys.stderr, flush=True)
        else:
            if not quiet:
                print(f"Running on public URL: {share_url}", flush=True)
                if settings.auth is None:
                    print("Anyone with this link can use the app, and reach the files it "
                          "serves. Consider launch(auth=(\"user\", \"password\")).",
                          flush=True)
    if not prevent_thread_lock:
        _block_until_interrupted(blocks)
    return app, url, share_url


def _share_target(share: bool | str | None, settings: Settings) -> ShareTarget | None:
    if not share:
        return None
    spec = share if isinstance(share, str) else settings.share_server
    if spec is None:
        print(f"share=True: no share server is configured. {HOW_TO}\n"
              "The app is served locally only.", file=sys.stderr, flush=True)
        return None
    return ShareTarget.parse(spec)


def _ssl_options(certfile: str | None, keyfile: str | None,
                 password: str | None) -> dict[str, Any]:
    if certfile is None and keyfile is None:
        return {}
    if certfile is None:
        raise ConfigError("ssl_keyfile= needs ssl_certfile= too.")
    return {"ssl_certfile": certfile, "ssl_keyfile": keyfile,
            "ssl_keyfile_password": password}


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _block_until_interrupted(blocks: Blocks) -> None:
    # uvicorn runs in a thread and installs no signal handlers, so SIGTERM (docker stop,
    # systemd, kill) would end the process without the shutdown that deletes the cache.
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        while blocks.server is not None and blocks.server.is_alive():
            time.sleep(0.1)
    except KeyboardInterrupt:
        print("Keyboard interruption in main thread... closing server.", file=sys.stderr)
    finally:
        blocks.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
