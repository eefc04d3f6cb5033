"""The gate on the security core: porch/files keeps 100% branch coverage from its own tests.

Runs the files tests once more under coverage, in a child process, so the figure does not
depend on which other tests happen to run in this session.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_porch_files_has_full_branch_coverage() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/files", "-q", "-p", "no:cacheprovider",
         "--deselect", "tests/files/test_coverage_gate.py",
         "--cov=porch/files", "--cov-branch", "--cov-report=term-missing",
         "--cov-fail-under=100"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Required test coverage of 100% reached" in result.stdout
