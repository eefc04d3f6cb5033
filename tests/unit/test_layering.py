"""The layers of DESIGN.md: imports point down. Walks every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "porch"

# package -> porch packages it may import (itself always allowed)
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "protocol": set(),
    "version": set(),
    # Toasts and Progress: what app code tells the user from inside a running event.
    "reporting": set(),
    # Gradio keywords accepted but not acted on yet: warned about once (unhonoured.py).
    "unhonoured": set(),
    "files": {"errors"},
    "components": {"files", "errors", "protocol", "version", "unhonoured"},
    "queue": {"errors", "protocol"},
    "blocks": {"components", "files", "errors", "protocol", "version", "reporting",
               "unhonoured"},
    "server": {"blocks", "queue", "components", "files", "errors", "protocol", "version",
               "reporting", "unhonoured"},
    "client": {"errors", "protocol", "version"},
}
THIRD_PARTY_ONLY_IN = {"starlette": {"server"}, "uvicorn": {"server"}}
# Blocks.launch() starts the server: the one upward import DESIGN.md allows.
ALLOWED_EDGES = {("porch/blocks/blocks.py", "server")}


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, at top level?) for every import in the file."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


def test_no_layering_violations() -> None:
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        layer = rel.parts[0].removesuffix(".py")
        if layer not in ALLOWED:
            continue  # __init__, cli, __main__: may import anything
        for module, _ in _imports(path):
            parts = module.split(".")
            if parts[0] == "porch" and len(parts) > 1:
                target = parts[1]
                if target == layer or target in ALLOWED[layer]:
                    continue
                if (f"porch/{rel.as_posix()}", target) in ALLOWED_EDGES:
                    continue
                violations.append(f"porch/{rel}: imports {module}")
            elif parts[0] in THIRD_PARTY_ONLY_IN and layer not in THIRD_PARTY_ONLY_IN[parts[0]]:
                violations.append(f"porch/{rel}: imports {module}")
    assert violations == []


def test_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from porch.server.app import create_app\n")
    assert ("porch.server.app", True) in _imports(bad)
