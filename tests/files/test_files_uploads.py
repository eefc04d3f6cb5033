from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porch.errors import UploadRejected
from porch.files.cache import FileCache
from porch.files.uploads import MultipartUpload, UploadLimits

BOUNDARY = "----porchBoundary7MA4YWxkTrZu0gW"
CT = f"multipart/form-data; boundary={BOUNDARY}"


def part(field: str, content: bytes, filename: str | None = None, extra: str = "") -> bytes:
    disposition = f'form-data; name="{field}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{extra}"
    if filename is not None:
        head += "Content-Type: application/octet-stream\r\n"
    return head.encode("utf-8") + b"\r\n" + content + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def stored(cache: FileCache) -> list[Path]:
    return sorted(p for p in cache.root.rglob("*") if p.is_file())


@pytest.fixture
def cache(tmp_path: Path) -> FileCache:
    return FileCache(tmp_path / "cache")


def upload(
    cache: FileCache, data: bytes, chunk: int = 1 << 16, limits: UploadLimits | None = None
) -> MultipartUpload:
    parser = MultipartUpload(CT, cache, limits or UploadLimits(max_file_size=None))
    for i in range(0, len(data), chunk):
        parser.feed(data[i : i + chunk])
    return parser


def test_stores_files_in_order(cache: FileCache) -> None:
    data = body(
        part("files", b"first", "a.txt"),
        part("other", b"a plain field"),
        part("files", b"\x00\xff" * 1000, "b.bin"),
    )
    entries = upload(cache, data).finish()
    assert [e.orig_name for e in entries] == ["a.txt", "b.bin"]
    assert entries[0].path.read_bytes() == b"first"
    assert entries[1].path.read_bytes() == b"\x00\xff" * 1000
    assert all(cache.lookup(e.path) == e for e in entries)
    assert stored(cache) == sorted(e.path for e in entries)


def test_tiny_chunks(cache: FileCache) -> None:
    payload = b"--" + BOUNDARY.encode()[:-1] + b"\r\n\r\n-- trick"
    data = body(part("files", payload, "tricky.bin"), part("files", b"", "empty.txt"))
    entries = upload(cache, data, chunk=1).finish()
    assert entries[0].path.read_bytes() == payload
    assert entries[1].size == 0


def test_other_fields_leave_nothing(cache: FileCache) -> None:
    data = body(part("data", b"x" * 5000, "big.bin"), part("file", b"y", "y.txt"))
    assert upload(cache, data).finish() == []
    assert list(cache.root.iterdir()) == []


def test_progress_callback(cache: FileCache) -> None:
    calls: list[tuple[str, int]] = []
    data = body(part("files", b"z" * 3000, "z.bin"), part("data", b"q" * 100, "q.bin"))
    parser = MultipartUpload(
        CT, cache, UploadLimits(max_file_size=None), lambda name, n: calls.append((name, n))
    )
    for i in range(0, len(data), 1000):
        parser.feed(data[i : i + 1000])
    parser.finish()
    assert {name for name, _ in calls} == {"z.bin"}
    assert sum(n for _, n in calls) == 3000
    assert len(calls) >= 3


def test_oversize_file_cut_off_early_and_removed(cache: FileCache) -> None:
    limits = UploadLimits(max_file_size=100 * 1024)
    data = body(part("files", b"ok", "small.txt"), part("files", b"c" * 250_000, "big.bin"))
    parser = MultipartUpload(CT, cache, limits)
    fed = 0
    with pytest.raises(UploadRejected) as info:
        for i in range(0, len(data), 8192):
            parser.feed(data[i : i + 8192])
            fed += 8192
    assert info.value.status_code == 413
    assert "100" in info.value.message or "102400" in info.value.message
    assert fed < 120 * 1024  # stopped right after the limit, not at the end of the body
    assert list(cache.root.iterdir()) == []
    with pytest.raises(UploadRejected):
        parser.feed(b"more")


def test_file_at_exactly_the_limit_is_accepted(cache: FileCache) -> None:
    data = body(part("files", b"x" * 1024, "a.bin"))
    entries = upload(cache, data, limits=UploadLimits(max_file_size=1024)).finish()
    assert entries[0].size == 1024


def test_oversize_in_other_field_is_not_stored_nor_limited(cache: FileCache) -> None:
    data = body(part("data", b"x" * 5000, "big.bin"))
    assert upload(cache, data, limits=UploadLimits(max_file_size=10)).finish() == []


def test_request_size_limit(cache: FileCache) -> None:
    data = body(part("files", b"x" * 5000, "a.bin"))
    with pytest.raises(UploadRejected) as info:
        upload(
            cache, data, chunk=512, limits=UploadLimits(max_file_size=None, max_request_bytes=2000)
        )
    assert info.value.status_code == 413
    assert list(cache.root.iterdir()) == []


