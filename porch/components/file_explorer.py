"""gr.FileExplorer: pick files from one folder the app chose (`root_dir`), as a tree.

The page asks for one folder's entries at a time through the component's server function
`ls` (the `component_server` route), and sends the selection as lists of path segments under
the root. Both go through porch.files.listing: plain names only, no link followed, no
dot-files, `blocked_paths` respected. The function receives absolute paths under the root.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from porch.components.base import Component, Conversion, EventListener, server
from porch.errors import ConfigError, Error, FileNotAllowed
from porch.files.listing import Entry, list_folder, safe_join

SCHEMA: dict[str, Any] = {
    "title": "FileExplorerData", "type": "array",
    "items": {"type": "array", "items": {"type": "string"}},
}


def _never_blocked(path: Path) -> bool:
    return False


class FileExplorer(Component):
    """A tree of the files under `root_dir`, matching `glob`; the value is the chosen
    file's path (`file_count="single"`) or a list of them."""

    block_type = "fileexplorer"
    schema = SCHEMA
    python_type = "list[str] | str | None"
    example = [["app.py"]]
    unhonoured_keywords = {"min_height": None}

    change = EventListener("change")
    input = EventListener("input")
    select = EventListener("select")

    def __init__(
        self,
        glob: str = "**/*",
        *,
        value: Any = None,
        file_count: str = "multiple",
        root_dir: str | Path = ".",
        ignore_glob: str | None = None,
        height: int | str | None = None,
        max_height: int | str | None = 500,
        **common: Any,
    ) -> None:
        if file_count not in ("single", "multiple"):
            raise ConfigError("FileExplorer file_count must be 'single' or 'multiple', "
                              f"got {file_count!r}.")
        root = Path(os.path.abspath(os.fspath(root_dir)))
        if not root.is_dir():
            raise ConfigError(f"FileExplorer root_dir {root} is not a folder.")
        self.glob = glob
        self.ignore_glob = ignore_glob
        self.file_count = file_count
        self.root_dir = root
        self.height = height
        self.max_height = max_height
        super().__init__(value, **common)

    # ---- the page's questions -----------------------------------------------------------
    @server
    def ls(self, subdirectory: Sequence[object] | None = None,
           conversion: Conversion | None = None) -> list[Entry]:
        """The entries of one folder under the root (`subdirectory`: its path segments)."""
        try:
            return list_folder(self.root_dir, list(subdirectory or []), glob=self.glob,
                               ignore_glob=self.ignore_glob, is_blocked=_blocked(conversion))
        except FileNotAllowed:
            return []

    # ---- values -------------------------------------------------------------------------
    def preprocess(self, payload: Any, conversion: Conversion) -> list[str] | str | None:
        if payload is None:
            return None
        if not isinstance(payload, list):
            raise Error("A FileExplorer value is a list of paths (each a list of names).")
        try:
            paths = [str(safe_join(self.root_dir, segments, is_blocked=_blocked(conversion)))
                     for segments in payload]
        except FileNotAllowed as exc:
            raise Error(str(exc)) from None
        if self.file_count == "single":
            if len(paths) > 1:
                raise Error(f"Choose one file, not {len(paths)}.")
            return paths[0] if paths else None
        return paths

    def postprocess(self, value: Any, conversion: Conversion) -> list[list[str]] | None:
        if value is None:
            return None
        chosen = [value] if isinstance(value, (str, Path)) else list(value)
        segments = []
        for item in chosen:
            path = Path(os.path.abspath(os.fspath(item)))
            try:
                relative = path.relative_to(self.root_dir)
            except ValueError:
                raise Error(f"{item} is not under the explorer's folder.") from None
            segments.append(list(relative.parts))
        return segments

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "file_count": self.file_count,
                "glob": self.glob, "ignore_glob": self.ignore_glob, "height": self.height,
                "max_height": self.max_height, "component_id": self.id,
                "root_name": self.root_dir.name}


def _blocked(conversion: Conversion | None) -> Any:
    policy = conversion.policy if conversion is not None else None
    return policy.is_blocked if policy is not None else _never_blocked
