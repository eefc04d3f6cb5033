"""DeepLinkButton's links: snapshots of a page's values, kept on the server under an id.

A click on a DeepLinkButton asks the server for a link (`POST gradio_api/deep_link` with the
page's values); opening `/?deep_link=<id>` serves the config with those values in place
(`deep_link_state`: "valid", or "invalid" for an unknown id), as Gradio does.

What a snapshot may hold, so that a link shows nothing a visitor could not have made the app
show by using it:
- an input (a component some event reads): the value the page sends, as the visitor typed
  it; opening the link sets it as the initial value, and it goes through the component's
  checks like any input when an event runs;
- any other component (an output): only the value the server itself last sent to this
  session; what the page claims for it is ignored, so a link cannot fake an answer;
- never a password textbox, a State, or a value that names a file (a link carries no
  files: the session's files stay its own).

Bounds: ids are 128 random bits (unguessable); a session keeps its newest `per_session`
links, the server its newest `capacity` overall within `links_bytes`; a value larger than
`max_value_bytes` is left out, and so are values past `link_bytes` in one link; outputs are
remembered for the `sessions` most recently active sessions, within `sent_bytes` in all (the
least recently active sessions' go first). `DeepLinks` keeps all in memory (a restart ends
every link); a cluster's backend gives a store every replica shares, under the same rules and
bounds (porch/cluster/deep_link_store.py). `Backend.deep_links()` chooses.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from porch.queue.sessions import approximate_size

LINK_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def names_a_file(value: Any, depth: int = 0) -> bool:
    """Whether `value` holds a file payload anywhere (checked a few levels deep; deeper
    counts as a file, to be safe)."""
    if depth > 8:
        return True
    if isinstance(value, dict):
        meta = value.get("meta")
        if "path" in value or "url" in value or (
                isinstance(meta, dict) and meta.get("_type") == "gradio.FileData"):
            return True
        return any(names_a_file(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(names_a_file(v, depth + 1) for v in value)
    return False


class DeepLinkStore(Protocol):
    """Where links and the sessions' sent outputs live (`DeepLinks`, or a cluster's)."""

    def sent(self, session: str, outputs: Iterable[tuple[int, Any]]) -> None:
        """The server sent these output values (full, not diffs) to `session`."""
        ...

    def create(self, session: str, posted: Mapping[int, Any], *, inputs: set[int],
               linkable: set[int]) -> str:
        """A new link for `session`; returns its id."""
        ...

    def load(self, link: str) -> dict[int, Any] | None:
        """The values saved under `link`, or None for an id that names nothing."""
        ...


def new_link_id() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits


def link_size(value: Any, max_value_bytes: int) -> int | None:
    """`value`'s size as JSON if a link may carry it, else None."""
    # A cheap look first: a large output is not encoded at all (this runs per event).
    if approximate_size(value) > 4 * max_value_bytes:
        return None
    try:
        size = len(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        return None
    return size if size <= max_value_bytes and not names_a_file(value) else None


def sent_entries(outputs: Iterable[tuple[int, Any]], max_value_bytes: int
                 ) -> dict[int, tuple[Any, int] | None]:
    """Output id -> (value, its size), or None where a link cannot carry the value sent (it
    replaces an older value all the same). An update without a value says nothing."""
    kept: dict[int, tuple[Any, int] | None] = {}
    for block_id, value in outputs:
        if isinstance(value, dict) and value.get("__type__") == "update":
            if "value" not in value:
                continue
            value = value["value"]
        size = link_size(value, max_value_bytes)
        kept[block_id] = None if size is None else (value, size)
    return kept


def snapshot(sent: Mapping[int, Any], posted: Mapping[int, Any], *, inputs: set[int],
             linkable: set[int], max_value_bytes: int, link_bytes: int
             ) -> tuple[dict[int, Any], int]:
    """A link's values and their bytes: the `posted` values of `inputs`, the `sent` values of
    the other `linkable` components (the module docstring), up to `link_bytes` in all."""
    chosen = {i: v for i, v in sent.items() if i in linkable and i not in inputs}
    chosen.update({i: v for i, v in posted.items() if i in inputs and i in linkable})
    kept, total = {}, 0
    for block_id, value in chosen.items():
        size = link_size(value, max_value_bytes)
        if size is not None and total + size <= link_bytes:
            kept[block_id] = value
            total += size
    return kept, total


class LinkBounds:
    """The bounds every store of links keeps, in memory or in Redis (the module docstring
    says what each bounds)."""

    def __init__(self, *, per_session: int = 10, capacity: int = 10_000,
                 sessions: int = 10_000, max_value_bytes: int = 64_000,
                 sent_bytes: int = 64_000_000, link_bytes: int = 1_000_000,
                 links_bytes: int = 256_000_000) -> None:
        self.per_session = per_session
        self.capacity = capacity
        self.sessions = sessions
        self.max_value_bytes = max_value_bytes
        self.sent_bytes = sent_bytes
        self.link_bytes = link_bytes
        self.links_bytes = links_bytes


class DeepLinks(LinkBounds):
    """The snapshots, and the output values each session was last sent: in this process."""

    def __init__(self, **bounds: int) -> None:
        super().__init__(**bounds)
        self._lock = threading.Lock()
        # link id -> (its session, its values, their bytes as JSON)
        self._links: OrderedDict[str, tuple[str, dict[int, Any], int]] = OrderedDict()
        self._links_total = 0
        # session -> (output id -> value, bytes those values take as JSON)
        self._sent: OrderedDict[str, dict[int, tuple[Any, int]]] = OrderedDict()
        self._sent_total = 0

    def sent(self, session: str, outputs: Iterable[tuple[int, Any]]) -> None:
        """The server sent these output values (full, not diffs) to `session`."""
        kept = sent_entries(outputs, self.max_value_bytes)
        with self._lock:
            known = self._sent.pop(session, {})
            for block_id, entry in kept.items():
                old = known.pop(block_id, None)
                self._sent_total -= 0 if old is None else old[1]
                if entry is not None:  # a value a link cannot carry replaces an older one
                    known[block_id] = entry
                    self._sent_total += entry[1]
            self._sent[session] = known
            while self._sent and (len(self._sent) > self.sessions
                                  or self._sent_total > self.sent_bytes):
                _, dropped = self._sent.popitem(last=False)
                self._sent_total -= sum(size for _, size in dropped.values())

    def create(self, session: str, posted: Mapping[int, Any], *, inputs: set[int],
               linkable: set[int]) -> str:
        """A new link for `session`: `posted` values of `inputs`, the sent values of the other
        `linkable` components (see the module docstring). Returns its id."""
        with self._lock:
            sent = {i: value for i, (value, _) in self._sent.get(session, {}).items()}
        kept, total = snapshot(sent, posted, inputs=inputs, linkable=linkable,
                               max_value_bytes=self.max_value_bytes,
                               link_bytes=self.link_bytes)
        link = new_link_id()
        with self._lock:
            self._links[link] = (session, kept, total)
            self._links_total += total
            mine = [k for k, (owner, _, _) in self._links.items() if owner == session]
            for old in mine[:-self.per_session]:
                self._links_total -= self._links.pop(old)[2]
            while len(self._links) > self.capacity or self._links_total > self.links_bytes:
                self._links_total -= self._links.popitem(last=False)[1][2]
        return link

    def load(self, link: str) -> dict[int, Any] | None:
        """The values saved under `link`, or None for an id that names nothing."""
        if not LINK_ID.fullmatch(link):
            return None
        with self._lock:
            found = self._links.get(link)
        return None if found is None else dict(found[1])


def restored(components: list[dict[str, Any]], values: Mapping[int, Any]
             ) -> list[dict[str, Any]]:
    """`components` (a config's) with the snapshot's values in place (changed copies)."""
    out = []
    for component in components:
        if component.get("id") in values:
            props = {**component.get("props", {}), "value": values[component["id"]]}
            component = {**component, "props": props}
        out.append(component)
    return out


def linkable_ids(components: list[dict[str, Any]]) -> set[int]:
    """The config's components a link may carry a value for."""
    found = set()
    for component in components:
        props = component.get("props", {})
        if component.get("type") in ("state", "browserstate", "button", "timer"):
            continue
        if component.get("type") == "textbox" and props.get("type") == "password":
            continue
        if "value" in props and isinstance(component.get("id"), int):
            found.add(component["id"])
    return found