def test_too_many_files(cache: FileCache) -> None:
    data = body(*[part("files", b"x", f"p{i}.txt") for i in range(1100)])
    with pytest.raises(UploadRejected) as info:
        upload(cache, data)
    assert info.value.status_code == 413
    assert "Too many files" in info.value.message
    assert list(cache.root.iterdir()) == []


def test_too_many_fields(cache: FileCache) -> None:
    data = body(*[part("f", b"x") for i in range(20)])
    with pytest.raises(UploadRejected, match="Too many fields"):
        upload(cache, data, limits=UploadLimits(max_file_size=None, max_fields=10))


def test_huge_part_header_line(cache: FileCache) -> None:
    data = body(part("files", b"x", "a.txt", extra="X-Pad: " + "h" * 300_000 + "\r\n"))
    with pytest.raises(UploadRejected) as info:
        upload(cache, data)
    assert info.value.status_code == 400
    assert list(cache.root.iterdir()) == []


def test_many_header_lines_add_up(cache: FileCache) -> None:
    pads = "".join(f"X-Pad: {'h' * 1000}\r\n" for _ in range(5))
    data = body(part("files", b"x", "a.txt", extra=pads))
    limits = UploadLimits(max_file_size=None, max_part_header_bytes=4000)
    with pytest.raises(UploadRejected, match="headers are too large"):
        upload(cache, data, limits=limits)


def test_long_filename(cache: FileCache) -> None:
    data = body(part("files", b"x", "a" * 2000 + ".txt"))
    with pytest.raises(UploadRejected, match="File name too long"):
        upload(cache, data, limits=UploadLimits(max_file_size=None, max_part_header_bytes=10_000))


@pytest.mark.parametrize(
    ("filename", "stored_name"),
    [
        ("../../../app/evil_upload.txt", "evil_upload.txt"),
        ("..", "file"),
        (".", "file"),
        ("/", "file"),
        (".env", "env"),
        ("a\x00.txt", "a.txt"),
        ("caf\u00e9.png", "caf\u00e9.png"),
    ],
)
def test_filenames_are_confined(cache: FileCache, filename: str, stored_name: str) -> None:
    (entry,) = upload(cache, body(part("files", b"x", filename))).finish()
    assert entry.path.name == stored_name
    assert entry.path.parent.parent == cache.root


def test_latin1_filename_falls_back(cache: FileCache) -> None:
    raw = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="caf\xe9.txt"'
        f"\r\n\r\nx\r\n--{BOUNDARY}--\r\n"
    ).encode("latin-1")
    (entry,) = upload(cache, raw).finish()
    assert entry.path.name == "caf\u00e9.txt"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "text/plain; boundary=x",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=" + "a" * 71,
        "multipart/form-data; boundary=bad\x01char",
        "multipart/form-data; boundary=\u732b",
        "",
    ],
)
def test_bad_content_types(cache: FileCache, content_type: str) -> None:
    with pytest.raises(UploadRejected) as info:
        MultipartUpload(content_type, cache, UploadLimits(max_file_size=None))
    assert info.value.status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        b"junk before the boundary\r\n" + body(part("files", b"x", "a.txt")),
        f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(),
        f"--{BOUNDARY}\r\nBad Header: x\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(),
    ],
)
def test_malformed_bodies(cache: FileCache, data: bytes) -> None:
    with pytest.raises(UploadRejected) as info:
        upload(cache, data)
    assert info.value.status_code == 400
    assert list(cache.root.iterdir()) == []


def test_truncated_body_is_rejected_at_finish(cache: FileCache) -> None:
    data = body(part("files", b"x" * 100, "a.txt"), part("files", b"y" * 100, "b.txt"))
    parser = upload(cache, data[: len(data) - 60])
    with pytest.raises(UploadRejected, match="ended early"):
        parser.finish()
    assert list(cache.root.iterdir()) == []


def test_epilogue_is_bounded(cache: FileCache) -> None:
    parser = upload(cache, body(part("files", b"x", "a.txt")) + b"\r\n")
    parser.feed(b"e" * 1000)
    with pytest.raises(UploadRejected, match="after the multipart body"):
        parser.feed(b"e" * 20_000)
    assert list(cache.root.iterdir()) == []


def test_abort_after_finish_removes_everything(cache: FileCache) -> None:
    parser = upload(cache, body(part("files", b"x", "a.txt"), part("files", b"y", "b.txt")))
    entries = parser.finish()
    parser.abort()
    parser.abort()
    assert list(cache.root.iterdir()) == []
    assert all(cache.lookup(e.path) is None for e in entries)
    with pytest.raises(UploadRejected):
        parser.finish()


