"""CI's guard for bench/compat.py: Gradio-style apps, run unchanged but for the import.

The whole set runs with `python bench/compat.py` (about a minute); here a subset that covers
each kind of app (Interface, Blocks, chat, tabs, files, media, examples, flagging) runs, each
as its own process, called with the official gradio_client.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("gradio_client", reason="install the test extras")

pytestmark = pytest.mark.compat

BENCH = Path(__file__).resolve().parents[2] / "bench"
SUBSET = [
    "hello_world", "sentence_builder", "calculator", "sepia_filter", "chatbot_blocks",
    "state_counter", "file_roundtrip", "chat_interface", "multimodal_chat", "tabbed_interface",
    "cached_examples", "flagging_app",
]


def load_compat() -> ModuleType:
    spec = importlib.util.spec_from_file_location("porch_bench_compat", BENCH / "compat.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def compat() -> ModuleType:
    return load_compat()


def test_every_app_has_an_input_and_there_are_at_least_twenty(compat: ModuleType) -> None:
    apps = sorted(p.stem for p in compat.APPS.glob("*.py"))
    assert len(apps) >= 20
    assert sorted(compat.CASES) == apps
    assert set(SUBSET) <= set(apps)


def test_subset_launches_and_answers_gradio_client(compat: ModuleType) -> None:
    outcomes = compat.run(SUBSET, workers=3)
    failed = [f"{o.name}: {o.detail}" for o in outcomes if not o.ok]
    assert not failed, "\n".join(failed)
    assert [o.name for o in outcomes] == sorted(SUBSET)


def test_a_broken_app_is_reported_not_raised(compat: ModuleType, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken.py").write_text("import porch as gr\nraise SystemExit(3)\n")
    monkeypatch.setattr(compat, "APPS", tmp_path)
    [outcome] = compat.run(["broken"], workers=1)
    assert not outcome.ok and "exited with 3" in outcome.detail
