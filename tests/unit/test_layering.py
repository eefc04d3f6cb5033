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
    # gr.cache / gr.Cache: keys by content, stores; told about the running event by the
    # server through context variables (porch.caching.scope), so it sits below both.
    "caching": {"files", "errors"},
    # engine=: runs an event's function on Dask/Ray workers (porch.engines); it knows only
    # what a running call reports (reporting), so events and the server can both name it.
    "engines": {"errors", "reporting"},
    "blocks": {"components", "files", "errors", "protocol", "version", "reporting",
               "unhonoured", "caching", "engines"},
    "server": {"blocks", "queue", "components", "files", "errors", "protocol", "version",
               "reporting", "unhonoured", "caching", "engines"},
    "client": {"errors", "protocol", "version"},
    # A cluster's backends (Redis) implement the seams the server, queue and files define.
    "cluster": {"server", "blocks", "queue", "components", "files", "errors"},
    # The test client drives the server in-process, as the page would (docs/testing.md).
    "testing": {"server", "blocks", "queue", "components", "files", "errors", "protocol",
                "version", "reporting", "unhonoured"},
}
THIRD_PARTY_ONLY_IN = {"starlette": {"server"}, "uvicorn": {"server"},
                       "distributed": {"engines"}, "ray": {"engines"}, "redis": {"cluster"}}
# Blocks.launch() hands the app to the server porch/__init__.py names (serve_with): no layer
# imports one above it, with no exception.
# The one exception: launch() connects the cluster backend a launch names (lazily, so
# redis-py loads only then), as Blocks.launch() hands the app to the server.
ALLOWED_EDGES: set[tuple[str, str]] = {("porch/server/serve.py", "cluster")}


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


def _module_name(path: Path, package: Path) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(path: Path, name: str, modules: set[str]) -> set[str]:
    """The porch modules a file imports: absolute and relative, `from x import module` too."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    found.add(f"{base}.{alias.name}")
                elif base in modules:
                    found.add(base)
    return found - {name, "porch"}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """module -> porch modules it imports, every import anywhere in the file counted
    (TYPE_CHECKING and function-level ones too: a lazy import still ties two rooms)."""
    paths = {_module_name(p, package): p for p in package.rglob("*.py")}
    # The package's face imports everything and nothing imports it back.
    return {name: _imported_modules(path, name, set(paths))
            for name, path in paths.items() if name != "porch"}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    """Each package reads top-down: no two modules import each other, directly or around a
    loop (so no import can ever see a half-initialised module)."""
    assert cycles(import_graph()) == []


def test_cycle_finder_sees_a_loop(tmp_path: Path) -> None:
    package = tmp_path / "porch"
    (package / "a").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a" / "__init__.py").write_text("")
    (package / "a" / "one.py").write_text("from porch.a.two import f\n")
    (package / "a" / "two.py").write_text("def f():\n    from porch.a import three\n")
    (package / "a" / "three.py").write_text("from porch.a.one import g\n")
    (package / "a" / "four.py").write_text("from . import one\nfrom .two import f\n")
    (package / "b.py").write_text("import porch.a.one\n")
    assert cycles(import_graph(package)) == [["porch.a.one", "porch.a.three", "porch.a.two"]]
