"""Wire shapes shared by the server, the client and (by hand) the frontend.

The protocol is Gradio 6's `sse_v3` as `gradio_client` 2.7.2 speaks it; `../shared/PROTOCOL.md`
is the measured spec. This module is stdlib only: names, message builders and the diff format.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, field
from typing import Any

API_PREFIX = "/gradio_api"
# gradio_client gates features on this: it must parse (PEP 440) and be > 4.29.0.
GRADIO_VERSION = "6.31.0"
PROTOCOL = "sse_v3"
FILE_DATA_TYPE = "gradio.FileData"

# A route handler needs these as plain strings; the frontend repeats them by hand.
MSG_ESTIMATION = "estimation"
MSG_STARTS = "process_starts"
MSG_PROGRESS = "progress"
MSG_LOG = "log"
MSG_GENERATING = "process_generating"
MSG_COMPLETED = "process_completed"
MSG_HEARTBEAT = "heartbeat"
MSG_CLOSE = "close_stream"
MSG_UNEXPECTED = "unexpected_error"

# Only these keys may appear in a failure output: gradio_client builds AppError(**output).
ERROR_OUTPUT_KEYS = ("error", "duration", "visible", "title", "print_exception")
HIDDEN_ERROR_TEXT = (
    "The upstream app raised an exception but has not enabled verbose error reporting. "
    "To enable, set show_error=True in launch()."
)


# One encoder for every message: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                            default=str)


def dumps(obj: Any) -> str:
    """Compact one-line JSON, as the queue stream requires."""
    return _ENCODER.encode(obj)


def sse_data(obj: Any) -> bytes:
    """One `data:` frame of the queue stream (`queue/data`)."""
    return b"data: " + dumps(obj).encode() + b"\n\n"


def sse_event(event: str, obj: Any) -> bytes:
    """One named frame of the plain-HTTP stream (`call/{name}/{event_id}`), json.dumps spacing."""
    return f"event: {event}\ndata: {json.dumps(obj, default=str)}\n\n".encode()


def is_file_data(value: Any) -> bool:
    """A dict the client marked as a file (the marker every traversal uses)."""
    if not isinstance(value, dict):
        return False
    meta = value.get("meta")
    return isinstance(meta, dict) and meta.get("_type") == FILE_DATA_TYPE


def file_data(
    path: str,
    url: str | None,
    *,
    orig_name: str | None = None,
    size: int | None = None,
    mime_type: str | None = None,
) -> dict[str, Any]:
    """The FileData dict of an output file."""
    return {
        "path": path,
        "url": url,
        "size": size,
        "orig_name": orig_name,
        "mime_type": mime_type,
        "is_stream": False,
        "meta": {"_type": FILE_DATA_TYPE},
    }


@dataclass
class FileData:
    """A file as the wire describes it (Gradio's `gr.FileData`): `path` is a cache reference
    or a URL, never a host path a client may choose; `to_dict()` is the JSON shape."""

    path: str
    url: str | None = None
    size: int | None = None
    orig_name: str | None = None
    mime_type: str | None = None
    is_stream: bool = False
    meta: dict[str, Any] = field(default_factory=lambda: {"_type": FILE_DATA_TYPE})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileData:
        known = {k: data[k] for k in ("path", "url", "size", "orig_name", "mime_type",
                                      "is_stream", "meta") if k in data}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---- messages -------------------------------------------------------------------------------


def estimation(event_id: str, rank: int, queue_size: int, rank_eta: float | None) -> dict[str, Any]:
    return {
        "msg": MSG_ESTIMATION,
        "event_id": event_id,
        "rank": rank,
        "queue_size": queue_size,
        "rank_eta": rank_eta,
    }


def process_starts(event_id: str, eta: float | None) -> dict[str, Any]:
    return {"msg": MSG_STARTS, "event_id": event_id, "eta": eta}


def log_message(
    event_id: str, text: str, level: str, duration: float | None, visible: bool, title: str
) -> dict[str, Any]:
    return {
        "msg": MSG_LOG,
        "event_id": event_id,
        "log": text,
        "level": level,
        "duration": duration,
        "visible": visible,
        "title": title,
    }


def success_output(
    data: list[Any], *, generating: bool, duration: float, average: float | None,
    render_config: dict[str, Any] | None = None, used_cache: str | None = None,
) -> dict[str, Any]:
    return {
        "data": data,
        "is_generating": generating,
        "duration": duration,
        "average_duration": average,
        "render_config": render_config,
        "changed_state_ids": [],
        "used_cache": used_cache,  # "full" | "partial" | None: a cache answered (caching.md)
    }


def generating(event_id: str, output: dict[str, Any],
               time_limit: float | None = None) -> dict[str, Any]:
    return {
        "msg": MSG_GENERATING,
        "event_id": event_id,
        "output": output,
        "success": True,
        "time_limit": time_limit,
    }


def progress(event_id: str, data: list[dict[str, Any]]) -> dict[str, Any]:
    """`data` items: {"index", "length", "unit", "progress", "desc"} (PROTOCOL.md §3.3)."""
    return {"msg": MSG_PROGRESS, "event_id": event_id, "progress_data": data}


def completed(
    event_id: str, output: dict[str, Any], *, success: bool, title: str | None = None,
    duration: float | None = None, average: float | None = None,
    used_cache: str | None = None,
) -> dict[str, Any]:
    return {
        "msg": MSG_COMPLETED,
        "event_id": event_id,
        "output": output,
        "success": success,
        "title": title,
        "used_cache": used_cache,
        "cache_duration": duration,
        "avg_time": average,
    }


CLOSE_STREAM: dict[str, Any] = {"msg": MSG_CLOSE, "event_id": None}
HEARTBEAT: dict[str, Any] = {"msg": MSG_HEARTBEAT, "event_id": None}


# ---- generator diffs (§3.5) -----------------------------------------------------------------

Edit = list[Any]  # [action, path, value]


def diff(old: Any, new: Any) -> list[Edit]:
    """Edit operations that turn `old` into `new` (empty when equal)."""
    edits: list[Edit] = []
    _diff_into(old, new, [], edits)
    return edits


def _diff_into(old: Any, new: Any, path: list[Any], edits: list[Edit]) -> None:
    if old == new and type(old) is type(new):
        return
    if isinstance(old, str) and isinstance(new, str) and new.startswith(old):
        edits.append(["append", path, new[len(old) :]])
    elif isinstance(old, list) and isinstance(new, list):
        common = min(len(old), len(new))
        for i in range(common):
            _diff_into(old[i], new[i], [*path, i], edits)
        for i in range(common, len(new)):
            edits.append(["add", [*path, i], new[i]])
        # Deleting from the end keeps the earlier indexes valid while edits apply in order.
        for i in range(len(old) - 1, common - 1, -1):
            edits.append(["delete", [*path, i], None])
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            if key in new:
                _diff_into(old[key], new[key], [*path, key], edits)
        for key in new:
            if key not in old:
                edits.append(["add", [*path, key], new[key]])
        for key in old:
            if key not in new:
                edits.append(["delete", [*path, key], None])
    else:
        edits.append(["replace", path, new])


def apply_diff(value: Any, edits: list[Edit]) -> Any:
    """Apply edit operations to a deep copy of `value`."""
    result = copy.deepcopy(value)
    for action, path, new in edits:
        if not path:
            if action == "append":
                result = result + new
            elif action == "delete":
                result = None
            else:
                result = new
            continue
        parent = result
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        if action == "replace":
            parent[last] = new
        elif action == "append":
            parent[last] = parent[last] + new
        elif action == "add":
            if isinstance(parent, list):
                parent.insert(last, new)
            else:
                parent[last] = new
        elif action == "delete":
            del parent[last]
        else:
            raise ValueError(f"unknown diff action {action!r}")
    return result
