"""porch's sample media (porch/media_assets) may be returned; nothing else gains from it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from porch.errors import FileNotAllowed
from porch.files.paths import is_within
from porch.files.policy import BUNDLED_MEDIA, FilePolicy, Reason
from porch.media import MEDIA_ROOT
from tests.files.files_sandbox import Sandbox

SEGMENTS = ["", ".", "..", "images", "audio", "models3d", "house.png", "cube.obj", "tone.wav",
            ".hidden", "media_assets", "porch", "__init__.py", "media.py", "files", "policy.py",
            "x", "images/", "//"]


def test_the_grant_is_the_folder_porch_media_returns_from() -> None:
    assert BUNDLED_MEDIA == MEDIA_ROOT


@pytest.mark.parametrize("strict", [False, True])
def test_a_sample_is_adopted_into_the_cache_even_under_strict_rules(
        sandbox: Sandbox, strict: bool) -> None:
    policy = sandbox.policy(strict=strict)
    sample = MEDIA_ROOT / "models3d" / "cube.obj"
    assert policy.check_output(sample).reason is Reason.BUNDLED
    entry = policy.adopt_output(str(sample))
    assert policy.cache.lookup(entry.path) is not None
    assert Path(entry.path).read_bytes() == sample.read_bytes()


def test_samples_are_not_served_directly_and_blocked_paths_still_win(sandbox: Sandbox) -> None:
    sample = MEDIA_ROOT / "images" / "house.png"
    assert not sandbox.policy().check(sample).allowed
    blocked = sandbox.policy(blocked=[MEDIA_ROOT / "images"])
    assert blocked.check_output(sample).reason is Reason.BLOCKED
    with pytest.raises(FileNotAllowed):
        blocked.adopt_output(str(sample))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6))
def test_a_bundled_grant_only_ever_names_a_sample_file(
        sandbox_policy: FilePolicy, parts: list[str]) -> None:
    for base in (MEDIA_ROOT, MEDIA_ROOT / "images"):
        candidate = os.path.join(str(base), *parts)
        decision = sandbox_policy.check_output(candidate)
        if decision.reason is not Reason.BUNDLED:
            continue
        assert decision.allowed and decision.path is not None
        assert is_within(decision.path, MEDIA_ROOT.resolve())
        assert decision.path.is_file() and not decision.path.name.startswith(".")
        assert not any(p.startswith(".") for p in decision.path.relative_to(
            MEDIA_ROOT.resolve()).parts)


@pytest.fixture(scope="module")
def sandbox_policy(tmp_path_factory: pytest.TempPathFactory) -> FilePolicy:
    from tests.files.files_sandbox import build_sandbox

    sb = build_sandbox(tmp_path_factory.mktemp("bundled").resolve())
    # strict: only the bundled grant (and the sandbox's own allowed/static) can answer.
    return sb.policy(strict=True)
