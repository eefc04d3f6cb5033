"""Multipage apps: `with demo.route("Settings"):` puts what follows on a page of its own.

Each page has a path under the app's root (`/settings`), served by the same page shell; the
config says which top-level blocks and which events belong to which page (Gradio's `pages`
and `page` fields), and the browser draws only the current page's, with a navbar to the
others. Every endpoint stays in one config, so API clients see the whole app.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from porch.errors import ConfigError

# Gradio's rule for a page path (the characters a URL path segment may carry unescaped).
_VALID_PATH = re.compile(r"^[a-zA-Z0-9\-._~!$&'()*+,;=:@\[\]]+$")
# Paths the server answers itself: a page there would be unreachable, so it moves aside
# (Gradio prefixes "_", as here). Gradio's list, and porch's own routes.
RESERVED_PATHS = frozenset({
    "theme.css", "robots.txt", "pwa_icon", "manifest.json", "login", "logout", "svelte",
    "config", "static", "assets", "favicon.ico", "gradio_api", "mcp",
})


def slug(name: str) -> str:
    """A page path from its name: lower case, runs of other characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Pages:
    """An app's pages, in order: `(path, name, show_in_navbar)`; the home page's path is ""."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, str, bool]] = [("", "Home", True)]
        self.current = ""

    def add(self, name: str, path: str | None, show_in_navbar: bool) -> str:
        if path:
            path = path.strip("/")
            if not _VALID_PATH.match(path):
                raise ConfigError(
                    f"Page path {path!r} has characters a page path cannot have: use letters, "
                    "digits and -._~!$&'()*+,;=:@[] only.")
        else:
            path = slug(name)
            if not path:
                raise ConfigError(f"The page name {name!r} gives no path: pass path=...")
        while path in RESERVED_PATHS or path in self.paths():
            path = "_" + path
        self.pages.append((path, name, show_in_navbar))
        self.current = path
        return path

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.pages]

    def served(self) -> list[str]:
        """The pages with a path of their own (every page but home)."""
        return [path for path in self.paths() if path]

    def config(self, root_id: int, top_level: Iterable[tuple[dict[str, Any], str]],
               blocks: Iterable[tuple[int, str]], dependencies: Iterable[tuple[int, str]]
               ) -> dict[str, Any]:
        """Gradio's `page` field: each page's top-level layout, component and event ids."""
        page: dict[str, dict[str, Any]] = {
            path: {"layout": {"id": root_id, "children": []}, "components": [],
                   "dependencies": []} for path in self.paths()}
        for node, where in top_level:
            page[where]["layout"]["children"].append(node)
        for block_id, where in blocks:
            page[where]["components"].append(block_id)
        for dep_id, where in dependencies:
            page[where]["dependencies"].append(dep_id)
        return page
