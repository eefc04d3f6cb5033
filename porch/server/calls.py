"""What a queued call carries, and the failures porch itself reports for one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from porch.blocks.context import EventContext
from porch.blocks.events import Dependency
from porch.errors import Error


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


def time_limit_error(dep: Dependency) -> Error:
    return Error(f"/{dep.api_name} ran longer than its time limit of {dep.time_limit:g} s "
                 "and was stopped.", title="Time limit exceeded", duration=None)
