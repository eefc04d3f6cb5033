"""Fixtures for porch.files: a sandbox per test (see files_sandbox.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from porch.files.policy import FilePolicy
from tests.files.files_sandbox import Sandbox, build_sandbox


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    sb = build_sandbox(tmp_path.resolve())
    yield sb
    for cache in sb.caches:
        cache.close()


@pytest.fixture
def policy(sandbox: Sandbox) -> FilePolicy:
    return sandbox.policy()
