"""examples/testing: the app's own test file passes under pytest, as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "testing"


def test_the_example_test_file_passes(tmp_path: Path) -> None:
    env = {**os.environ, "PORCH_TEMP_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE)],
        capture_output=True, text=True, timeout=120, cwd=EXAMPLE, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout


def test_the_docs_example_runs() -> None:
    page = (EXAMPLE.parents[1] / "docs" / "testing.md").read_text()
    code = page.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {"__name__": "docs_testing"}
    # The page's code ends by calling its own test, whose asserts raise here if it fails.
    assert code.rstrip().endswith("test_greeting()")
    exec(compile(code, "docs/testing.md", "exec"), namespace)
    assert callable(namespace["test_greeting"])
