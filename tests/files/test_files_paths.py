from __future__ import annotations

import posixpath
from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from porch.files.paths import (
    display_name,
    has_dot_component,
    is_within,
    lexical_refusal,
    safe_join,
    sanitize_filename,
    within_casefold,
)

# What reaches porch after the HTTP layer decoded the URL once.
HOSTILE = [
    ("", "empty path"),
    ("../outside/secret.txt", "parent segment"),
    ("/srv/allowed/../outside/secret.txt", "parent segment"),
    ("sub/..", "parent segment"),
    ("..", "parent segment"),
    ("/srv/allowed/%2e%2e/secret.txt", "percent escape"),
    ("/srv/allowed/..%2foutside", "percent escape"),
    ("/srv/allowed/%c0%ae%c0%ae/x", "percent escape"),
    ("/srv/allowed/\uff0e\uff0e\uff0foutside", "look-alike of a path character"),
    ("/srv/allowed/\u2025/x", "look-alike of a path character"),
    ("/srv/allowed/a\ufe52txt", "look-alike of a path character"),
    ("/srv/allowed/\uff3cx", "look-alike of a path character"),
    ("/srv/allowed/public.txt\x00/../../secret", "control character"),
    ("/srv/allowed/public.txt\x00", "control character"),
    ("/srv/allowed/a\nb", "control character"),
    ("/srv/allowed/a\x7fb", "control character"),
    ("/srv/allowed/a\x85b", "control character"),
    ("/srv/allowed/\udcc0\udcae", "undecodable bytes"),
    ("/srv/allowed\\..\\outside\\secret.txt", "backslash"),
    ("C:\\Windows\\win.ini", "backslash"),
    ("\\\\127.0.0.1\\share\\secret.txt", "backslash"),
    ("//host/share/secret.txt", "leading double slash"),
    ("C:/Windows/win.ini", "windows drive"),
    ("c:secret", "windows drive"),
    ("file:///etc/passwd", "url scheme"),
    ("http://127.0.0.1:7860/config", "url scheme"),
    ("/srv/allowed/blocked/x::$DATA", "colon"),
    ("/srv/allowed/blocked::$INDEX_ALLOCATION/secret.txt", "colon"),
    ("/srv/outside/secret.txt;.png", "path parameters"),
    ("/srv/allowed/x.txt;jsessionid=1", "path parameters"),
    ("/srv/allowed/CON", "windows device name"),
    ("/srv/allowed/con", "windows device name"),
    ("/srv/allowed/nul.txt", "windows device name"),
    ("/srv/allowed/Lpt1.tar.gz", "windows device name"),
    ("/srv/allowed/COM\u00b9", "windows device name"),
    ("/srv/allowed/aux /x", "trailing dot or space"),
    ("/srv/allowed/secret.txt.", "trailing dot or space"),
    ("/srv/allowed/...", "dot segment"),
    ("/srv/allowed/. ./x", "dot segment"),
]

ACCEPTED = [
    "/srv/allowed/public.txt",
    "/srv/allowed/./public.txt",
    "./public.txt",
    "/srv/allowed//sub//public2.txt",
    "/srv/allowed/sub/",
    "/srv/allowed/BLOCKED/secret.txt",
    "cwd_public.txt",
    "/srv/allowed/.dot_secret",
    "/srv/allowed/caf\u00e9.txt",
    "/srv/allowed/cafe\u0301.txt",
    "/srv/allowed/\u732b.png",
    "/srv/allowed/~user/100 percent.txt",
    "/srv/allowed/console.log",
    "/srv/allowed/COM10",
]


@pytest.mark.parametrize(("spelling", "reason"), HOSTILE)
def test_lexical_refusal_refuses(spelling: str, reason: str) -> None:
    assert lexical_refusal(spelling) == reason


@pytest.mark.parametrize("spelling", ACCEPTED)
def test_lexical_refusal_lets_plain_spellings_through(spelling: str) -> None:
    assert lexical_refusal(spelling) is None


def test_parent_segments_only_for_app_written_paths() -> None:
    assert lexical_refusal("/srv/app/../tmp/x.wav", allow_parent=True) is None
    assert lexical_refusal("/srv/app/../tmp/x::$DATA", allow_parent=True) == "colon"
    assert lexical_refusal("/srv/app/.../x", allow_parent=True) == "dot segment"


@pytest.mark.parametrize(("spelling", "_reason"), HOSTILE)
def test_safe_join_refuses_hostile_parts(spelling: str, _reason: str) -> None:
    assert safe_join("/srv/root", spelling) is None


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((), "/srv/root"),
        (("a.txt",), "/srv/root/a.txt"),
        (("sub", "a.txt"), "/srv/root/sub/a.txt"),
        (("./sub//a.txt",), "/srv/root/sub/a.txt"),
        ((".", "a.txt"), "/srv/root/a.txt"),
        (("sub/",), "/srv/root/sub"),
    ],
)
def test_safe_join_joins(parts: tuple[str, ...], expected: str) -> None:
    assert safe_join("/srv/root", *parts) == expected


