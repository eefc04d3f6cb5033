"""The Chatbot: a conversation in Gradio 6's message shape (its conversions are in
messages.py; MultimodalTextbox, the box that sends messages with files, in multimodal.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from porch.components.base import Block, BoundListener, Component, Conversion, EventListener
from porch.components.files import file_payload, is_url
from porch.components.messages import (
    MESSAGES_SCHEMA,
    as_pairs,
    messages_payload,
    messages_value,
)
from porch.errors import ConfigError

_UNHONOURED_CHATBOT = {
    "autoscroll": True, "resizable": False, "max_height": None, "min_height": None,
    "editable": None, "latex_delimiters": None, "rtl": False, "watermark": None,
    "sanitize_html": True, "feedback_value": None, "line_breaks": True, "examples": None,
    "allow_file_downloads": True, "group_consecutive_messages": True, "allow_tags": True,
    "reasoning_tags": None, "like_user_message": False, "show_share_button": None,
    "show_copy_all_button": False, "bubble_full_width": None,
}

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
