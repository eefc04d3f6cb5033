"""What a job reports while it runs: a `Status` code and the details that came with it.

The member names and values are gradio_client's, so scripts that compare
`job.status().code` against them work unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from porch import protocol


class Status(Enum):
    """Where a job is in its life, from submission to its end."""

    STARTING = "STARTING"
    JOINING_QUEUE = "JOINING_QUEUE"
    QUEUE_FULL = "QUEUE_FULL"
    IN_QUEUE = "IN_QUEUE"
    SENDING_DATA = "SENDING_DATA"
    PROCESSING = "PROCESSING"
    ITERATING = "ITERATING"
    PROGRESS = "PROGRESS"
    FINISHED = "FINISHED"
    CANCELLED = "CANCELLED"
    LOG = "LOG"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return _ORDER.index(self) < _ORDER.index(other)


# The order a job normally goes through; LOG can come at any point, so it sorts with PROGRESS.
_ORDER = [
    Status.STARTING, Status.JOINING_QUEUE, Status.QUEUE_FULL, Status.IN_QUEUE,
    Status.SENDING_DATA, Status.PROCESSING, Status.PROGRESS, Status.LOG, Status.ITERATING,
    Status.FINISHED, Status.CANCELLED,
]

# Queue-stream messages and the status each one puts a job in.
MESSAGE_STATUS = {
    protocol.MSG_ESTIMATION: Status.IN_QUEUE,
    protocol.MSG_STARTS: Status.PROCESSING,
    protocol.MSG_PROGRESS: Status.PROGRESS,
    protocol.MSG_LOG: Status.LOG,
    protocol.MSG_GENERATING: Status.ITERATING,
    "process_streaming": Status.ITERATING,
    protocol.MSG_COMPLETED: Status.FINISHED,
}


@dataclass(frozen=True)
class ProgressUnit:
    """One bar of a `gr.Progress` report: `index` of `length` `unit`s, or a `progress` ratio."""

    index: int | None
    length: int | None
    unit: str | None
    progress: float | None
    desc: str | None

    @classmethod
    def from_message(cls, data: list[dict[str, Any]]) -> list[ProgressUnit]:
        return [
            cls(index=d.get("index"), length=d.get("length"), unit=d.get("unit"),
                progress=d.get("progress"), desc=d.get("desc"))
            for d in data if isinstance(d, dict)
        ]


@dataclass(frozen=True)
class StatusUpdate:
    """A job's latest status. `rank` is 0 for the next job to run; `eta` is in seconds;
    `log` is `(text, level)` for a LOG status."""

    code: Status
    rank: int | None = None
    queue_size: int | None = None
    eta: float | None = None
    success: bool | None = None
    time: datetime | None = field(default_factory=datetime.now)
    progress_data: list[ProgressUnit] | None = None
    log: tuple[str, str] | None = None
    type: Literal["status", "output"] = "status"

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> StatusUpdate | None:
        """The status a queue-stream message reports, or None for messages that report none."""
        code = MESSAGE_STATUS.get(message.get("msg", ""))
        if code is None:
            return None
        log = None
        if code is Status.LOG and message.get("log") is not None:
            log = (str(message["log"]), str(message.get("level") or "info"))
        progress = message.get("progress_data")
        eta = message.get("rank_eta")
        if eta is None and code is Status.PROCESSING:
            eta = message.get("eta")
        return cls(
            code=code,
            rank=message.get("rank"),
            queue_size=message.get("queue_size"),
            eta=eta,
            success=message.get("success"),
            progress_data=ProgressUnit.from_message(progress)
            if isinstance(progress, list) else None,
            log=log,
        )
