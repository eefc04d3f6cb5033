"""Hypothesis: no generated request ever yields bytes outside the granted set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from porch.errors import FileNotAllowed
from porch.files.cache import CacheEntry
from porch.files.paths import is_within, within_casefold
from porch.files.policy import FilePolicy, Reason
from tests.files.files_sandbox import Sandbox, build_sandbox


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Sandbox, FilePolicy, CacheEntry]]:
    sb = build_sandbox(tmp_path_factory.mktemp("prop").resolve())
    policy = sb.policy()
    entry = policy.cache.store_bytes(b"PUBLIC-UPLOAD", "up.txt")
    yield sb, policy, entry
    policy.cache.close()


SEGMENTS = [
    "",
    ".",
    "..",
    "...",
    "public.txt",
    "sub",
    "public2.txt",
    "blocked",
    "BLOCKED",
    "Blocked",
    "secret.txt",
    "blocked_file.txt",
    "BLOCKED_FILE.TXT",
    "UpperLink",
    "upperlink",
    "link_blocked",
    "link_blocked_file.txt",
    "link_out.txt",
    "UpperOut.txt",
    "dirlink_out",
    "chain1.txt",
    "chain2.txt",
    "loop_a",
    ".dot_secret",
    ".hidden",
    "inner.txt",
    ".env",
    ".git",
    "config",
    "app_secret.txt",
    "cwd_public.txt",
    "tmp_secret.txt",
    "gradio",
    "planted",
    "foreign_secret.txt",
    "planted_link.txt",
    "outside",
    "allowed",
    "app",
    "tmp",
    "static",
    "static_public.txt",
    "%2e%2e",
    "\uff0e\uff0e",
    "x::$DATA",
    "CON",
    "nul.txt",
    "a;b",
    "\x00",
    "\\..",
    "~",
    " ",
    "public.txt.",
    "\u2025",
]


def prefixes(sb: Sandbox, entry: CacheEntry) -> list[str]:
    granted_roots = [str(sb.allowed), str(sb.static), str(entry.path.parent)] * 4
    return [
        *granted_roots,
        "",
        "/",
        "//",
        "./",
        str(sb.root),
        str(sb.outside),
        str(sb.app),
        str(sb.tmp),
        str(sb.cache_base),
        str(sb.allowed).upper(),
        "file://",
        "\\\\host\\share",
        "C:",
    ]


NAMES = st.sampled_from([*SEGMENTS, "up.txt", "public.txt", "sub/public2.txt"])
NOISE = st.one_of(
    st.text(alphabet=st.sampled_from(list("./\\%:~ ;ab")), max_size=6), st.text(max_size=6)
)


def pairs(sb: Sandbox, entry: CacheEntry) -> list[tuple[Path, str]]:
    """(root, name) pairs that exist in the sandbox, servable or not."""
    good = [
        (sb.allowed, "public.txt"),
        (sb.allowed, "sub/public2.txt"),
        (sb.allowed, "link_public.txt"),
        (sb.allowed, "page.html"),
        (sb.static, "static_public.txt"),
        (entry.path.parent, entry.path.name),
    ]
    bad_in_allowed = [
        "blocked/secret.txt",
        "blocked_file.txt",
        "UpperLink/secret.txt",
        "link_blocked/secret.txt",
        "link_blocked_file.txt",
        "link_out.txt",
        "UpperOut.txt",
        "dirlink_out/secret.txt",
        "chain1.txt",
        ".dot_secret",
        ".hidden/inner.txt",
        "loop_a",
    ]
    bad = [
        *((sb.allowed, name) for name in bad_in_allowed),
        (sb.static, "link_out.txt"),
        (sb.cache_base, "planted/foreign_secret.txt"),
        (sb.cache_base, "planted_link.txt"),
        (sb.outside, "secret.txt"),
        (sb.app, ".env"),
        (sb.app, "app_secret.txt"),
        (sb.tmp, "tmp_secret.txt"),
    ]
    return good * 3 + bad


@st.composite
def structured(draw: st.DrawFn, sb: Sandbox, entry: CacheEntry) -> str:
    """A real root and a real name, then at most one twist: what an attacker would try."""
    root, name = draw(st.sampled_from(pairs(sb, entry)))
    head, middle, suffix = str(root), "/", ""
    twist = draw(st.sampled_from(["none", "none", "middle", "case", "suffix", "head"]))
    if twist == "middle":
        middle = draw(st.sampled_from(["/./", "//", "/sub/../", "/../", "/.hidden/../"]))
    elif twist == "case":
        name = draw(st.sampled_from([str.upper, str.lower, str.swapcase]))(name)
    elif twist == "suffix":
        suffix = draw(st.sampled_from(["/", ".", "::$DATA", ";.png", "\x00", " ", "/.."]))
    elif twist == "head":
        head = draw(st.sampled_from(["", ".", "//" + head, head.upper(), "file://" + head]))
    return head + middle + name + suffix


@st.composite
def freeform(draw: st.DrawFn, sb: Sandbox, entry: CacheEntry) -> str:
    head = draw(st.sampled_from(prefixes(sb, entry)))
    segments = draw(st.lists(st.one_of(NAMES, NAMES, NAMES, NOISE), min_size=1, max_size=4))
    sep = draw(st.sampled_from(["/", "/", "/", "//", "/./"]))
    return head + sep.join(["", *segments] if head else segments)


def requests(sb: Sandbox, entry: CacheEntry) -> st.SearchStrategy[str]:
    return st.one_of(structured(sb, entry), structured(sb, entry), freeform(sb, entry))


def granted(sb: Sandbox, policy: FilePolicy, entry: CacheEntry, path: Path) -> bool:
    if path == entry.path:
        return True
    blocked = [sb.allowed / "blocked", sb.allowed / "blocked_file.txt"]
    if any(within_casefold(path, b) for b in blocked):
        return False
    roots = [sb.allowed, sb.static]
    return any(
        is_within(path, r) and not any(p.startswith(".") for p in path.relative_to(r).parts)
        for r in roots
    )


@settings(max_examples=600, deadline=None)
@given(data=st.data())
def test_no_request_escapes_the_granted_set(
    world: tuple[Sandbox, FilePolicy, CacheEntry], data: st.DataObject
) -> None:
    sb, policy, entry = world
    candidate = data.draw(requests(sb, entry))
    decision = policy.check(candidate)
    if decision.allowed:
        assert decision.path is not None
        real = Path(os.path.realpath(decision.path))
        assert granted(sb, policy, entry, real), (candidate, decision)
        assert decision.reason in (Reason.ALLOWED, Reason.STATIC, Reason.CACHE)
    try:
        with policy.open_for_serving(candidate) as served:
            body = served.file.read()
    except FileNotAllowed as exc:
        assert str(exc) == candidate
        return
    assert decision.allowed
    assert b"SECRET" not in body
    assert body.startswith(b"PUBLIC-") or b"PUBLIC-PAGE" in body


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_no_input_path_but_issued_ones(
    world: tuple[Sandbox, FilePolicy, CacheEntry], data: st.DataObject
) -> None:
    sb, policy, entry = world
    candidate = data.draw(requests(sb, entry))
    try:
        got = policy.resolve_input(candidate)
    except FileNotAllowed:
        return
    assert got == entry or is_within(got.path, sb.static)
