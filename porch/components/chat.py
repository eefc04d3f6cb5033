"""Chat components: Chatbot and MultimodalTextbox.

On the wire a Chatbot holds Gradio 6's message shape: a list of
`{"role", "content": [parts], "metadata", "options"}` where a part is
`{"type": "text", "text"}` or `{"type": "file", "file": FileData, "alt_text"}`. The app's
functions see the familiar messages form, `{"role": ..., "content": str | file dict}`, one
message per part. Every file in a message passes the one gate: inputs must name files this
app issued, returned paths are adopted like any other output.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from porch import protocol
from porch.components.base import Block, BoundListener, Component, Conversion, EventListener
from porch.components.files import (
    FILE_DATA_SCHEMA,
    entry_from_payload,
    file_payload,
    is_url,
)
from porch.errors import ConfigError, InvalidRequest

ROLES = ("user", "assistant", "system")

# Keywords of Gradio's Chatbot and MultimodalTextbox porch does not act on yet (with Gradio's
# defaults; older spellings too): each warns once when given another value.
_UNHONOURED_CHATBOT = {
    "autoscroll": True, "resizable": False, "max_height": None, "min_height": None,
    "editable": None, "latex_delimiters": None, "rtl": False, "watermark": None,
    "sanitize_html": True, "feedback_value": None, "line_breaks": True, "examples": None,
    "allow_file_downloads": True, "group_consecutive_messages": True, "allow_tags": True,
    "reasoning_tags": None, "like_user_message": False, "show_share_button": None,
    "show_copy_all_button": False, "bubble_full_width": None,
}
_UNHONOURED_MULTIMODAL = {
    "autoscroll": True, "text_align": None, "rtl": False, "max_plain_text_length": 1000,
    "html_attributes": None, "show_copy_button": False,
}

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
MULTIMODAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "files": {"type": "array", "items": FILE_DATA_SCHEMA},
    },
    "required": ["text"],
}


@dataclass
class ChatMessage:
    """One chat message, as an alternative to a `{"role", "content"}` dict."""

    content: Any
    role: str = "assistant"
    metadata: dict[str, Any] = field(default_factory=dict)
    options: list[dict[str, Any]] = field(default_factory=list)


class _FlaggedListener(EventListener):
    """An event whose listeners the browser must know about (it draws a control for it)."""

    def __init__(self, event: str, prop: str) -> None:
        super().__init__(event)
        self.prop = prop

    def __get__(self, block: Block | None, owner: type) -> Any:
        if block is None:
            return self
        return _FlaggedBound(block, self.event, self.prop)


class _FlaggedBound(BoundListener):
    """`chatbot.like(...)`: registers the event and tells the page to draw its buttons."""

    def __init__(self, block: Block, event: str, prop: str) -> None:
        super().__init__(block, event)
        self.prop = prop

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        setattr(self.block, self.prop, True)
        return super().__call__(*args, **kwargs)


# Keyword arguments every Component takes (passed on to Component.__init__).
# ---- messages: function form -> wire ------------------------------------------------------
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


class Chatbot(Component):
    """A conversation: user and assistant messages, text (markdown) and files."""

    unhonoured_keywords = _UNHONOURED_CHATBOT
    block_type = "chatbot"
    schema = MESSAGES_SCHEMA
    python_type = "list[dict]"
    example: Any = [
        {"role": "user", "metadata": None, "content": [{"type": "text", "text": "Hello!"}],
         "options": None},
        {"role": "assistant", "metadata": None,
         "content": [{"type": "text", "text": "How can I help you?"}], "options": None},
    ]
    does_io = True

    change = EventListener("change")
    select = EventListener("select")
    clear = _FlaggedListener("clear", "clearable")
    copy = EventListener("copy")
    edit = EventListener("edit")
    option_select = EventListener("option_select")
    like = _FlaggedListener("like", "likeable")
    retry = _FlaggedListener("retry", "retryable")
    undo = _FlaggedListener("undo", "undoable")

    def __init__(
        self,
        value: Any = None,
        *,
        type: str = "messages",
        height: int | str | None = 400,
        avatar_images: tuple[Any, Any] | None = None,
        show_copy_button: bool = False,
        placeholder: str | None = None,
        render_markdown: bool = True,
        layout: str | None = None,
        feedback_options: Sequence[str] | None = ("Like", "Dislike"),
        buttons: Sequence[str] | None = None,
        **common: Any,
    ) -> None:
        if type not in ("messages", "tuples"):
            raise ValueError("Chatbot type must be 'messages' or 'tuples'.")
        self.type = type
        self.height = height
        self.avatar_images = avatar_images
        self.show_copy_button = show_copy_button or "copy" in (buttons or [])
        self.placeholder = placeholder
        self.render_markdown = render_markdown
        self.layout = layout or "bubble"
        self.feedback_options = list(feedback_options or [])
        self.likeable = False
        self.retryable = False
        self.undoable = False
        self.clearable = False
        super().__init__(value, **common)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        history = messages_value(payload, conversion)
        return as_pairs(history) if self.type == "tuples" else history

    def postprocess(self, value: Any, conversion: Conversion) -> list[dict[str, Any]]:
        return messages_payload(value, conversion)

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        value = self.value() if callable(self.value) else self.value
        if not value:
            return []
        try:
            return messages_payload(value, conversion or Conversion())
        except ConfigError:
            # Files in the starting value are served only once the app runs.
            return []

    def _avatars(self, conversion: Conversion | None) -> list[Any]:
        avatars: list[Any] = []
        for image in self.avatar_images or (None, None):
            if image is None:
                avatars.append(None)
            elif isinstance(image, str) and is_url(image):
                avatars.append({"url": image})
            elif conversion is None or conversion.policy is None:
                avatars.append(None)
            else:
                # A developer's file: served from the cache, adopted through the gate.
                avatars.append(file_payload(image, conversion))
        return avatars

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "type": "messages",
            "height": self.height,
            "avatar_images": self._avatars(conversion),
            "show_copy_button": self.show_copy_button,
            "placeholder": self.placeholder,
            "render_markdown": self.render_markdown,
            "layout": self.layout,
            "feedback_options": self.feedback_options,
            "likeable": self.likeable,
            "_retryable": self.retryable,
            "_undoable": self.undoable,
            "_clearable": self.clearable,
        }


class MultimodalTextbox(Component):
    """A message box that also takes files: its value is `{"text": str, "files": [paths]}`."""

    unhonoured_keywords = _UNHONOURED_MULTIMODAL
    block_type = "multimodaltextbox"
    schema = MULTIMODAL_SCHEMA
    python_type = "dict(text: str, files: list[filepath])"
    example: Any = {"text": "Describe this file", "files": []}
    does_io = True

    change = EventListener("change")
    input = EventListener("input")
    submit = EventListener("submit")
    stop = EventListener("stop")
    blur = EventListener("blur")
    focus = EventListener("focus")
    upload = EventListener("upload")

    def __init__(
        self,
        value: Any = None,
        *,
        sources: Sequence[str] | str | None = None,
        file_types: Sequence[str] | None = None,
        file_count: str = "single",
        lines: int = 1,
        max_lines: int = 20,
        placeholder: str | None = None,
        autofocus: bool = False,
        submit_btn: str | bool | None = True,
        stop_btn: str | bool | None = False,
        **common: Any,
    ) -> None:
        if file_count not in ("single", "multiple", "directory"):
            raise ValueError("file_count must be 'single', 'multiple' or 'directory'")
        self.sources = [sources] if isinstance(sources, str) else list(sources or ["upload"])
        self.file_types = list(file_types) if file_types else None
        self.file_count = file_count
        self.lines = lines
        self.max_lines = max_lines
        self.placeholder = placeholder
        self.autofocus = autofocus
        self.submit_btn = submit_btn
        self.stop_btn = stop_btn
        super().__init__(value, **common)

    def preprocess(self, payload: Any, conversion: Conversion) -> dict[str, Any] | None:
        if payload is None:
            return None
        if isinstance(payload, str):
            return {"text": payload, "files": []}
        if not isinstance(payload, dict):
            raise InvalidRequest("A MultimodalTextbox value is {'text': str, 'files': [...]}.",
                                 422)
        files = payload.get("files") or []
        if not isinstance(files, list):
            raise InvalidRequest("'files' must be a list of FileData.", 422)
        paths = [str(entry_from_payload(item, conversion).path) for item in files]
        text = payload.get("text")
        return {"text": "" if text is None else str(text), "files": paths}

    def postprocess(self, value: Any, conversion: Conversion) -> dict[str, Any] | None:
        if value is None:
            return None
        if isinstance(value, str):
            return {"text": value, "files": []}
        if not isinstance(value, dict):
            raise ValueError("A MultimodalTextbox value is a str or {'text': ..., 'files': [...]}.")
        files = value.get("files") or []
        text = value.get("text")
        return {"text": "" if text is None else str(text),
                "files": [file_payload(item, conversion) for item in files]}

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        value = self.value() if callable(self.value) else self.value
        if value is None:
            return {"text": "", "files": []}
        if isinstance(value, dict) and value.get("files") and (
                conversion is None or conversion.policy is None):
            return {"text": str(value.get("text") or ""), "files": []}
        return self.postprocess(value, conversion or Conversion())

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "sources": self.sources,
            "file_types": self.file_types,
            "file_count": self.file_count,
            "lines": self.lines,
            "max_lines": self.max_lines,
            "placeholder": self.placeholder,
            "autofocus": self.autofocus,
            "submit_btn": self.submit_btn,
            "stop_btn": self.stop_btn,
        }
