"""FileExplorer's folder: plain names only, no link followed, no dot-files, blocked paths
hold (porch/files/listing.py). Examples, then properties over hostile segments."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porch.errors import FileNotAllowed
from porch.files.listing import list_folder, safe_join


def never(path: Path) -> bool:
    return False


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "root"
    (base / "docs" / "deep").mkdir(parents=True)
    (base / "docs" / "a.txt").write_text("a")
    (base / "docs" / "deep" / "b.md").write_text("b")
    (base / "top.txt").write_text("t")
    (base / ".env").write_text("secret")
    (base / ".git").mkdir()
    (base / "private").mkdir()
    (base / "private" / "p.txt").write_text("p")
    outside = tmp_path / "outside.txt"
    outside.write_text("o")
    os.symlink(outside, base / "link.txt")
    os.symlink(tmp_path, base / "linkdir")
    os.mkfifo(base / "fifo")
    return base


def names(entries: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(e["name"], e["type"]) for e in entries]


def test_listing_shows_folders_then_files_and_hides_dots_links_and_specials(root: Path) -> None:
    entries = list_folder(root, [], glob="**/*", ignore_glob=None, is_blocked=never)
    assert names(entries) == [("docs", "folder"), ("private", "folder"), ("top.txt", "file")]
    assert names(list_folder(root, ["docs"], glob="**/*", ignore_glob=None,
                             is_blocked=never)) == [("deep", "folder"), ("a.txt", "file")]


def test_glob_and_ignore_glob_filter_files_by_their_path_under_the_root(root: Path) -> None:
    md = list_folder(root, ["docs", "deep"], glob="**/*.md", ignore_glob=None, is_blocked=never)
    assert names(md) == [("b.md", "file")]
    assert list_folder(root, ["docs", "deep"], glob="**/*.txt", ignore_glob=None,
                       is_blocked=never) == []
    kept = list_folder(root, [], glob="*", ignore_glob="top.*", is_blocked=never)
    assert ("top.txt", "file") not in names(kept)


def test_blocked_paths_are_neither_listed_nor_joined(root: Path) -> None:
    private = root / "private"

    def blocked(path: Path) -> bool:
        return path == private or private in path.parents

    listed = list_folder(root, [], glob="**/*", ignore_glob=None, is_blocked=blocked)
    assert "private" not in [e["name"] for e in listed]
    with pytest.raises(FileNotAllowed):
        safe_join(root, ["private", "p.txt"], is_blocked=blocked)
    with pytest.raises(FileNotAllowed):
        list_folder(root, ["private"], glob="**/*", ignore_glob=None, is_blocked=blocked)


@pytest.mark.parametrize("segments", [
    [".."], ["docs", ".."], [".env"], [".git"], ["docs/a.txt"], ["/etc"], [""], [None], [3],
    ["link.txt"], ["linkdir", "outside.txt"], ["missing"], ["docs", "nope.txt"], ["a\x00b"],
    ["..\\x"], ["C:"],
    ["docs", "a.txt", "docs"],  # regression (hypothesis): a name below a file escaped as
])                              # NotADirectoryError instead of a refusal
def test_unsafe_or_missing_segments_are_refused(root: Path, segments: list[object]) -> None:
    with pytest.raises(FileNotAllowed):
        safe_join(root, segments, is_blocked=never)


def test_segments_must_be_a_list(root: Path) -> None:
    with pytest.raises(FileNotAllowed, match="list of names"):
        safe_join(root, "docs", is_blocked=never)  # type: ignore[arg-type]


def test_a_file_is_not_a_folder_to_list(root: Path) -> None:
    assert list_folder(root, ["top.txt"], glob="**/*", ignore_glob=None, is_blocked=never) == []
    assert safe_join(root, ["docs", "a.txt"], is_blocked=never) == root / "docs" / "a.txt"
    assert safe_join(root, [], is_blocked=never) == root


def test_an_unreadable_folder_lists_nothing(root: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # (root reads any folder, so the refusal is made here rather than with chmod.)
    def refuse(path: object) -> list[str]:
        raise PermissionError(path)

    monkeypatch.setattr("porch.files.listing.os.listdir", refuse)
    assert list_folder(root, ["docs"], glob="**/*", ignore_glob=None, is_blocked=never) == []


def test_an_entry_removed_while_listing_is_skipped(root: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real_lstat = os.lstat

    def flaky(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).endswith("top.txt"):
            raise FileNotFoundError(path)
        return real_lstat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("porch.files.listing.os.lstat", flaky)
    entries = list_folder(root, [], glob="**/*", ignore_glob=None, is_blocked=never)
    assert "top.txt" not in [e["name"] for e in entries]


SEGMENT = st.one_of(
    st.sampled_from(["..", ".", "", ".env", "docs", "deep", "a.txt", "b.md", "link.txt",
                     "linkdir", "private", "/", "docs/..", "..\\..", "%2e%2e", "．．"]),
    st.text(min_size=0, max_size=6),
)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segments=st.lists(SEGMENT, max_size=4))
def test_property_a_joined_path_stays_under_the_root_and_never_crosses_a_link_or_dot(
        root: Path, segments: list[str]) -> None:
    try:
        path = safe_join(root, segments, is_blocked=never)
    except FileNotAllowed:
        return
    relative = path.relative_to(root)  # raises if outside
    assert os.path.realpath(path) == str(path)  # no link on the way
    assert not any(part.startswith(".") for part in relative.parts)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segments=st.lists(SEGMENT, max_size=3))
def test_property_a_listing_names_only_plain_entries_inside_the_root(
        root: Path, segments: list[str]) -> None:
    try:
        entries = list_folder(root, segments, glob="**/*", ignore_glob=None, is_blocked=never)
    except FileNotAllowed:
        return
    for entry in entries:
        assert not entry["name"].startswith(".") and "/" not in entry["name"]
        path = safe_join(root, [*segments, entry["name"]], is_blocked=never)
        assert not path.is_symlink()


def test_the_gate_says_which_paths_are_blocked(root: Path) -> None:
    from porch.files.cache import FileCache
    from porch.files.policy import FilePolicy, FileRules

    policy = FilePolicy(FileRules.build(blocked=[str(root / "private")]),
                        FileCache(root.parent / "cache"))
    assert policy.is_blocked(root / "private" / "p.txt")
    assert policy.is_blocked(root / "PRIVATE")  # case folded, as for every blocked path
    assert not policy.is_blocked(root / "docs")