def test_unexpected_errors_also_clean_up(cache: FileCache) -> None:
    def boom(name: str, n: int) -> None:
        raise RuntimeError("progress consumer died")

    parser = MultipartUpload(CT, cache, UploadLimits(max_file_size=None), boom)
    with pytest.raises(RuntimeError):
        parser.feed(body(part("files", b"x" * 10, "a.txt")))
    assert list(cache.root.iterdir()) == []


SPLIT_BODY = body(
    part("files", b"alpha\r\n--" + BOUNDARY.encode()[:10], "a.txt"),
    part("meta", b"field"),
    part("files", bytes(range(256)) * 4, "b.bin"),
    part("files", b"", "c.txt"),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(SPLIT_BODY)), max_size=30))
def test_any_chunking_gives_the_same_files(tmp_path: Path, cuts: list[int]) -> None:
    cache = FileCache(tmp_path / "prop")
    try:
        whole = upload(cache, SPLIT_BODY).finish()
        bounds = [0, *sorted(cuts), len(SPLIT_BODY)]
        parser = MultipartUpload(CT, cache, UploadLimits(max_file_size=None))
        for start, end in pairwise(bounds):
            parser.feed(SPLIT_BODY[start:end])
        pieces = parser.finish()
        assert [(e.orig_name, e.path.read_bytes()) for e in pieces] == [
            (e.orig_name, e.path.read_bytes()) for e in whole
        ]
    finally:
        cache.delete_cache = (0, 0)
        cache.close()


def test_a_long_field_is_cut_off_with_413(cache: FileCache) -> None:
    data = body(part("files", b"kept?", "a.txt"), part("note", b"n" * 5000))
    limits = UploadLimits(max_file_size=None, max_field_bytes=4096)
    with pytest.raises(UploadRejected, match="Form field exceeded .* 4096 bytes") as info:
        upload(cache, data, chunk=1024, limits=limits)
    assert info.value.status_code == 413
    assert list(cache.root.iterdir()) == []
    field_at_cap = body(part("note", b"n" * 4096), part("files", b"x", "b.txt"))
    (entry,) = upload(cache, field_at_cap, limits=limits).finish()
    assert entry.path.read_bytes() == b"x"


def test_field_cap_does_not_apply_to_files(cache: FileCache) -> None:
    data = body(part("files", b"f" * 10_000, "a.bin"), part("data", b"d" * 10_000, "d.bin"))
    limits = UploadLimits(max_file_size=None, max_field_bytes=100)
    (entry,) = upload(cache, data, limits=limits).finish()
    assert entry.size == 10_000


def test_file_parts_of_other_fields_count_as_files(cache: FileCache) -> None:
    data = body(*[part("other", b"x", f"p{i}.txt") for i in range(3)])
    with pytest.raises(UploadRejected, match=r"Too many files in one upload \(max 2\)"):
        upload(cache, data, limits=UploadLimits(max_file_size=None, max_files=2))


CAP = 4096


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60,
          deadline=None)
@given(
    files=st.lists(st.integers(min_value=0, max_value=3000), max_size=6),
    fields=st.lists(st.integers(min_value=0, max_value=600), max_size=4),
    max_files=st.integers(min_value=1, max_value=6),
    chunk=st.sampled_from([1, 7, 512, 1 << 16]),
)
def test_caps_property_over_means_413_and_nothing_on_disk(
    tmp_path: Path, files: list[int], fields: list[int], max_files: int, chunk: int
) -> None:
    """Any body over a cap is refused with 413 leaving no file; any body under is stored."""
    cache = FileCache(tmp_path / "caps")
    try:
        data = body(*[part("files", bytes([65 + i % 26]) * n, f"f{i}.bin")
                      for i, n in enumerate(files)],
                    *[part(f"field{i}", b"v" * n) for i, n in enumerate(fields)])
        limits = UploadLimits(max_file_size=2500, max_files=max_files,
                              max_request_bytes=CAP * 2, max_field_bytes=500)
        over = (len(data) > CAP * 2 or len(files) > max_files or any(n > 2500 for n in files)
                or any(n > 500 for n in fields))
        parser = MultipartUpload(CT, cache, limits)
        try:
            for i in range(0, len(data), chunk):
                parser.feed(data[i : i + chunk])
            entries = parser.finish()
        except UploadRejected as exc:
            assert over, exc.message
            assert exc.status_code == 413
            assert list(cache.root.iterdir()) == []
        else:
            assert not over
            assert [e.size for e in entries] == files
            assert stored(cache) == sorted(e.path for e in entries)
    finally:
        cache.delete_cache = (0, 0)
        cache.close()
