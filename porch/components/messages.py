"""Chat messages: Gradio 6's wire shape, and the forms an app's functions use.

On the wire a message is `{"role", "content": [parts], "metadata", "options"}`, where a part
is `{"type": "text", "text"}` or `{"type": "file", "file": FileData, "alt_text"}`. Functions
see the familiar messages form, `{"role": ..., "content": str | file dict}`, one message per
part (or Gradio's old pairs). Every file in a message passes the one gate: inputs must name
files this app issued, returned paths are adopted like any other output.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, TypedDict

from porch import protocol
from porch.components.base import Component, Conversion
from porch.components.files import FILE_DATA_SCHEMA, entry_from_payload, file_payload
from porch.errors import InvalidRequest

ROLES = ("user", "assistant", "system")

# Keywords of Gradio's Chatbot and MultimodalTextbox porch does not act on yet (with Gradio's
# defaults; older spellings too): each warns once when given another value.
class MessageDict(TypedDict, total=False):
    """One chat message as a dict (Gradio's `gr.MessageDict`): what a Chatbot with
    `type="messages"` takes and gives."""

    role: str  # "user", "assistant" or "system"
    content: Any  # text, a file, a component, or a list of those
    metadata: dict[str, Any]
    options: list[dict[str, Any]]


_PART_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "object", "properties": {"type": {"const": "text"}, "text": {"type": "string"}},
         "required": ["type", "text"]},
        {"type": "object", "properties": {"type": {"const": "file"}, "file": FILE_DATA_SCHEMA,
                                          "alt_text": {"type": ["string", "null"]}},
         "required": ["type", "file"]},
    ]
}
MESSAGES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "role": {"enum": list(ROLES)},
            "content": {"type": "array", "items": _PART_SCHEMA},
            "metadata": {"anyOf": [{"type": "object"}, {"type": "null"}], "default": None},
            "options": {"anyOf": [{"type": "array"}, {"type": "null"}], "default": None},
        },
        "required": ["role", "content"],
    },
}


@dataclass
class ChatMessage:
    """One chat message, as an alternative to a `{"role", "content"}` dict."""

    content: Any
    role: str = "assistant"
    metadata: dict[str, Any] = field(default_factory=dict)
    options: list[dict[str, Any]] = field(default_factory=list)


def _file_part(value: Any, conversion: Conversion, alt_text: Any = None) -> dict[str, Any]:
    return {"type": "file", "file": file_payload(value, conversion),
            "alt_text": None if alt_text is None else str(alt_text)}


def _parts(content: Any, conversion: Conversion) -> list[dict[str, Any]]:
    """The wire parts of one message's content, whatever form the app wrote it in."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, Component):
        payload = content.postprocess(content.value, conversion)
        if protocol.is_file_data(payload):
            return [{"type": "file", "file": payload, "alt_text": None}]
        return [{"type": "text", "text": "" if payload is None else str(payload)}]
    if isinstance(content, os.PathLike):
        return [_file_part(content, conversion)]
    if isinstance(content, dict):
        kind = content.get("type")
        if kind == "text":
            return [{"type": "text", "text": str(content.get("text") or "")}]
        if kind == "file" and isinstance(content.get("file"), dict):
            return [_file_part(content["file"], conversion, content.get("alt_text"))]
        if "path" in content or "url" in content:
            path = content.get("path") or content.get("url")
            return [_file_part(path, conversion, content.get("alt_text"))]
        raise ValueError(f"A chat message's content cannot be the dict {content!r}.")
    if isinstance(content, tuple):
        # Gradio's file message: (path,) or (path, alt_text).
        if not content or not isinstance(content[0], (str, os.PathLike)):
            raise ValueError("A file message is a tuple (path,) or (path, alt_text).")
        return [_file_part(content[0], conversion, content[1] if len(content) > 1 else None)]
    if isinstance(content, list):
        return [part for item in content for part in _parts(item, conversion)]
    return [{"type": "text", "text": str(content)}]


def _message(message: Any, conversion: Conversion) -> dict[str, Any]:
    if isinstance(message, ChatMessage):
        message = {"role": message.role, "content": message.content,
                   "metadata": message.metadata or None, "options": message.options or None}
    if not isinstance(message, dict) or "role" not in message:
        raise ValueError(
            "Chat messages must be dicts like {'role': 'user', 'content': 'Hi'} (or "
            f"ChatMessage objects), got {message!r}."
        )
    role = str(message["role"])
    if role not in ROLES:
        raise ValueError(f"A chat message's role must be one of {', '.join(ROLES)}, not {role!r}.")
    metadata = message.get("metadata")
    options = message.get("options")
    return {
        "role": role,
        "metadata": dict(metadata) if isinstance(metadata, dict) and metadata else None,
        "content": _parts(message.get("content"), conversion),
        "options": list(options) if isinstance(options, (list, tuple)) and options else None,
    }


def _is_pair(item: Any) -> bool:
    return isinstance(item, (list, tuple)) and len(item) == 2 and not any(
        isinstance(x, dict) and "role" in x for x in item)


def messages_payload(value: Any, conversion: Conversion) -> list[dict[str, Any]]:
    """A chat history (messages, ChatMessages or [user, bot] pairs) -> wire messages."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"A Chatbot's value must be a list of messages, got {type(value)}.")
    out: list[dict[str, Any]] = []
    for item in value:
        if _is_pair(item):
            for role, content in zip(("user", "assistant"), item, strict=True):
                if content is not None:
                    out.append(_message({"role": role, "content": content}, conversion))
        else:
            out.append(_message(item, conversion))
    return out


# ---- messages: wire -> function form ------------------------------------------------------
def _bad(detail: str) -> InvalidRequest:
    return InvalidRequest(f"Invalid chat history: {detail}", 422)


def _file_content(data: Any, alt_text: Any, conversion: Conversion) -> dict[str, Any]:
    entry = entry_from_payload(data, conversion)
    return {"path": str(entry.path), "mime_type": entry.mime_type, "orig_name": entry.orig_name,
            "alt_text": alt_text if isinstance(alt_text, str) else None}


def _contents(content: Any, conversion: Conversion) -> list[Any]:
    if isinstance(content, str):
        return [content]
    if protocol.is_file_data(content):
        return [_file_content(content, None, conversion)]
    if not isinstance(content, list):
        raise _bad("a message's content must be a list of parts.")
    out: list[Any] = []
    for part in content:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, dict) and part.get("type") == "text":
            out.append(str(part.get("text") or ""))
        elif isinstance(part, dict) and part.get("type") == "file":
            out.append(_file_content(part.get("file"), part.get("alt_text"), conversion))
        else:
            raise _bad("each part must be {'type': 'text', ...} or {'type': 'file', ...}.")
    return out


def messages_value(payload: Any, conversion: Conversion) -> list[dict[str, Any]]:
    """Wire messages -> `[{"role", "content"}]`, one message per part, files gated."""
    if payload is None:
        return []
    if not isinstance(payload, list):
        raise _bad("expected a list of messages.")
    history: list[dict[str, Any]] = []
    for item in payload:
        if not isinstance(item, dict) or item.get("role") not in ROLES:
            raise _bad(f"each message needs a role ({', '.join(ROLES)}).")
        extra = {key: item[key] for key in ("metadata", "options") if item.get(key)}
        for content in _contents(item.get("content"), conversion):
            history.append({"role": item["role"], "content": content, **extra})
    return history


def as_pairs(history: list[dict[str, Any]]) -> list[list[Any]]:
    """Messages -> Gradio's old [user, bot] pairs (for `type="tuples"`)."""
    pairs: list[list[Any]] = []
    for message in history:
        content = message["content"]
        if isinstance(content, dict):
            content = (content["path"],)
        if message["role"] == "user" or not pairs or pairs[-1][1] is not None:
            pairs.append([content, None] if message["role"] == "user" else [None, content])
        else:
            pairs[-1][1] = content
    return pairs

