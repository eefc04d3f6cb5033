"""`porch.mount`: a porch app inside an existing Starlette or FastAPI application.

    app = FastAPI()
    porch.mount(app, demo, path="/demo", auth=("ann", "pw"), allowed_paths=["data"])
    # uvicorn main:app

The mounted app is the same ASGI app `launch()` serves, with the same file rules, login,
limits, request guard and security headers; it only gets its own path. Its lifespan (cache
cleaning, shutting the queue down) runs inside the host application's.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from starlette.applications import Starlette

from porch.blocks.blocks import Blocks
from porch.blocks.static_paths import static_paths
from porch.components.i18n import checked_i18n
from porch.errors import ConfigError
from porch.server.app import create_app
from porch.server.auth import AuthDependency, AuthOption
from porch.server.brake import LoginBrake
from porch.server.settings import Settings
from porch.unhonoured import unhonoured


def mount(
    app: Any,
    blocks: Blocks,
    path: str = "/demo",
    *,
    server_name: str | None = None,
    show_error: bool = False,
    max_threads: int = 40,
    max_file_size: int | str | None = None,
    allowed_paths: Sequence[str] | None = None,
    blocked_paths: Sequence[str] | None = None,
    strict_files: bool | None = None,
    root_path: str | None = None,
    trusted_proxies: Sequence[str] | None = None,
    cache_max_size: int | str | None = None,
    cache_max_idle: float | str | None = None,
    auth: AuthOption | None = None,
    auth_message: str | None = None,
    auth_dependency: AuthDependency | None = None,
    login_brake: LoginBrake | None = None,
    allowed_hosts: Sequence[str] | None = None,
    allow_embedding: bool | Sequence[str] | None = None,
    login_optional: bool = False,
) -> Starlette:
    """Mount `blocks` at `path` of `app` (a Starlette or FastAPI application).

    Options mean what they mean in `launch()`. `server_name` is the address the host
    application listens on: the default (loopback) keeps the local-Host-name check; pass
    "0.0.0.0", or `allowed_hosts=[...]`, when it is served under a public name.
    Returns the mounted porch app.
    """
    if not path.startswith("/") or path.rstrip("/") == "":
        raise ConfigError(f"mount() needs a path like '/demo', got {path!r}.")
    router = getattr(app, "router", None)
    if router is None or not hasattr(app, "mount"):
        raise ConfigError("mount() takes a Starlette or FastAPI application.")
    settings = Settings.build(
        server_name=server_name, show_error=show_error, quiet=True, max_threads=max_threads,
        max_file_size=max_file_size, allowed_paths=allowed_paths, blocked_paths=blocked_paths,
        static_paths=static_paths(), strict_files=strict_files, root_path=root_path,
        trusted_proxies=trusted_proxies or (), cache_max_size=cache_max_size,
        cache_max_idle=cache_max_idle, auth=auth,
        auth_message=auth_message, auth_dependency=auth_dependency, login_brake=login_brake,
        login_optional=login_optional, allowed_hosts=allowed_hosts or (),
        allow_embedding=allow_embedding,
        mount_path=path,
    )
    porch_app = create_app(blocks, settings)
    app.mount(path.rstrip("/"), porch_app)
    router.lifespan_context = _with_lifespan(router.lifespan_context, porch_app)
    return porch_app


def _with_lifespan(outer: Callable[[Any], Any], inner: Starlette,
                   ) -> Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]:
    # Starlette does not run a mounted app's lifespan: run it inside the host's.
    @contextlib.asynccontextmanager
    async def lifespan(host: Any) -> AsyncIterator[Any]:
        async with outer(host) as state, inner.router.lifespan_context(inner):
            yield state

    return lifespan


def mount_gradio_app(
    app: Any,
    blocks: Blocks,
    path: str,
    server_name: str = "0.0.0.0",
    server_port: int = 7860,
    footer_links: Any = None,
    run_history: bool | None = None,
    app_kwargs: dict[str, Any] | None = None,
    *,
    auth: AuthOption | None = None,
    auth_message: str | None = None,
    auth_dependency: AuthDependency | None = None,
    root_path: str | None = None,
    allowed_paths: list[str] | None = None,
    blocked_paths: list[str] | None = None,
    favicon_path: str | None = None,
    show_error: bool = True,
    max_file_size: str | int | None = None,
    ssr_mode: bool | None = None,
    node_server_name: str | None = None,
    node_port: int | None = None,
    enable_monitoring: bool | None = None,
    pwa: bool | None = None,
    i18n: Any = None,
    mcp_server: bool | None = None,
    theme: Any = None,
    css: str | None = None,
    css_paths: Any = None,
    js: str | None = None,
    head: str | None = None,
    head_paths: Any = None,
) -> Any:
    """Gradio's spelling of `mount`, with its signature; returns the host `app`.

    `server_port` only says where the host listens (nothing here binds a port). Gradio's
    default `server_name` ("0.0.0.0") means the app answers whatever Host it is reached by.
    """
    unhonoured("mount_gradio_app", locals(), {
        "footer_links": None, "run_history": None, "app_kwargs": None, "favicon_path": None,
        "ssr_mode": None, "node_server_name": None, "node_port": None,
        "enable_monitoring": None, "pwa": None, "mcp_server": None})
    checked = checked_i18n(i18n, "mount_gradio_app(i18n=...)")
    if checked is not None:
        blocks.i18n_instance = checked
    # As in launch(): the look given here applies as if given to Blocks().
    for name, value in (("theme", theme), ("css", css), ("css_paths", css_paths), ("js", js),
                        ("head", head), ("head_paths", head_paths)):
        if value is not None:
            setattr(blocks, name, value)
    mount(app, blocks, path, server_name=server_name, show_error=show_error,
          max_file_size=max_file_size, allowed_paths=allowed_paths,
          blocked_paths=blocked_paths, root_path=root_path, auth=auth,
          auth_message=auth_message, auth_dependency=auth_dependency)
    return app
