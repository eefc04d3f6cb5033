"""What an event function can ask about the call that runs it, by annotating a parameter:

    def greet(name: str, request: porch.Request) -> str: ...
    def picked(evt: porch.SelectData) -> str: ...

Such parameters are not API inputs (see `porch.blocks.signature`, which finds them). The
server describes each call in an `EventContext`; `event_data_for` builds the argument.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from porch.blocks.oauth import OAuthProfile, OAuthToken
from porch.components.base import Block
from porch.errors import InvalidRequest
from porch.protocol import FileData


class Headers(Mapping[str, str]):
    """Read-only request headers; names are case-insensitive, as in HTTP."""

    def __init__(self, pairs: Any = ()) -> None:
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        self._pairs: list[tuple[str, str]] = [(str(k).lower(), str(v)) for k, v in items]

    def __getitem__(self, name: str) -> str:
        wanted = name.lower()
        for key, value in self._pairs:
            if key == wanted:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(key for key, _ in self._pairs))

    def __len__(self) -> int:
        return len(dict.fromkeys(key for key, _ in self._pairs))

    def getlist(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self._pairs if key == wanted]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


class QueryParams(Mapping[str, str]):
    """Read-only query parameters (the last value wins; `getlist` gives them all)."""

    def __init__(self, pairs: Any = ()) -> None:
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        self._pairs: list[tuple[str, str]] = [(str(k), str(v)) for k, v in items]

    def __getitem__(self, name: str) -> str:
        for key, value in reversed(self._pairs):
            if key == name:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(key for key, _ in self._pairs))

    def __len__(self) -> int:
        return len(dict.fromkeys(key for key, _ in self._pairs))

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self._pairs if key == name]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


class Address(NamedTuple):
    host: str | None
    port: int | None


class Request:
    """The HTTP request that started an event, for functions that ask for it:
    `def fn(text, request: porch.Request)`.

    `headers`, `cookies`, `query_params` (for events from the page: the page's own query
    string), `client.host`, `url`, `session_hash` and `username` (None without auth) are
    copies taken when the event was queued. `request` is the server's raw request object
    (Starlette's), for anything else; its body has already been read.

    porch's own: `event_id`, the event's id, the same on every attempt (an idempotency key
    for side effects), and `attempt`, 1 unless a cluster replica running the event was lost
    and another runs it again (docs/cluster.md).
    """

    # Context, not input: left out of `gr.cache` keys (porch.caching.content).
    __porch_cache_key__ = None

    def __init__(
        self,
        *,
        headers: Any = (),
        query_params: Any = (),
        cookies: Mapping[str, str] | None = None,
        client: tuple[str | None, int | None] = (None, None),
        url: str = "",
        session_hash: str | None = None,
        username: str | None = None,
        request: Any = None,
    ) -> None:
        self.headers = Headers(headers)
        self.query_params = QueryParams(query_params)
        self.cookies = dict(cookies or {})
        self.client = Address(*client)
        self.url = url
        self.session_hash = session_hash
        self.username = username
        self.request = request
        self.event_id: str | None = None
        self.attempt = 1

    def __repr__(self) -> str:
        return f"<Request {self.url or '(no url)'} session={self.session_hash}>"

    def _detached(self) -> Request:
        """This request as it travels to an engine's worker (porch.engines): the copies,
        without the server's raw request object."""
        twin = copy.copy(self)
        twin.request = None
        return twin


class Header(str):
    """A request header, as a function parameter's type (Gradio's `gr.Header`):
    `def fn(prompt, x_api_token: gr.Header)` gets the `x-api-token` header of the request
    that ran the event (underscores in the name stand for hyphens), or None without one."""


class EventData:
    """What the page said about the event that ran the function (`evt: porch.EventData`).

    `target` is the block that fired it (None when a client called the API directly);
    `_data` is the event's payload as the page sent it (a dict, or None).
    """

    def __init__(self, target: Block | None, data: Any) -> None:
        self.target = target
        self._data = data

    def _detached(self) -> EventData:
        """As it travels to an engine's worker: the payload, without the app's block."""
        twin = copy.copy(self)
        twin.target = None
        return twin

    def _get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default) if isinstance(self._data, dict) else default

    def __porch_cache_key__(self) -> Any:
        """What `gr.cache` keys on: the event's payload (its target is the same block)."""
        return self._data

    def __repr__(self) -> str:
        return f"<{type(self).__name__} target={self.target!r} data={self._data!r}>"


