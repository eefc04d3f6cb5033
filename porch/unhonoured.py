"""Gradio keywords porch accepts but cannot honour yet: warned about once, never ignored silently.

The promise is that a Gradio app runs with only its import changed, so every component,
layout, event listener and `launch()` accepts Gradio 6.31's keyword arguments. Where porch
does not act on one yet, passing it (with a value other than Gradio's default) warns once per
owner and keyword, so the author knows what their app will not do here.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping
from typing import Any


class UnhonouredOptionWarning(UserWarning):
    """A keyword Gradio understands was given, and porch does not act on it yet."""


_warned: set[tuple[str, str]] = set()
_lock = threading.Lock()


def warn_unhonoured(owner: str, keyword: str, *, stacklevel: int = 3) -> None:
    """Warn, once per (owner, keyword) in this process, that `owner` ignores `keyword`."""
    with _lock:
        if (owner, keyword) in _warned:
            return
        _warned.add((owner, keyword))
    warnings.warn(
        f"{owner}: `{keyword}=` is accepted for Gradio compatibility but porch does not "
        "act on it yet.",
        UnhonouredOptionWarning,
        stacklevel=stacklevel,
    )


def unhonoured(owner: str, given: Mapping[str, Any], defaults: Mapping[str, Any]) -> None:
    """Warn for each keyword in `defaults` whose given value differs from its default.

    `given` is usually `locals()` of the constructor; `defaults` names the keywords porch
    accepts but does not act on, with Gradio's default for each.
    """
    for keyword, default in defaults.items():
        value = given.get(keyword, default)
        if value is default:
            continue
        try:
            same = bool(value == default)
        except Exception:  # an array or other value without a plain truth: treat as given
            same = False
        if not same:
            warn_unhonoured(owner, keyword, stacklevel=4)


def reset_for_tests() -> None:
    """Forget which warnings were given (tests check the once-only rule from a clean slate)."""
    with _lock:
        _warned.clear()
