"""Launch settings: built once from `launch(...)` arguments and the environment.

This is the only module of porch that reads `os.environ`; everything else is handed a
frozen `Settings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from porch.errors import ConfigError
from porch.files.cache import default_cache_base
from porch.files.limits import parse_size
from porch.files.retention import DEFAULT_MAX_IDLE
from porch.files.uploads import (
    DEFAULT_MAX_FIELD_BYTES,
    DEFAULT_MAX_FILES,
    DEFAULT_MAX_REQUEST_BYTES,
)
from porch.server.auth import Auth, AuthDependency, AuthOption
from porch.server.backend import backend_url
from porch.server.brake import LoginBrake
from porch.server.headers import Embedding, embedding_option
from porch.server.oidc.config import OidcConfig, oidc_config

DEFAULT_PORT = 7860
DEFAULT_MAX_JSON_BYTES = 2 * 1024 * 1024


def _env(environ: Mapping[str, str], name: str) -> str | None:
    """PORCH_<name>, else GRADIO_<name> (so Gradio deployments keep their settings)."""
    for prefix in ("PORCH_", "GRADIO_"):
        value = environ.get(prefix + name)
        if value not in (None, ""):
            return value
    return None


def _env_paths(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = _env(environ, name)
    return tuple(p.strip() for p in raw.split(",") if p.strip()) if raw else ()


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


# Seconds a cluster run's lease, or a replica's hold on its pages' heartbeats, lasts
# unrenewed (PORCH_LEASE_TTL, docs/cluster.md).
DEFAULT_LEASE_TTL = 6.0
DEFAULT_SESSION_IDLE_TTL = 24 * 3600.0


@dataclass(frozen=True)
class Settings:
    server_name: str = "127.0.0.1"
    server_port: int | None = None  # None: DEFAULT_PORT or the first free port after it
    show_error: bool = False
    quiet: bool = False
    max_threads: int = 40
    max_file_size: int | None = None
    allowed_paths: tuple[str, ...] = ()
    blocked_paths: tuple[str, ...] = ()
    static_paths: tuple[str, ...] = ()
    strict_files: bool = False
    root_path: str = ""
    cache_base: Path = field(default_factory=lambda: default_cache_base(os.environ))
    heartbeat_interval: float = 15.0
    # Sessions with State kept at once (the least recently used go first), and how long a
    # session's state outlives its page (its heartbeat), in case the page comes back.
    state_session_capacity: int = 10_000
    closed_session_keep: float = 600.0
    # On a cluster, how long an unused session's shared State lasts with no page attached
    # (PORCH_SESSION_IDLE_TTL, docs/cluster.md).
    session_idle_ttl: float = DEFAULT_SESSION_IDLE_TTL
    # Durable jobs (docs/durable-jobs.md): how long an event's messages stay after it ended,
    # for a client that reattaches (`result_ttl`), at most how many messages and bytes per
    # stream, and how long a running event waits for its client to come back once its stream
    # dropped, before it is cancelled (`reattach_grace`).
    result_ttl: float = 300.0
    replay_max_messages: int = 2_000
    replay_max_bytes: int = 4 * 1024 * 1024
    reattach_grace: float = 30.0
    # Bytes of State values held at once (idle sessions, largest first, go past it), and how
    # many new sessions one client may open: `session_burst` at once, `session_rate` a second.
    state_max_bytes: int = 1024**3
    session_burst: int = 1000
    session_rate: float = 10.0
    # JSON bodies (queue/join, call, run): 413 past this. Inputs travel as values or as cache
    # references, never as file bytes, so 2 MiB holds large forms, tables and chat histories.
    max_json_bytes: int = DEFAULT_MAX_JSON_BYTES
    # Slow clients (porch/server/deadlines.py): a request head must arrive within
    # `header_timeout` s; a body may pause at most `body_timeout` s and, past its first
    # `body_timeout` s, must average at least `min_body_rate` bytes/s.
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    min_body_rate: int = 1024
    # Per upload request (413 past them): file parts, bytes of the whole body, bytes of one
    # non-file field. Always bounded; launch() options and PORCH_MAX_UPLOAD_* raise them.
    max_upload_files: int = DEFAULT_MAX_FILES
    max_upload_size: int = DEFAULT_MAX_REQUEST_BYTES
    max_upload_field_size: int = DEFAULT_MAX_FIELD_BYTES
    trusted_proxies: tuple[str, ...] = ()
    # The cache's cap in bytes ("auto": 5 GiB or a quarter of the free space, decided when the
    # cache opens; None: no cap) and how long an entry may go unused (None: forever).
    cache_max_size: int | str | None = "auto"
    cache_max_idle: float | None = DEFAULT_MAX_IDLE
    # `porch audit`: launch() prints what the app exposes and returns without serving.
    audit_only: bool = False
    # Sharing (docs/sharing.md): who may log in, which Host names a loopback-bound app
    # answers besides local ones, who may frame the page, where a share tunnel goes.
    auth: Auth | None = None
    allowed_hosts: tuple[str, ...] = ()
    allow_embedding: Embedding = False
    # The app's own head= and js= scripts run (under a fresh CSP nonce per page) only if the
    # author opts in; the CSP is never dropped (headers.py).
    allow_app_scripts: bool = False
    # The named endpoints as MCP tools at /gradio_api/mcp/ (server/mcp_tools.py).
    mcp_server: bool = False
    mount_path: str = ""  # set by porch.mount(): the path inside the host app
    share_server: str | None = None
    share_ssh_command: str = "ssh"
    # The OpenID Connect issuer a LoginButton signs in with (porch.oidc.configure or
    # PORCH_OIDC_*; server/oidc/config.py).
    oidc: OidcConfig | None = None
    # Where what replicas share is kept (server/backend.py, docs/cluster.md): None for this
    # process alone, else a Redis URL (launch(backend=), PORCH_BACKEND); and the secret the
    # replicas sign with (PORCH_CLUSTER_SECRET; without it, one kept in Redis).
    backend: str | None = None
    cluster_secret: str | None = field(default=None, repr=False)
    # How long a run's lease lasts unrenewed on a cluster (PORCH_LEASE_TTL): a lost
    # replica's jobs run again elsewhere after about this long.
    lease_ttl: float = DEFAULT_LEASE_TTL

    @property
    def bound_to_loopback(self) -> bool:
        return self.server_name in ("localhost", "127.0.0.1", "::1") or \
            self.server_name.startswith("127.")

    @classmethod
    def build(
        cls,
        *,
        server_name: str | None = None,
        server_port: int | None = None,
        show_error: bool = False,
        quiet: bool = False,
        max_threads: int = 40,
        max_file_size: int | str | None = None,
        allowed_paths: Sequence[str | os.PathLike[str]] | None = None,
        blocked_paths: Sequence[str | os.PathLike[str]] | None = None,
        static_paths: Sequence[str | os.PathLike[str]] = (),
        strict_files: bool | None = None,
        root_path: str | None = None,
        trusted_proxies: Sequence[str] = (),
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
        allowed_hosts: Sequence[str] = (),
        allow_embedding: bool | Sequence[str] | None = None,
        allow_app_scripts: bool | None = None,
        mcp_server: bool | None = None,
        mount_path: str = "",
        backend: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Combine explicit arguments with PORCH_*/GRADIO_* environment variables.

        Explicit arguments win for single values; path lists are joined (env + argument).
        """
        env = os.environ if environ is None else environ
        port_text = _env(env, "SERVER_PORT")
        if server_port is None and port_text is not None:
            try:
                server_port = int(port_text)
            except ValueError:
                raise ConfigError(
                    f"PORCH_SERVER_PORT must be a number, got {port_text!r}") from None
        heartbeat = _env(env, "HEARTBEAT_INTERVAL")
        return cls(
            server_name=server_name or _env(env, "SERVER_NAME") or "127.0.0.1",
            server_port=server_port,
            show_error=show_error,
            quiet=quiet,
            max_threads=max_threads,
            max_file_size=parse_size(max_file_size),
            allowed_paths=_env_paths(env, "ALLOWED_PATHS") + tuple(map(str, allowed_paths or ())),
            blocked_paths=_env_paths(env, "BLOCKED_PATHS") + tuple(map(str, blocked_paths or ())),
            static_paths=tuple(map(str, static_paths)),
            strict_files=_flag(_env(env, "STRICT_FILES")) if strict_files is None else strict_files,
            root_path=_root_path(root_path if root_path is not None
                                 else _env(env, "ROOT_PATH") or ""),
            cache_base=default_cache_base(env),
            heartbeat_interval=float(heartbeat) if heartbeat else 15.0,
            closed_session_keep=_seconds("closed_session_keep", closed_session_keep,
                                         _env(env, "CLOSED_SESSION_KEEP"), 600.0),
            session_idle_ttl=_seconds("session_idle_ttl", None, _env(env, "SESSION_IDLE_TTL"),
                                      DEFAULT_SESSION_IDLE_TTL),
            result_ttl=_seconds("result_ttl", result_ttl, _env(env, "RESULT_TTL"), 300.0),
            reattach_grace=_seconds("reattach_grace", reattach_grace,
                                    _env(env, "REATTACH_GRACE"), 30.0),
            replay_max_messages=_upload_files_like(
                "replay_max_messages", None, _env(env, "REPLAY_MAX_MESSAGES"), 2_000),
            replay_max_bytes=_upload_size("replay_max_size", None,
                                          _env(env, "REPLAY_MAX_SIZE"), 4 * 1024 * 1024),
            state_max_bytes=_upload_size("state_max_size", state_max_size,
                                         _env(env, "STATE_MAX_SIZE"), 1024**3),
            session_burst=_upload_files_like("session_burst", session_burst,
                                             _env(env, "SESSION_BURST"), 1000),
            session_rate=_seconds("session_rate", session_rate, _env(env, "SESSION_RATE"), 10.0),
            state_session_capacity=_capacity(state_session_capacity),
            max_upload_files=_upload_files(max_upload_files, _env(env, "MAX_UPLOAD_FILES")),
            max_upload_size=_upload_size("max_upload_size", max_upload_size,
                                         _env(env, "MAX_UPLOAD_SIZE"), DEFAULT_MAX_REQUEST_BYTES),
            max_upload_field_size=_upload_size(
                "max_upload_field_size", max_upload_field_size,
                _env(env, "MAX_UPLOAD_FIELD_SIZE"), DEFAULT_MAX_FIELD_BYTES),
            max_json_bytes=_upload_size("max_json_size", max_json_size,
                                        _env(env, "MAX_JSON_SIZE"), DEFAULT_MAX_JSON_BYTES),
            header_timeout=_seconds("header_timeout", header_timeout,
                                    _env(env, "HEADER_TIMEOUT"), 10.0),
            body_timeout=_seconds("body_timeout", body_timeout, _env(env, "BODY_TIMEOUT"), 30.0),
            min_body_rate=_upload_size("min_body_rate", min_body_rate,
                                       _env(env, "MIN_BODY_RATE"), 1024),
            trusted_proxies=_env_paths(env, "TRUSTED_PROXIES") + tuple(trusted_proxies),
            audit_only=_flag(env.get("PORCH_AUDIT")),
            cache_max_size=_cache_cap(cache_max_size if cache_max_size is not None
                                      else _env(env, "CACHE_MAX_SIZE")),
            cache_max_idle=_cache_idle(cache_max_idle if cache_max_idle is not None
                                       else _env(env, "CACHE_MAX_IDLE")),
            auth=Auth.build(auth, auth_dependency, auth_message, login_brake,
                            optional=login_optional),
            allowed_hosts=tuple(h.strip().lower() for h in
                                (*_env_paths(env, "ALLOWED_HOSTS"), *allowed_hosts)),
            allow_embedding=embedding_option(allow_embedding),
            allow_app_scripts=_flag(_env(env, "ALLOW_APP_SCRIPTS")) if allow_app_scripts is None
            else bool(allow_app_scripts),
            mcp_server=_flag(_env(env, "MCP_SERVER")) if mcp_server is None else bool(mcp_server),
            mount_path=_root_path(mount_path),
            share_server=_env(env, "SHARE_SERVER"),
            share_ssh_command=_env(env, "SHARE_SSH_COMMAND") or "ssh",
            oidc=oidc_config(env),
            backend=backend_url(backend if backend is not None else env.get("PORCH_BACKEND")),
            cluster_secret=env.get("PORCH_CLUSTER_SECRET") or None,
            lease_ttl=_lease_ttl(env.get("PORCH_LEASE_TTL")),
        )


