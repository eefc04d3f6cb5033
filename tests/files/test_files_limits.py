from __future__ import annotations

import pytest

from porch.errors import ConfigError
from porch.files.limits import FileSize, parse_size


def test_multiples_are_binary() -> None:
    assert (FileSize.B, FileSize.KB) == (1, 1024)
    assert FileSize.MB == 1024 * FileSize.KB
    assert FileSize.GB == 1024 * FileSize.MB
    assert FileSize.TB == 1024 * FileSize.GB
    assert 5 * FileSize.MB == 5_242_880


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (0, 0),
        (1234, 1234),
        ("100", 100),
        ("1kb", 1024),
        ("1 KB", 1024),
        ("10kb", 10 * 1024),
        ("5mb", 5 * FileSize.MB),
        ("2.5 MB", int(2.5 * FileSize.MB)),
        ("  3 GiB ", 3 * FileSize.GB),
        ("1t", FileSize.TB),
        ("7B", 7),
        ("0.5kb", 512),
    ],
)
def test_parse_size_accepts(value: int | str | None, expected: int | None) -> None:
    assert parse_size(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "mb", "-5mb", "5 parsecs", "1e3", "1,000", "5 m b", "9" * 25, "١٠kb", -1, True, 2.5],
)
def test_parse_size_refuses_with_accepted_forms(value: object) -> None:
    with pytest.raises(ConfigError) as info:
        parse_size(value)  # type: ignore[arg-type]
    assert "Invalid size" in str(info.value)


def test_error_names_the_accepted_forms() -> None:
    with pytest.raises(ConfigError, match='"5 MB"'):
        parse_size("five megabytes")
