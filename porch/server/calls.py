"""What a queued call carries, and the failures porch itself reports for one."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from porch.blocks.context import EventContext
from porch.blocks.events import Dependency
from porch.errors import Error

log = logging.getLogger("porch.server")


class InputError(Exception):
    """Wraps a refusal met while converting inputs: its message is safe to show."""


@dataclass(frozen=True)
class Call:
    """What a queued job runs: the event and the request that asked for it."""

    dep: Dependency
    data: Any
    session: str
    root: str
    simple: bool  # a plain-HTTP call: full values, no diffs
    context: EventContext | None = None  # the request, and what the page said of the event
    # A stream event joined by an API client, not the page: it cannot send more chunks (nor
    # can gradio_client read process_streaming), so the function runs once on this data.
    once: bool = False
    # Run again after the replica running it was lost, having streamed partial results: the
    # first new one replaces each output whole (the client's copy is the lost run's).
    resumed: bool = False


def time_limit_error(dep: Dependency) -> Error:
    return Error(f"/{dep.api_name} ran longer than its time limit of {dep.time_limit:g} s "
                 "and was stopped.", title="Time limit exceeded", duration=None)


@dataclass
class Durations:
    """Each event's mean run time so far (what queue estimates are made of)."""

    _totals: dict[int, tuple[float, int]] = field(default_factory=dict)

    def average(self, dep: Dependency) -> float | None:
        total, count = self._totals.get(dep.id, (0.0, 0))
        return total / count if count else None

    def record(self, dep: Dependency, duration: float) -> float:
        """Count one finished run of `dep`; returns its mean duration so far."""
        total, count = self._totals.get(dep.id, (0.0, 0))
        total, count = total + duration, count + 1
        self._totals[dep.id] = (total, count)
        return total / count


def failure_output(exc: BaseException, dep: Dependency, *,
                   show_error: bool) -> tuple[dict[str, Any], str]:
    """The failure output for `exc` and its toast title: an app `Error` is shown as raised;
    anything else is hidden unless `show_error`, and always logged here."""
    if isinstance(exc, Error):
        return {"error": exc.message, "duration": exc.duration, "visible": exc.visible,
                "title": exc.title}, exc.title
    if isinstance(exc, InputError):
        log.info("/%s refused its input: %s", dep.api_name, exc)
        return {"error": str(exc), "visible": True, "title": "Invalid input"}, "Invalid input"
    log.error("/%s raised", dep.api_name, exc_info=exc)
    if show_error:
        return {"error": str(exc) or type(exc).__name__, "visible": True}, "Error"
    return {"error": None}, "Error"