def _lease_ttl(raw: str | None) -> float:
    if raw is None or not raw.strip():
        return DEFAULT_LEASE_TTL
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0.3:
        raise ConfigError(f"PORCH_LEASE_TTL must be a number of seconds >= 0.3, got {raw!r}.")
    return value


def _root_path(value: str) -> str:
    """`root_path=`: a path prefix (`/apps/demo`) or a full URL, without a trailing slash."""
    value = value.strip()
    if not value or value.startswith(("http://", "https://")):
        return value.rstrip("/")
    if any(c in value for c in "?#\\") or any(ord(c) < 0x21 for c in value):
        raise ConfigError(f"root_path= must be a URL path like '/apps/demo', got {value!r}.")
    return "/" + value.strip("/") if value.strip("/") else ""


def _capacity(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"state_session_capacity must be a positive int, got {value!r}.")
    return value


def _upload_files(value: int | None, env_text: str | None) -> int:
    """`max_upload_files`: the argument, else PORCH_MAX_UPLOAD_FILES, else the default."""
    if value is None:
        if env_text is None:
            return DEFAULT_MAX_FILES
        if not env_text.strip().isdigit():
            raise ConfigError(f"PORCH_MAX_UPLOAD_FILES must be a number, got {env_text!r}.")
        value = int(env_text)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"max_upload_files must be a positive int, got {value!r}.")
    return value


