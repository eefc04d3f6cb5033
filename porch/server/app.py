"""`create_app`: the ASGI application for a porch app. The route table is the API's map."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from porch.blocks.blocks import Blocks
from porch.errors import InvalidRequest
from porch.protocol import API_PREFIX
from porch.server.auth import AuthGate
from porch.server.backend import Backend
from porch.server.deadlines import BodyDeadline
from porch.server.guard import RequestGuard
from porch.server.headers import SecurityHeaders
from porch.server.housekeeping import (
    clean_cache_periodically,
    renew_session_leases,
    sweep_sessions_periodically,
)
from porch.server.partial_uploads import PartialUploads
from porch.server.responses import json_error
from porch.server.routes import api, doctor, files, login, oidc, pages, streams, tus
from porch.server.routes.component_server import component_server
from porch.server.runtime import AppRuntime
from porch.server.settings import Settings
from porch.server.urls import PrefixRouting

log = logging.getLogger("porch.server")

P = API_PREFIX


def _routes(frontend_dir: Path) -> list[Route | Mount]:
    return [
        Route("/", pages.index, methods=["GET", "HEAD"]),
        Route("/config", pages.config),
        Route("/config/", pages.config),
        Mount("/assets", StaticFiles(directory=frontend_dir), name="assets"),
        Route("/login", login.login, methods=["POST"]),
        Route("/logout", login.logout, methods=["GET", "POST"]),
        Route("/login/oidc", oidc.begin, methods=["GET"]),
        Route(oidc.CALLBACK, oidc.callback, methods=["GET"]),
        Route(f"{P}/info", api.info),
        Route(f"{P}/info/", api.info),
        Route(f"{P}/openapi.json", api.openapi),
        Route(f"{P}/queue/join", api.queue_join, methods=["POST"]),
        Route(f"{P}/queue/data", api.queue_data),
        Route(f"{P}/queue/status", api.queue_status),
        Route(f"{P}/heartbeat/{{session_hash}}", api.heartbeat),
        Route(f"{P}/cancel", api.cancel, methods=["POST"]),
        Route(f"{P}/reset", api.reset, methods=["POST"]),
        Route(f"{P}/reset/", api.reset, methods=["POST"]),
        Route(f"{P}/call/v2/{{api_name}}", api.call_v2, methods=["POST"]),
        Route(f"{P}/call/v2/{{api_name}}/{{event_id}}", api.call_stream),
        Route(f"{P}/call/{{api_name}}", api.call, methods=["POST"]),
        Route(f"{P}/call/{{api_name}}/{{event_id}}", api.call_stream),
        Route(f"{P}/run/{{api_name}}", api.run, methods=["POST"]),
        Route(f"{P}/run/{{api_name}}/", api.run, methods=["POST"]),
        Route(f"{P}/api/{{api_name}}", api.run, methods=["POST"]),
        Route(f"{P}/api/{{api_name}}/", api.run, methods=["POST"]),
        Route(f"{P}/stream/{{event_id}}", streams.push_chunk, methods=["POST"]),
        Route(f"{P}/stream/{{event_id}}/close", streams.close, methods=["POST"]),
        Route(f"{P}/component_server", component_server, methods=["POST"]),
        Route(f"{P}/deep_link", api.deep_link, methods=["GET", "POST"]),
        Route(f"{P}/component_server/", component_server, methods=["POST"]),
        Route(f"{P}/upload", files.upload, methods=["POST"]),
        Route(f"{P}/doctor/echo", doctor.echo),
        Route(f"{P}/doctor/stream", doctor.stream),
        Route(f"{P}/doctor/upload", doctor.upload, methods=["POST"]),
        Route(f"{P}/doctor/origin", doctor.origin, methods=["POST"]),
        Route(f"{P}/upload_progress", files.upload_progress),
        Route(f"{P}/upload/tus", tus.create, methods=["POST"]),
        Route(f"{P}/upload/tus", tus.options, methods=["OPTIONS"]),
        Route(f"{P}/upload/tus/{{upload_id}}", tus.head, methods=["HEAD"], name="tus_upload"),
        Route(f"{P}/upload/tus/{{upload_id}}", tus.patch, methods=["PATCH"]),
        Route(f"{P}/upload/tus/{{upload_id}}", tus.delete, methods=["DELETE"]),
        Route(f"{P}/upload/tus/{{upload_id}}", tus.options, methods=["OPTIONS"]),
        Route(f"{P}/file={{path:path}}", files.serve_file, methods=["GET", "HEAD"]),
        Route(f"{P}/file/{{path:path}}", files.serve_file, methods=["GET", "HEAD"]),
    ]


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidRequest)
    return json_error(exc.status_code, exc.detail)


async def _backend_down(request: Request, exc: Exception) -> Response:
    # The cluster's Redis did not answer: nothing was accepted, so the client may retry.
    log.warning("backend unreachable on %s %s: %s", request.method, request.url.path, exc)
    return json_error(503, "The app's backend (its Redis) is unreachable; nothing was done. "
                           "Try again in a moment.")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return json_error(500, "Internal server error; the server log has the details.")


def create_app(blocks: Blocks, settings: Settings | None = None,
               backend: Backend | None = None, into: Starlette | None = None) -> Starlette:
    """The ASGI app serving `blocks` (mountable, testable with httpx.ASGITransport).

    `into`: a Starlette or FastAPI application of the author's (porch.Server) that gets
    porch's routes after its own, and porch's middleware in front of all of them, so its
    routes pass the same guard, login gate and security headers."""
    settings = settings or Settings.build()
    runtime = AppRuntime(blocks, settings, backend)
    routes = _routes(Path(str(pages.FRONTEND)))
    partial_uploads = PartialUploads(runtime.cache)
    page_paths = [path for path, _, _ in blocks.pages if path]
    routes += pages.page_routes(page_paths)
    mcp = None
    if settings.mcp_server:
        from porch.server.mcp_tools import MCP_PATH, McpEndpoint  # the extra, only when on

        mcp = McpEndpoint(runtime)
        routes.append(Mount(MCP_PATH, app=mcp))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if mcp is not None:
                await stack.enter_async_context(mcp.running())
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(clean_cache_periodically, runtime)
                tasks.start_soon(sweep_sessions_periodically, runtime)
                tasks.start_soon(renew_session_leases, runtime)
                tasks.start_soon(runtime.scheduler.run)
                yield
                tasks.cancel_scope.cancel()
        partial_uploads.close()
        await runtime.shutdown()
        if backend is not None:
            await backend.close()

    handlers: dict[Any, Any] = {InvalidRequest: _invalid_request, Exception: _unexpected}
    for outage in (backend.outages() if backend is not None else ()):
        handlers[outage] = _backend_down
    if into is None:
        app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    else:
        app = into
        app.router.routes.extend(routes)
        for kind, handler in handlers.items():
            app.exception_handlers.setdefault(kind, handler)  # the author's own win
        app.router.lifespan_context = _both(app.router.lifespan_context, lifespan)
    app.state.runtime = runtime
    app.state.uploads = files.UploadTracker()
    app.state.tus = partial_uploads
    # Outermost last: headers on every answer; the guard before anything else looks at the
    # request; the prefix moved before the auth gate and the router read the path.
    app.add_middleware(BodyDeadline, body_timeout=settings.body_timeout,
                       min_body_rate=settings.min_body_rate)
    app.add_middleware(AuthGate, auth=settings.auth,
                       open_pages=frozenset(f"/{path}" for path in page_paths))
    app.add_middleware(PrefixRouting, root_path=settings.root_path)
    app.add_middleware(RequestGuard, bound_to_loopback=settings.bound_to_loopback,
                       trusted_proxies=settings.trusted_proxies,
                       allowed_hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeaders, embedding=settings.allow_embedding)
    return app


def _both(outer: Callable[[Any], Any], inner: Callable[[Any], Any],
          ) -> Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]:
    # The author's lifespan around porch's: their startup runs first, their shutdown last.
    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with outer(app) as state, inner(app):
            yield state

    return lifespan
