"""Byte sizes as users write them: ``5 * FileSize.MB``, ``"5mb"``, ``"2.5 MB"`` or plain ints.

Multiples are binary, as in Gradio: ``"1kb" == 1024``.
"""

from __future__ import annotations

import re

from porch.errors import ConfigError

__all__ = ["FileSize", "parse_size"]


class FileSize:
    """Byte multiples, so that ``max_file_size=5 * FileSize.MB`` reads as it means."""

    B = 1
    KB = 1024
    MB = 1024**2
    GB = 1024**3
    TB = 1024**4


_UNITS = {
    "": FileSize.B,
    "b": FileSize.B,
    "k": FileSize.KB,
    "kb": FileSize.KB,
    "kib": FileSize.KB,
    "m": FileSize.MB,
    "mb": FileSize.MB,
    "mib": FileSize.MB,
    "g": FileSize.GB,
    "gb": FileSize.GB,
    "gib": FileSize.GB,
    "t": FileSize.TB,
    "tb": FileSize.TB,
    "tib": FileSize.TB,
}
# A bounded number of digits keeps Decimal from chewing on a megabyte of "9"s from a config file.
_SIZE = re.compile(r"\s*(\d{1,20}(?:\.\d{1,20})?)\s*([a-z]*)\s*", re.ASCII | re.IGNORECASE)
_FORMS = 'an int number of bytes, or a string such as "100", "10kb", "5 MB", "2.5gb"'


def parse_size(value: int | str | None) -> int | None:
    """Return ``value`` in bytes, or None for "no limit"; raise ConfigError on anything else."""
    if value is None:
        return None
    # bool is an int subclass; max_file_size=True is a mistake, not one byte.
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ConfigError(f"Invalid size {value!r}: expected {_FORMS}.")
    if isinstance(value, int):
        if value < 0:
            raise ConfigError(f"Invalid size {value!r}: a size cannot be negative.")
        return value
    match = _SIZE.fullmatch(value)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ConfigError(f"Invalid size {value!r}: expected {_FORMS}.")
    from decimal import Decimal  # on use: `import porch` stays light

    return int(Decimal(match.group(1)) * _UNITS[unit])
