"""An event function's signature: which parameters take the app's inputs, and which porch
fills in itself: a `Progress` or a `Cache` (by its default), a `Request`, a `Header`, an
`EventData` such as `SelectData`, or the signed-in user's `OAuthProfile`/`OAuthToken` (by the
parameter's annotation; see `porch.blocks.context` and `porch.blocks.oauth`).

Filled-in parameters are not API inputs: `/info` leaves them out, and each call passes them
by keyword with a fresh value, so they never shift the inputs' positions.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from porch.blocks.context import (
    EVENT_DATA_TYPES,
    EventContext,
    EventData,
    Header,
    Request,
    event_data_for,
)
from porch.blocks.oauth import OAUTH_TYPES, SIGN_IN_REQUIRED, OAuthProfile, OAuthToken
from porch.caching import Cache
from porch.errors import Error
from porch.reporting import Progress


@dataclass(frozen=True)
class Injected:
    """A parameter porch fills in: `make(context)` gives its value for one call."""

    name: str
    make: Callable[[EventContext], Any]


@dataclass(frozen=True)
class Signature:
    """The parameters the inputs bind to, in order, and the ones porch fills in."""

    inputs: list[inspect.Parameter] = field(default_factory=list)
    injected: list[Injected] = field(default_factory=list)
    # Inputs bound to parameters from this index on go by keyword: an injected parameter
    # sits before them, so positions would land on the wrong parameter.
    keyword_from: int | None = None

    @property
    def collects_event_data(self) -> bool:
        return any(getattr(item.make, "collects_event_data", False) for item in self.injected)

    def bind(self, values: list[Any], context: EventContext | None = None,
             ) -> tuple[list[Any], dict[str, Any]]:
        """(args, kwargs) for one call with the inputs' `values`."""
        context = context or EventContext()
        kwargs = {item.name: item.make(context) for item in self.injected}
        if self.keyword_from is None:
            return list(values), kwargs
        args = list(values[: self.keyword_from])
        for param, value in zip(self.inputs[self.keyword_from:], values[self.keyword_from:],
                                strict=False):
            kwargs[param.name] = value
        return args, kwargs


def _injection(param: inspect.Parameter) -> Injected | None:
    default = param.default
    if isinstance(default, Progress):
        fresh = default.fresh
        return Injected(param.name, lambda _: fresh())
    if isinstance(default, Cache):
        # The same store on every call: that is what it is for.
        return Injected(param.name, lambda _: default)
    wanted = _annotated(param.annotation)
    if wanted is Progress:
        return Injected(param.name, lambda _: Progress())
    if wanted is Request:
        return Injected(param.name, lambda context: context.request)
    if wanted is Header:
        header = param.name.replace("_", "-")
        return Injected(param.name, lambda context: _header(context, header))
    if wanted is not None and issubclass(wanted, EventData):
        return Injected(param.name, _EventDataMaker(wanted))
    if wanted is OAuthProfile or wanted is OAuthToken:
        return Injected(param.name, _SignedIn(wanted, _allows_none(param.annotation)))
    return None


class _SignedIn:
    """The signed-in user's profile or token; None, or Gradio's error when the parameter
    does not allow None, for a signed-out call."""

    def __init__(self, wanted: type, optional: bool) -> None:
        self.wanted = wanted
        self.optional = optional

    def __call__(self, context: EventContext) -> OAuthProfile | OAuthToken | None:
        value = context.oauth_profile if self.wanted is OAuthProfile else context.oauth_token
        if value is None and not self.optional:
            raise Error(SIGN_IN_REQUIRED)
        return value


def _allows_none(annotation: Any) -> bool:
    """Whether an annotation admits None: `X | None`, `Optional[X]`, or such a string."""
    if isinstance(annotation, str):
        text = annotation.replace(" ", "")
        return text.startswith("Optional[") or "|None" in text or text.startswith("None|")
    return type(None) in typing.get_args(annotation)


def oauth_token_kind(signature: Signature) -> str | None:
    """What `/info` says of an endpoint's `OAuthToken` parameter, as Gradio does:
    "required", "optional", or None when the function takes none."""
    for item in signature.injected:
        if isinstance(item.make, _SignedIn) and item.make.wanted is OAuthToken:
            return "optional" if item.make.optional else "required"
    return None


class _EventDataMaker:
    collects_event_data = True  # the config tells the page to send the event's payload

    def __init__(self, wanted: type[EventData]) -> None:
        self.wanted = wanted

    def __call__(self, context: EventContext) -> EventData:
        return event_data_for(self.wanted, context)


_BY_NAME: dict[str, type] = {"Progress": Progress, "Request": Request, "Header": Header,
                             **EVENT_DATA_TYPES, **OAUTH_TYPES}


def _header(context: EventContext, name: str) -> Header | None:
    value = context.request.headers.get(name)
    return None if value is None else Header(value)


def _annotated(annotation: Any) -> type | None:
    """The class porch fills in that an annotation names, also through `X | None` and
    string annotations (`from __future__ import annotations`): `"gr.Request"`."""
    if isinstance(annotation, str):
        text = annotation.strip("'\" ").removeprefix("Optional[").removesuffix("]")
        for part in text.split("|"):
            found = _BY_NAME.get(part.strip("'\" ").rsplit(".", 1)[-1])
            if found is not None:
                return found
        return None
    if isinstance(annotation, type):
        return annotation if issubclass(
            annotation, (Progress, Request, EventData, Header, OAuthProfile, OAuthToken)) \
            else None
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _annotated(arg)
            if found is not None:
                return found
    return None


def signature_of(fn: Callable[..., Any] | None) -> Signature:
    """Read `fn`'s parameters (an empty Signature when it has none readable)."""
    if fn is None:
        return Signature()
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return Signature()
    inputs: list[inspect.Parameter] = []
    injected: list[Injected] = []
    keyword_from: int | None = None
    for param in params:
        found = _injection(param)
        if found is not None:
            injected.append(found)
            if keyword_from is None:
                keyword_from = len(inputs)
        elif param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            if keyword_from is not None and param.kind is param.POSITIONAL_ONLY:
                keyword_from = None  # cannot be named: keep positions (rare; best effort)
            inputs.append(param)
    if keyword_from is not None and keyword_from >= len(inputs):
        keyword_from = None
    return Signature(inputs, injected, keyword_from)
