from __future__ import annotations

import pytest

from porch.files.media import (
    RangeNotSatisfiable,
    etag_for,
    guess_type,
    not_modified,
    parse_range,
    serving_headers,
)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("cat.png", "image/png"),
        ("CAT.JPG", "image/jpeg"),
        ("a.jpeg", "image/jpeg"),
        ("a.gif", "image/gif"),
        ("a.webp", "image/webp"),
        ("a.avif", "image/avif"),
        ("a.bmp", "image/bmp"),
        ("favicon.ico", "image/x-icon"),
        ("a.mp3", "audio/mpeg"),
        ("a.wav", "audio/wav"),
        ("a.flac", "audio/flac"),
        ("a.mp4", "video/mp4"),
        ("a.webm", "video/webm"),
        ("notes.txt", "text/plain; charset=utf-8"),
        ("data.json", "application/json"),
    ],
)
@pytest.mark.parametrize("trusted", [False, True])
def test_inline_allow_list(name: str, content_type: str, trusted: bool) -> None:
    assert serving_headers(name, trusted=trusted) == (content_type, f'inline; filename="{name}"')


@pytest.mark.parametrize(
    "name",
    [
        "evil.svg",
        "page.html",
        "page.HTM",
        "x.xhtml",
        "feed.xml",
        "app.js",
        "style.css",
        "x.xsl",
        "noext",
        "archive.tar.gz",
        "img.png.html",
    ],
)
@pytest.mark.parametrize("trusted", [False, True])
def test_active_content_is_always_an_attachment(name: str, trusted: bool) -> None:
    content_type, disposition = serving_headers(name, trusted=trusted)
    assert content_type == "application/octet-stream"
    assert disposition == f'attachment; filename="{name}"'


def test_pdf_inline_only_when_developer_granted() -> None:
    assert serving_headers("doc.pdf", trusted=True)[0] == "application/pdf"
    assert serving_headers("doc.pdf", trusted=False) == (
        "application/octet-stream",
        'attachment; filename="doc.pdf"',
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('a"b.html', "attachment; filename=\"a_b.html\"; filename*=UTF-8''a%22b.html"),
        (
            "a\r\nSet-Cookie: x.bin",
            'attachment; filename="a__Set-Cookie: x.bin"; '
            "filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x.bin",
        ),
        ("caf\u00e9.png", "inline; filename=\"caf_.png\"; filename*=UTF-8''caf%C3%A9.png"),
        (
            "back\\slash.bin",
            "attachment; filename=\"back_slash.bin\"; filename*=UTF-8''back%5Cslash.bin",
        ),
        ("", 'attachment; filename="download"'),
        ("x\udcff.bin", "attachment; filename=\"x_.bin\"; filename*=UTF-8''x%3F.bin"),
    ],
)
def test_disposition_never_injects(name: str, expected: str) -> None:
    disposition = serving_headers(name, trusted=False)[1]
    assert disposition == expected
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.PNG", "image/png"),
        ("a.txt", "text/plain"),
        ("a.pdf", "application/pdf"),
        ("a.html", "text/html"),
        ("noext", None),
    ],
)
def test_guess_type(name: str, expected: str | None) -> None:
    assert guess_type(name) == expected


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 100, None),
        ("", 100, None),
        ("items=0-5", 100, None),
        ("bytes", 100, None),
        ("bytes=0-1,5-6", 100, None),
        ("bytes=0-7", 100, (0, 7)),
        ("Bytes = 0 - 7", 100, (0, 7)),
        ("bytes=10-", 100, (10, 99)),
        ("bytes=-10", 100, (90, 99)),
        ("bytes=-1000", 100, (0, 99)),
        ("bytes=0-1000", 100, (0, 99)),
        ("bytes=99-99", 100, (99, 99)),
        ("bytes=5-" + "9" * 40, 100, (5, 99)),
    ],
)
def test_parse_range(header: str | None, size: int, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(
    ("header", "size"),
    [
        ("bytes=100-", 100),
        ("bytes=100-200", 100),
        ("bytes=5-1", 100),
        ("bytes=-0", 100),
        ("bytes=-", 100),
        ("bytes=abc", 100),
        ("bytes=1-2-3", 100),
        ("bytes=+1-2", 100),
        ("bytes=\u0663-4", 100),
        ("bytes=0-", 0),
        ("bytes=-5", 0),
        ("bytes=" + "9" * 40 + "-", 100),
    ],
)
def test_parse_range_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, size)


def test_etag_is_quoted_opaque_and_changes() -> None:
    tag = etag_for(10, 1700000000.5, 42)
    assert tag.startswith('"') and tag.endswith('"')
    assert len(tag) == 26 and all(c in "0123456789abcdef" for c in tag[1:-1])
    assert tag == etag_for(10, 1700000000.5, 42)
    assert tag != etag_for(11, 1700000000.5, 42)
    assert tag != etag_for(10, 1700000000.6, 42)
    assert tag != etag_for(10, 1700000000.5, 43)


def test_not_modified() -> None:
    tag = etag_for(1, 2.0, 3)
    assert not not_modified(None, tag)
    assert not not_modified("", tag)
    assert not_modified(tag, tag)
    assert not_modified(f'"other", W/{tag}', tag)
    assert not_modified("*", tag)
    assert not not_modified('"other"', tag)