def _upload_files_like(name: str, value: int | None, env_text: str | None,
                       default: int) -> int:
    """A positive count: the argument, else its PORCH_ variable, else `default`."""
    chosen: object = value if value is not None else env_text
    if chosen is None:
        return default
    if isinstance(chosen, str) and chosen.strip().isdigit():
        chosen = int(chosen)
    if isinstance(chosen, bool) or not isinstance(chosen, int) or chosen < 1:
        raise ConfigError(f"{name} must be a positive int, got {chosen!r}.")
    return chosen


def _cache_cap(value: int | str | None) -> int | str | None:
    """`cache_max_size`: "auto" (the default), "unlimited", or a size."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return "auto"
    if isinstance(value, str) and value.strip().lower() == "unlimited":
        return None
    return parse_size(value)


def _cache_idle(value: float | str | None) -> float | None:
    """`cache_max_idle`: seconds an entry may go unused (a day by default), or "unlimited"."""
    if isinstance(value, str) and value.strip().lower() == "unlimited":
        return None
    return _seconds("cache_max_idle", value, None, DEFAULT_MAX_IDLE)  # type: ignore[arg-type]


def _seconds(name: str, value: float | None, env_text: str | None, default: float) -> float:
    """A timeout in seconds: the argument, else its PORCH_ variable, else `default`."""
    chosen: object = value if value is not None else env_text
    if chosen is None:
        return default
    try:
        seconds = float(chosen)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = -1.0
    if isinstance(chosen, bool) or not 0 < seconds < float("inf"):
        raise ConfigError(f"{name} must be a positive number, got {chosen!r}.")
    return seconds


def _upload_size(name: str, value: int | str | None, env_text: str | None, default: int) -> int:
    """An upload cap in bytes: the argument, else its PORCH_ variable, else `default`.

    None means "not given", never "unbounded": these caps face every client.
    """
    chosen = value if value is not None else env_text
    size = parse_size(chosen) if chosen is not None else default
    if size is None or size < 1:
        raise ConfigError(f"{name} must be a size of at least 1 byte, got {chosen!r}.")
    return size
