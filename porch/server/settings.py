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
from porch.server.auth import Auth, AuthDependency, AuthOption
from porch.server.brake import LoginBrake
from porch.server.headers import Embedding, embedding_option

DEFAULT_PORT = 7860


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
    closed_session_keep: float = 3600.0
    max_json_bytes: int = 16 * 1024 * 1024
    trusted_proxies: tuple[str, ...] = ()
    cache_max_size: int | None = None
    # `porch audit`: launch() prints what the app exposes and returns without serving.
    audit_only: bool = False
    # Sharing (docs/sharing.md): who may log in, which Host names a loopback-bound app
    # answers besides local ones, who may frame the page, where a share tunnel goes.
    auth: Auth | None = None
    allowed_hosts: tuple[str, ...] = ()
    allow_embedding: Embedding = False
    mount_path: str = ""  # set by porch.mount(): the path inside the host app
    share_server: str | None = None
    share_ssh_command: str = "ssh"

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
        state_session_capacity: int = 10_000,
        auth: AuthOption | None = None,
        auth_message: str | None = None,
        auth_dependency: AuthDependency | None = None,
        login_brake: LoginBrake | None = None,
        allowed_hosts: Sequence[str] = (),
        allow_embedding: bool | Sequence[str] | None = None,
        mount_path: str = "",
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
            state_session_capacity=_capacity(state_session_capacity),
            trusted_proxies=_env_paths(env, "TRUSTED_PROXIES") + tuple(trusted_proxies),
            audit_only=_flag(env.get("PORCH_AUDIT")),
            cache_max_size=parse_size(cache_max_size if cache_max_size is not None
                                      else _env(env, "CACHE_MAX_SIZE")),
            auth=Auth.build(auth, auth_dependency, auth_message, login_brake),
            allowed_hosts=tuple(h.strip().lower() for h in
                                (*_env_paths(env, "ALLOWED_HOSTS"), *allowed_hosts)),
            allow_embedding=embedding_option(allow_embedding),
            mount_path=_root_path(mount_path),
            share_server=_env(env, "SHARE_SERVER"),
            share_ssh_command=_env(env, "SHARE_SSH_COMMAND") or "ssh",
        )


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
