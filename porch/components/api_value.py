"""`Api`: the value of an API-only endpoint's parameter or return (what `porch.api` and
`Server.api` make from a function's type hints). It is never drawn; its JSON schema comes from
the annotation, and its values pass unchanged except for files, which still pass the gate:
a FileData a client sends must name a file this app issued (or a public URL), and one the
function returns is served only if the gate grants its path.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import types
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from porch import protocol
from porch.components.base import Component, Conversion
from porch.components.files import FILE_DATA_SCHEMA, entry_from_payload, file_payload

_STREAMS = {Iterator, AsyncIterator, typing.Generator, typing.AsyncGenerator,
            typing.Iterable, typing.AsyncIterable}
_PLAIN: dict[Any, dict[str, Any]] = {
    str: {"type": "string"}, int: {"type": "integer"}, float: {"type": "number"},
    bool: {"type": "boolean"}, type(None): {"type": "null"}, Any: {},
    dict: {"type": "object", "additionalProperties": {}}, list: {"type": "array", "items": {}},
    tuple: {"type": "array"}, set: {"type": "array", "uniqueItems": True},
    frozenset: {"type": "array", "uniqueItems": True},
    bytes: {"type": "string", "format": "byte"}, bytearray: {"type": "string", "format": "byte"},
}


def streamed_type(hint: Any) -> Any:
    """What a generator's annotation yields (`Iterator[str]` -> str), else the hint itself."""
    origin = typing.get_origin(hint)
    if origin is not None and any(origin is s or origin is typing.get_origin(s)
                                  for s in _STREAMS):
        args = typing.get_args(hint)
        return args[0] if args else Any
    return hint


def schema_of(hint: Any) -> dict[str, Any]:
    """The JSON schema gradio_client reads for a Python type hint ({} when it has none)."""
    if hint in _PLAIN:
        return dict(_PLAIN[hint])
    if hint is protocol.FileData or getattr(hint, "__name__", None) == "FileData":
        return dict(FILE_DATA_SCHEMA)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return {"const": args[0]} if len(args) == 1 else {"enum": list(args)}
    if origin is typing.Union or origin is types.UnionType:
        others = [a for a in args if a is not type(None)]
        if len(args) == 2 and len(others) == 1:
            return {"oneOf": [{"type": "null"}, schema_of(others[0])]}
        return {"anyOf": [schema_of(a) for a in args]}
    if origin in (list, set, frozenset):
        schema: dict[str, Any] = {"type": "array", "items": schema_of(args[0]) if args else {}}
        if origin is not list:
            schema["uniqueItems"] = True
        return schema
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": schema_of(args[0])}
        return {"type": "array", "prefixItems": [schema_of(a) for a in args],
                "minItems": len(args), "maxItems": len(args)}
    if origin is dict:
        return {"type": "object",
                "additionalProperties": schema_of(args[1]) if len(args) == 2 else {}}
    if inspect.isclass(hint) and issubclass(hint, enum.Enum):
        return {"enum": [member.value for member in hint]}
    if inspect.isclass(hint) and (dataclasses.is_dataclass(hint) or
                                  hasattr(hint, "__total__")):  # a dataclass or TypedDict
        return _record_schema(hint)
    return {}


def _record_schema(cls: type) -> dict[str, Any]:
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that names something not importable here
        return {"type": "object"}
    if dataclasses.is_dataclass(cls):
        fields = {f.name: f for f in dataclasses.fields(cls)}
        required = [name for name in hints if name in fields
                    and fields[name].default is dataclasses.MISSING
                    and fields[name].default_factory is dataclasses.MISSING]
    else:
        required = sorted(getattr(cls, "__required_keys__", ()))
    schema: dict[str, Any] = {"type": "object",
                              "properties": {name: schema_of(h) for name, h in hints.items()}}
    if required:
        schema["required"] = required
    return schema


def type_name(hint: Any) -> str:
    """How gradio_client's view_api() prints the type: `str`, `list[int]`, `int | None`."""
    if hint is Any:
        return "Any"
    if hint is type(None):
        return "None"
    if inspect.isclass(hint) and not typing.get_args(hint):
        return hint.__name__
    return str(hint).replace("typing.", "").replace("porch.protocol.", "")


def _walk(value: Any, is_file: Callable[[Any], bool], convert: Callable[[Any], Any]) -> Any:
    if is_file(value):
        return convert(value)
    if isinstance(value, dict):
        return {key: _walk(item, is_file, convert) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_walk(item, is_file, convert) for item in value]
    return value


def _is_returned_file(value: Any) -> bool:
    return isinstance(value, protocol.FileData) or protocol.is_file_data(value)


class Api(Component):
    """A parameter or return of an API-only endpoint, typed by its annotation."""

    block_type = "api"
    does_io = True  # a value may hold files: converting it may copy them

    def __init__(self, value: Any = None, _api_info: dict[str, Any] | None = None,
                 label: str = "API", *, python_type: str = "Any", render: bool = False,
                 ) -> None:
        self.schema = dict(_api_info or {})
        self.python_type = python_type
        self.example = value if value is not None else "..."
        super().__init__(value, label=label, render=render, visible=False)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        """Values as sent, with each FileData's `path` the host path of the file the gate
        found (an upload or an output of this app, or a public URL it fetched)."""
        def local(file: Any) -> dict[str, Any]:
            entry = entry_from_payload(file, conversion)
            return {**file, "path": str(entry.path), "orig_name": entry.orig_name,
                    "size": entry.size, "mime_type": entry.mime_type}

        return _walk(payload, protocol.is_file_data, local)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        """The value returned, with each FileData (a dict marked as one, or a
        `porch.FileData`) served through the gate; plain strings stay strings."""
        def served(file: Any) -> dict[str, Any]:
            data = file.to_dict() if isinstance(file, protocol.FileData) else file
            return file_payload(data, conversion)

        return _walk(value, _is_returned_file, served)

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        return self.value

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {"visible": False, "name": "api", "value": None, "label": self.label}