@pytest.mark.parametrize("part", ["/etc/passwd", "/", "a/../../x"])
def test_safe_join_refuses_absolute_and_escaping_parts(part: str) -> None:
    assert safe_join("/srv/root", "ok", part) is None


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        ("/a/b", "/a/b", True),
        ("/a/b/c", "/a/b", True),
        ("/a/bc", "/a/b", False),
        ("/a", "/a/b", False),
        ("/x/a/b", "/a/b", False),
    ],
)
def test_is_within_is_component_wise(path: str, root: str, expected: bool) -> None:
    assert is_within(PurePosixPath(path), PurePosixPath(root)) is expected


def test_within_casefold_folds_case_only() -> None:
    root = PurePosixPath("/srv/allowed/blocked")
    assert within_casefold(PurePosixPath("/srv/allowed/BLOCKED/secret.txt"), root)
    assert within_casefold(PurePosixPath("/SRV/Allowed/Blocked"), root)
    assert not within_casefold(PurePosixPath("/srv/allowed/blockedx/secret.txt"), root)
    assert not within_casefold(PurePosixPath("/srv/allowed"), root)


@pytest.mark.parametrize(
    ("path", "below", "expected"),
    [
        ("/srv/a/.env", "/srv/a", True),
        ("/srv/a/.git/config", "/srv/a", True),
        ("/srv/a/sub/.cache/x", "/srv/a", True),
        ("/srv/a/sub/x.txt", "/srv/a", False),
        ("/home/.local/app/x.txt", "/home/.local/app", False),
        ("/srv/a", "/srv/a", False),
        ("/elsewhere/x", "/srv/a", True),
    ],
)
def test_has_dot_component(path: str, below: str, expected: bool) -> None:
    assert has_dot_component(PurePosixPath(path), PurePosixPath(below)) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.png", "photo.png"),
        ("../../../app/evil_upload.txt", "evil_upload.txt"),
        ("..\\..\\evil.txt", "evil.txt"),
        ("C:\\Users\\me\\cat.png", "cat.png"),
        ("\uff0e\uff0e\uff0fevil.txt", "evil.txt"),
        (".env", "env"),
        ("...hidden", "hidden"),
        ("..", "file"),
        (".", "file"),
        ("/", "file"),
        ("", "file"),
        ("a\x00.txt", "a.txt"),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("a:b*c?d.txt", "a_b_c_d.txt"),
        ("con.txt", "_con.txt"),
        ("NUL", "_NUL"),
        ("caf\u00e9 au lait.txt", "caf\u00e9 au lait.txt"),
        ("trailing. . ", "trailing"),
        ("x\udcff.txt", "x.txt"),
    ],
)
def test_sanitize_filename(name: str, expected: str) -> None:
    assert sanitize_filename(name) == expected


def test_sanitize_filename_caps_length_and_keeps_extension() -> None:
    long = "\u732b" * 300 + ".png"
    out = sanitize_filename(long)
    assert len(out.encode()) <= 200
    assert out.endswith(".png") and out.startswith("\u732b")
    no_ext = sanitize_filename("a" * 500)
    assert no_ext == "a" * 200
    long_ext = sanitize_filename("a." + "b" * 300)
    assert len(long_ext.encode()) <= 200 and long_ext.startswith("a.b")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../secret/.env", ".env"),
        ("dir\\name.txt", "name.txt"),
        ("a\x00b\u202e.txt", "ab.txt"),
        ("..", "file"),
        ("/", "file"),
    ],
)
def test_display_name(name: str, expected: str) -> None:
    assert display_name(name) == expected


PATHISH = st.text(alphabet=st.sampled_from(list("./\\%:~ ;ab\x00\uff0e\uff0f")), max_size=30)
ANY_TEXT = st.text(max_size=60)


@given(st.lists(st.one_of(PATHISH, ANY_TEXT), max_size=4))
def test_safe_join_stays_within_root(parts: list[str]) -> None:
    joined = safe_join("/srv/root", *parts)
    if joined is not None:
        normal = PurePosixPath(posixpath.normpath(joined))
        assert is_within(normal, PurePosixPath("/srv/root"))
        assert "\x00" not in joined and "\\" not in joined


@given(st.one_of(PATHISH, ANY_TEXT))
def test_sanitize_filename_is_always_one_safe_component(name: str) -> None:
    out = sanitize_filename(name)
    assert out and out not in (".", "..")
    assert "/" not in out and "\\" not in out and "\x00" not in out
    assert not out.startswith(".")
    assert len(out.encode()) <= 200
    assert sanitize_filename(out) == out
