"""`porch.Server`: Gradio's server mode. A FastAPI application of the author's, with porch's
API engine added: functions registered with `@server.api()` become endpoints that run through
porch's queue (streaming, concurrency limits, gradio_client compatible), beside the author's
own routes and frontend.

    server = porch.Server()

    @server.api(name="hello")
    def hello(name: str) -> str:
        return f"Hello {name}"

    @server.get("/")
    def root() -> dict[str, str]:
        return {"message": "hi"}

    server.launch()

FastAPI is not a porch dependency: it is imported when a Server is made (`pip install
fastapi`, or `porch[server]`). The instance is a real FastAPI application (every FastAPI
method works on it), made so by subclassing FastAPI at that moment; `import porch` and this
module stay free of it. At `launch()` porch's routes are added after the author's and porch's
middleware in front of all of them, so the author's routes pass the same request guard,
login gate and security headers (docs/server-mode.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from porch import mcp
from porch.blocks.api_endpoint import register_api
from porch.blocks.blocks import Blocks
from porch.blocks.events import DEFAULT
from porch.errors import ConfigError

# FastAPI's /docs (Swagger UI) and /redoc pages load their scripts and styles from these CDNs
# and start them with an inline script, which porch's page policy (script-src 'self') refuses.
# Those pages alone get this policy: they are FastAPI's own markup, holding nothing a client
# sent. Everything else keeps porch's.
DOCS_POLICY = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    b"img-src 'self' data: https:; font-src 'self' data: https://fonts.gstatic.com; "
    b"connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    b"frame-ancestors 'self'"
)

NEEDS_FASTAPI = ("porch.Server is a FastAPI application: install FastAPI to use it "
                 "(pip install fastapi, or pip install 'porch[server]').")


class McpNamespace:
    """`server.mcp.tool()`, `.resource()`, `.prompt()`: the marks of `porch.mcp`."""

    tool = staticmethod(mcp.tool)
    resource = staticmethod(mcp.resource)
    prompt = staticmethod(mcp.prompt)


if TYPE_CHECKING:  # type checkers see the FastAPI methods; at run time see _with_fastapi
    from fastapi import FastAPI as _Base
else:
    _Base = object


_REAL_CLASSES: dict[type, type] = {}


def _with_fastapi(cls: type) -> type:
    """`cls` with FastAPI as a base: the class a `Server()` (or subclass) really is."""
    if cls not in _REAL_CLASSES:
        try:
            from fastapi import FastAPI
        except ImportError as exc:
            raise ImportError(NEEDS_FASTAPI) from exc
        _REAL_CLASSES[cls] = type(cls.__name__, (cls, FastAPI), {
            "__module__": cls.__module__, "__qualname__": cls.__qualname__,
            "_is_fastapi": True})
    return _REAL_CLASSES[cls]


class Server(_Base):
    """A FastAPI application whose `@api()` functions are porch endpoints; `launch()` serves
    both. `isinstance(server, fastapi.FastAPI)` holds."""

    _is_fastapi = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        real = cls if cls._is_fastapi else _with_fastapi(cls)
        return object.__new__(real)

    def __init__(
        self,
        *,
        debug: bool = False,
        title: str = "FastAPI",
        summary: str | None = None,
        description: str = "",
        version: str = "0.1.0",
        openapi_url: str | None = "/openapi.json",
        openapi_tags: list[dict[str, Any]] | None = None,
        servers: list[dict[str, Any]] | None = None,
        dependencies: Any = None,
        default_response_class: Any = None,
        redirect_slashes: bool = True,
        docs_url: str | None = "/docs",
        redoc_url: str | None = "/redoc",
        middleware: Any = None,
        exception_handlers: Any = None,
        on_startup: Any = None,
        on_shutdown: Any = None,
        lifespan: Any = None,
        terms_of_service: str | None = None,
        contact: dict[str, Any] | None = None,
        license_info: dict[str, Any] | None = None,
        root_path: str = "",
        root_path_in_servers: bool = True,
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: Any = None,
        webhooks: Any = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Any = None,
        separate_input_output_schemas: bool = True,
        **extra: Any,
    ) -> None:
        """The keywords are FastAPI's (with its defaults); `**extra` goes to FastAPI too."""
        given: dict[str, Any] = {
            "debug": debug, "title": title, "summary": summary, "description": description,
            "version": version, "openapi_url": openapi_url, "openapi_tags": openapi_tags,
            "servers": servers, "redirect_slashes": redirect_slashes, "docs_url": docs_url,
            "redoc_url": redoc_url, "terms_of_service": terms_of_service, "contact": contact,
            "license_info": license_info, "root_path": root_path,
            "root_path_in_servers": root_path_in_servers, "responses": responses,
            "deprecated": deprecated, "include_in_schema": include_in_schema,
            "separate_input_output_schemas": separate_input_output_schemas, **extra,
        }
        # Left out when None, so that FastAPI's own defaults (which are not None) apply.
        for name, value in (("dependencies", dependencies),
                            ("default_response_class", default_response_class),
                            ("middleware", middleware),
                            ("exception_handlers", exception_handlers),
                            ("on_startup", on_startup), ("on_shutdown", on_shutdown),
                            ("lifespan", lifespan), ("callbacks", callbacks),
                            ("webhooks", webhooks),
                            ("generate_unique_id_function", generate_unique_id_function)):
            if value is not None:
                given[name] = value
        super().__init__(**given)  # FastAPI's
        docs_pages = {path for path in (self.docs_url, self.redoc_url,
                                        self.swagger_ui_oauth2_redirect_url if self.docs_url
                                        else None) if path}
        if docs_pages:
            self.add_middleware(DocsPagePolicy, paths=frozenset(docs_pages))
        self._endpoints: list[tuple[Callable[..., Any], dict[str, Any]]] = []
        self._blocks: Blocks | None = None
        self._mcp = McpNamespace()

    @property
    def mcp(self) -> McpNamespace:
        """`@server.mcp.tool(...)` etc.: how an endpoint appears to MCP clients."""
        return self._mcp

    @property
    def blocks(self) -> Blocks | None:
        """The app `launch()` built from the registered endpoints (None before it)."""
        return self._blocks

    def api(
        self,
        fn: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        concurrency_limit: int | None | str = DEFAULT,
        concurrency_id: str | None = None,
        queue: bool = True,
        batch: bool = False,
        max_batch_size: int = 4,
        api_visibility: str = "public",
        time_limit: int | None = None,
        stream_every: float = 0.5,
    ) -> Any:
        """Register `fn` as an API endpoint (`/name`, the function's name by default), typed
        by its hints, run through the queue. `@server.api(...)` or `server.api(fn, ...)`;
        either way the function comes back unchanged."""
        options = {"api_name": name, "api_description": description,
                   "concurrency_limit": concurrency_limit, "concurrency_id": concurrency_id,
                   "queue": queue, "batch": batch, "max_batch_size": max_batch_size,
                   "api_visibility": api_visibility, "time_limit": time_limit,
                   "stream_every": stream_every}
        if self._blocks is not None:
            raise ConfigError("server.api(): endpoints are registered before launch(); this "
                              "Server is launched already.")

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            if not callable(func):
                raise ConfigError(f"server.api() takes a function, got {func!r}.")
            self._endpoints.append((func, options))
            return func

        return register if fn is None else register(fn)

    def launch(
        self,
        inline: bool | None = None,
        inbrowser: bool = False,
        share: bool | None = None,
        debug: bool = False,
        max_threads: int = 40,
        auth: Any = None,
        auth_message: str | None = None,
        prevent_thread_lock: bool = False,
        show_error: bool = False,
        server_name: str | None = None,
        server_port: int | None = None,
        *,
        height: int = 500,
        width: int | str = "100%",
        favicon_path: str | Path | None = None,
        ssl_keyfile: str | None = None,
        ssl_certfile: str | None = None,
        ssl_keyfile_password: str | None = None,
        ssl_verify: bool = True,
        quiet: bool = False,
        footer_links: list[Any] | None = None,
        run_history: bool | None = None,
        allowed_paths: list[str] | None = None,
        blocked_paths: list[str] | None = None,
        root_path: str | None = None,
        app_kwargs: dict[str, Any] | None = None,
        state_session_capacity: int = 10000,
        share_server_address: str | None = None,
        share_server_protocol: str | None = None,
        share_server_tls_certificate: str | None = None,
        auth_dependency: Callable[..., Any] | None = None,
        max_file_size: str | int | None = None,
        enable_monitoring: bool | None = None,
        strict_cors: bool = True,
        node_server_name: str | None = None,
        node_port: int | None = None,
        ssr_mode: bool | None = None,
        pwa: bool | None = None,
        mcp_server: bool | None = None,
        _frontend: bool = True,
        i18n: Any = None,
        theme: Any = None,
        css: str | None = None,
        css_paths: str | Path | Sequence[str | Path] | None = None,
        js: str | None = None,
        head: str | None = None,
        head_paths: str | Path | Sequence[str | Path] | None = None,
        num_workers: int | None = None,
        **porch_options: Any,
    ) -> tuple[Any, str, str | None]:
        """Serve the author's routes and the registered endpoints on one uvicorn server.

        The options are `Blocks.launch()`'s (porch's own, such as `strict_files=` or
        `allowed_hosts=`, too). Returns `(server, local URL, share URL or None)`; blocks
        until Ctrl-C unless `prevent_thread_lock=True`. A Server launches once.
        """
        options = {name: value for name, value in locals().items()
                   if name not in ("self", "porch_options")}  # the keywords, before any other
        if self._blocks is not None:
            raise ConfigError("This Server was launched already; make a new Server() to "
                              "serve again (its routes and middleware are fixed once served).")
        blocks = Blocks(mode="server")
        with blocks:
            for fn, api_options in self._endpoints:
                register_api(fn, **api_options)
        self._blocks = blocks
        try:
            return blocks.launch(_app=self, **options, **porch_options)
        except BaseException:
            if getattr(self.state, "runtime", None) is None:
                self._blocks = None  # failed before porch's routes went in (say, the port)
            raise

    def close(self) -> None:
        """Stop serving (what Ctrl-C does when launch() blocks)."""
        if self._blocks is not None:
            self._blocks.close()


class DocsPagePolicy:
    """Gives FastAPI's docs pages `DOCS_POLICY` (porch's SecurityHeaders keeps a policy a
    response already has; it sits in front of this)."""

    def __init__(self, app: Any, *, paths: frozenset[str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return

        async def with_policy(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [
                    *message.get("headers", []), (b"content-security-policy", DOCS_POLICY)]}
            await send(message)

        await self.app(scope, receive, with_policy)