class SelectData(EventData):
    """A `select` event: which item (`index`, `value`) was chosen, or un-chosen
    (`selected` False). Tables also give `row_value` and `col_value`."""

    def __init__(self, target: Block | None, data: Any) -> None:
        super().__init__(target, data)
        index = self._get("index")
        self.index: int | tuple[int, ...] | None = (
            tuple(index) if isinstance(index, list) else index)
        self.value: Any = self._get("value")
        self.row_value: Any = self._get("row_value")
        self.col_value: Any = self._get("col_value")
        self.selected: bool = bool(self._get("selected", True))


class LikeData(EventData):
    """A `like` event on a chat message: its `index` and `value`, and `liked` (True, False,
    or a string for custom feedback)."""

    def __init__(self, target: Block | None, data: Any) -> None:
        super().__init__(target, data)
        index = self._get("index")
        self.index: int | tuple[int, ...] | None = (
            tuple(index) if isinstance(index, list) else index)
        self.value: Any = self._get("value")
        self.liked: bool | str | None = self._get("liked", True)


class KeyUpData(EventData):
    """A `key_up` event: the `key` pressed and the field's `input_value`."""

    def __init__(self, target: Block | None, data: Any) -> None:
        super().__init__(target, data)
        self.key: str | None = self._get("key")
        self.input_value: Any = self._get("input_value")


class RetryData(EventData):
    """A chat `retry`: the message's `index` and `value`."""

    def __init__(self, target: Block | None, data: Any) -> None:
        super().__init__(target, data)
        self.index: Any = self._get("index")
        self.value: Any = self._get("value")


class UndoData(RetryData):
    """A chat `undo`: the message's `index` and `value`."""


class EditData(RetryData):
    """A chat `edit`: the message's `index`, new `value` and `previous_value`."""

    def __init__(self, target: Block | None, data: Any) -> None:
        super().__init__(target, data)
        self.previous_value: Any = self._get("previous_value")


class CopyData(EventData):
    """A `copy` event: the `value` copied."""

    def __init__(self, target: Block | None, data: Any) -> None:
        super().__init__(target, data)
        self.value: Any = self._get("value")


class DeletedFileData(EventData):
    """A `delete` event of a file component: the `file` (a FileData) the visitor removed."""

    def __init__(self, target: Block | None, data: Any) -> None:
        super().__init__(target, data)
        file = self._get("file")
        self.file: FileData | None = FileData.from_dict(file) if isinstance(file, dict) \
            and isinstance(file.get("path"), str) else None


class DownloadData(DeletedFileData):
    """A `download` event of a file component: the `file` (a FileData) downloaded."""


@dataclass
class EventContext:
    """What the server knows about the call it is serving: the HTTP request, and what the
    page sent about the event (`event_data`, and the block that fired it), and who is signed
    in with OpenID Connect (`oauth_profile`, `oauth_token`; None when nobody is)."""

    request: Request = field(default_factory=Request)
    event_data: Any = None
    target: Block | None = None
    oauth_profile: OAuthProfile | None = None
    oauth_token: OAuthToken | None = None


EVENT_DATA_TYPES: dict[str, type[EventData]] = {
    cls.__name__: cls
    for cls in (EventData, SelectData, LikeData, KeyUpData, RetryData, UndoData, EditData,
                CopyData, DeletedFileData, DownloadData)
}


def event_data_for(wanted: type[EventData], context: EventContext) -> EventData:
    """The `wanted` EventData of this call; a page's `event_data` must be an object."""
    data = context.event_data
    if data is not None and not isinstance(data, dict):
        raise InvalidRequest("'event_data' must be an object or null.", 422)
    return wanted(context.target, data)


