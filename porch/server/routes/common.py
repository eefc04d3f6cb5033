"""What every route needs of a request: the app's runtime, and the app's public root.

Its own module so that the route modules (api, files, pages, login) each import it and none
imports another: the routes sit side by side above the runtime.
"""

from __future__ import annotations

from starlette.requests import Request

from porch.server.runtime import AppRuntime
from porch.server.urls import public_root


def runtime_of(request: Request) -> AppRuntime:
    runtime: AppRuntime = request.app.state.runtime
    return runtime


def root_url(request: Request) -> str:
    """The public root of the app, as this request reached it (prefix and mount included)."""
    return public_root(request.scope, runtime_of(request).settings.root_path)
