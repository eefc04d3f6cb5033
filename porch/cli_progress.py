"""What `porch call` shows on stderr while a job waits and runs: queue position, progress.

On a terminal the line is redrawn in place (a carriage return, padded over the last one); into
a pipe or a file each distinct line is written once, so a log reads as the job's story. The
result alone goes to stdout, so `porch call ... > out.json` stays clean.
"""

from __future__ import annotations

import time
from typing import Protocol, TextIO

from porch.client.status import ProgressUnit, Status, StatusUpdate

BAR_WIDTH = 24
POLL_S = 0.1  # status() reads what the client already received: polling costs no request


class WatchedJob(Protocol):
    def status(self) -> StatusUpdate: ...

    def done(self) -> bool: ...


def status_line(update: StatusUpdate) -> str | None:
    """One line for `update` (None: nothing worth showing)."""
    code = update.code
    if code is Status.IN_QUEUE and update.rank is not None:
        line = f"in queue: {update.rank + 1}"
        if update.queue_size:
            line += f" of {update.queue_size}"
        if update.eta is not None:
            line += f", about {update.eta:.0f} s"
        return line
    if code is Status.PROGRESS and update.progress_data:
        return "  ".join(_bar(unit) for unit in update.progress_data)
    if code is Status.PROCESSING:
        return "running" + (f", about {update.eta:.0f} s" if update.eta is not None else "")
    if code is Status.ITERATING:
        return "streaming"
    if code is Status.LOG and update.log is not None:
        text, level = update.log
        return f"{level}: {text}"
    return None


def _bar(unit: ProgressUnit) -> str:
    ratio = unit.progress
    count = ""
    if unit.index is not None and unit.length:
        ratio = unit.index / unit.length
        count = f" {unit.index}/{unit.length}" + (f" {unit.unit}" if unit.unit else "")
    elif unit.index is not None:
        count = f" {unit.index}" + (f" {unit.unit}" if unit.unit else "")
    label = f"{unit.desc}: " if unit.desc else ""
    if ratio is None:
        return f"{label}{count.strip()}"
    ratio = min(max(ratio, 0.0), 1.0)
    filled = round(ratio * BAR_WIDTH)
    return f"{label}[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {ratio:4.0%}{count}"


def watch(job: WatchedJob, out: TextIO, *, poll: float = POLL_S) -> None:
    """Show `job`'s status on `out` until it is done; clear a redrawn line at the end."""
    in_place = out.isatty()
    shown: str | None = None
    width = 0
    while True:
        finished = job.done()
        line = status_line(job.status())
        if line is not None and line != shown:
            shown = line
            if in_place:
                out.write("\r" + line.ljust(width))
                width = max(width, len(line))
            else:
                out.write(line + "\n")
            out.flush()
        if finished:
            break
        time.sleep(poll)
    if in_place and width:
        out.write("\r" + " " * width + "\r")
        out.flush()
