"""Every AppTest here keeps its file cache in the test's own temporary folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path_factory.mktemp("cache")))
