"""`ChatInterface(fn)`: a chat app around `fn(message, history, *additional_inputs)`.

`fn` returns the reply (text, a file, a message dict, a `ChatMessage`, or a list of them), or
yields it growing, to stream. `history` is the conversation so far as
`[{"role": "user" | "assistant", "content": ...}]`. The API endpoint is `/chat`: it takes the
message (and the additional inputs) and returns the reply, keeping each client session's
history on the server, as Gradio's does.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from porch.blocks.blocks import Blocks
from porch.blocks.events import Dependency
from porch.blocks.examples import Examples
from porch.blocks.interface import _accordion, _components, _place
from porch.blocks.layout import Accordion, Row
from porch.blocks.updates import skip
from porch.components.base import Component, Conversion
from porch.components.button import Button
from porch.components.chat import Chatbot
from porch.components.data import JSON
from porch.components.markup import Markdown
from porch.components.messages import ChatMessage, as_pairs
from porch.components.multimodal import MultimodalTextbox
from porch.components.state import State
from porch.components.text import Textbox
from porch.errors import ConfigError

History = list[dict[str, Any]]


class _Reply(JSON):
    """The /chat endpoint's output: the reply as JSON (a string stays a string)."""

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        return value

    def api_parameter(self) -> dict[str, Any]:
        return {**super().api_parameter(), "component": "Json"}


def _user_messages(message: Any) -> History:
    """The user's turn as chat messages: each file its own message, then the text."""
    if isinstance(message, dict):
        files = [{"role": "user", "content": {"path": path}} for path in message.get("files")
                 or []]
        text = message.get("text") or ""
        return files + ([{"role": "user", "content": text}] if text else [])
    return [{"role": "user", "content": "" if message is None else str(message)}]


def _reply_messages(reply: Any) -> History:
    """What `fn` returned (or yielded so far) as assistant messages."""
    if reply is None:
        return []
    if isinstance(reply, ChatMessage):
        return [{"role": reply.role, "content": reply.content, "metadata": reply.metadata,
                 "options": reply.options}]
    if isinstance(reply, dict) and "role" in reply:
        return [reply]
    if isinstance(reply, list):
        return [m for item in reply for m in _reply_messages(item)]
    return [{"role": "assistant", "content": reply}]


def _api_reply(reply: Any) -> Any:
    """The reply as the /chat endpoint returns it (JSON)."""
    if isinstance(reply, ChatMessage):
        return {"role": reply.role, "content": _api_reply(reply.content),
                "metadata": reply.metadata or None}
    if isinstance(reply, Component):
        return reply.value
    if isinstance(reply, tuple):
        return list(reply)
    if isinstance(reply, list):
        return [_api_reply(item) for item in reply]
    return reply


def _split_turn(history: History) -> tuple[History, Any]:
    """History without its last user turn (and any reply to it), and that turn's message."""
    end = len(history)
    while end and history[end - 1]["role"] != "user":
        end -= 1
    start = end
    while start and history[start - 1]["role"] == "user":
        start -= 1
    turn = history[start:end]
    files = [m["content"]["path"] for m in turn if isinstance(m["content"], dict)]
    text = "\n".join(m["content"] for m in turn if isinstance(m["content"], str))
    return history[:start], (text, files)


class ChatInterface(Blocks):
    """A chat app: a conversation, a message box, and `fn` answering each message."""

    # Gradio keywords accepted but not acted on yet (with Gradio's defaults): warned once.
    unhonoured_keywords = {
        "editable": False,
        "examples_label": "Examples",
        "example_icons": None,
        "cache_examples": None,
        "cache_mode": None,
        "flagging_mode": None,
        "flagging_options": ("Like", "Dislike"),
        "flagging_dir": ".gradio/flagged",
        "analytics_enabled": None,
        "autoscroll": True,
        "api_visibility": "public",
        "save_history": False,
    }

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        multimodal: bool = False,
        type: str = "messages",
        chatbot: Chatbot | None = None,
        textbox: Textbox | MultimodalTextbox | None = None,
        additional_inputs: str | Component | Sequence[str | Component] | None = None,
        additional_inputs_accordion: str | Accordion | None = None,
        additional_outputs: Component | Sequence[Component] | None = None,
        examples: list[Any] | None = None,
        example_labels: list[str] | None = None,
        run_examples_on_click: bool = True,
        title: str | None = None,
        description: str | None = None,
        submit_btn: str | bool | None = True,
        stop_btn: str | bool | None = True,
        autofocus: bool = True,
        concurrency_limit: int | None | str = "default",
        api_name: str | None = None,  # None: "chat", as Gradio names it
        api_description: str | None = None,
        show_progress: str = "minimal",
        css: str | None = None,
        theme: Any = None,
        js: str | None = None,
        head: str | None = None,
        fill_height: bool = True,
        fill_width: bool = False,
        delete_cache: tuple[float, float] | None = None,
        validator: Callable[..., Any] | None = None,
        **_gradio_options: Any,
    ) -> None:
        self.take_unhonoured(_gradio_options)
        if type not in ("messages", "tuples"):
            raise ConfigError("ChatInterface type must be 'messages' or 'tuples'.")
        super().__init__(title=title or "porch", css=css, theme=theme, js=js, head=head,
                         fill_height=fill_height, fill_width=fill_width,
                         delete_cache=delete_cache, mode="chat_interface")
        self.fn = fn
        self.type = type
        self.multimodal = multimodal
        streaming = inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn)
        with self:
            if title:
                Markdown(f"# {title}", elem_classes="porch-title")
            if description:
                Markdown(description)
            self.chatbot = chatbot or Chatbot(label="Chatbot", height=420)
            _place(self.chatbot)
            with Row(equal_height=True):
                self.textbox = textbox or (
                    MultimodalTextbox(show_label=False, label="Message", scale=7,
                                      placeholder="Type a message or attach files…",
                                      file_count="multiple", autofocus=autofocus,
                                      submit_btn=submit_btn, stop_btn=False)
                    if multimodal else
                    Textbox(show_label=False, label="Message", scale=7,
                            placeholder="Type a message…", autofocus=autofocus))
                _place(self.textbox)
                send = None
                if not multimodal and submit_btn:
                    send = Button(submit_btn if isinstance(submit_btn, str) else "Send",
                                  variant="primary", scale=1, min_width=90)
                stop = None
                if stop_btn and streaming:
                    stop = Button(stop_btn if isinstance(stop_btn, str) else "Stop",
                                  variant="stop", scale=1, min_width=90)
            self.additional_inputs = _components(additional_inputs)
            self.additional_outputs = _components(additional_outputs)
            self.examples = None
            if examples:
                rows = [example["text"] if isinstance(example, dict) and not multimodal
                        else example for example in examples]
                self.examples = Examples(
                    rows, [self.textbox, *self.additional_inputs], label="Examples",
                    example_labels=example_labels,
                )
            if self.additional_inputs:
                with _accordion(additional_inputs_accordion):
                    for component in self.additional_inputs:
                        _place(component)
            for component in self.additional_outputs:
                _place(component)
            self._wire(send, stop, concurrency_limit, show_progress, api_name,
                       api_description, run_examples_on_click, validator)

    # ---- events ---------------------------------------------------------------------------
    def _wire(self, send: Button | None, stop: Button | None,
              concurrency_limit: int | None | str, show_progress: str, api_name: str | None,
              api_description: str | None, run_examples_on_click: bool,
              validator: Callable[..., Any] | None) -> None:
        extra = self.additional_inputs
        outs = self.additional_outputs
        options: dict[str, Any] = {"concurrency_limit": concurrency_limit,
                                   "show_progress": show_progress,
                                   "api_visibility": "undocumented"}
        submit_targets: list[Any] = [(self.textbox, "submit")]
        if send is not None:
            submit_targets.append((send, "click"))
        # The /chat API first, so that it is the app's first endpoint.
        history_state = State([], render=False)
        response = _Reply(label="Response", render=False)
        api = self.register_event(
            [], self._api_fn(), inputs=[self.textbox, history_state, *extra],
            outputs=[response, history_state, *outs], api_name=api_name or "chat",
            api_description=api_description, concurrency_limit=concurrency_limit,
            validator=validator,
        )
        respond = self.register_event(
            submit_targets, self._respond_fn(),
            inputs=[self.textbox, self.chatbot, *extra],
            outputs=[self.textbox, self.chatbot, *outs], api_name="_respond",
            validator=validator, **options)
        running: list[Dependency] = [api, respond]
        if self.examples is not None and run_examples_on_click:
            running.append(self.examples.load_event.then(
                self._respond_fn(), inputs=[self.textbox, self.chatbot, *extra],
                outputs=[self.textbox, self.chatbot, *outs], api_name="_respond_example",
                **options))
        running.append(self.chatbot.retry(
            self._retry_fn(), inputs=[self.chatbot, *extra], outputs=[self.chatbot, *outs],
            api_name="_retry", **options))
        self.chatbot.undo(self._undo, inputs=[self.chatbot], outputs=[self.chatbot,
                                                                       self.textbox],
                          api_name="_undo", api_visibility="undocumented",
                          show_progress="hidden")
        self.chatbot.clear(None, api_visibility="private", queue=False)
        if stop is not None:
            self.register_event([(stop, "click")], None, cancels=running,
                                api_visibility="private", queue=False)

    def _history_for_fn(self, history: History) -> Any:
        return as_pairs(history) if self.type == "tuples" else history

    def _message_for_fn(self, message: Any) -> Any:
        if self.multimodal:
            if isinstance(message, dict):
                return {"text": message.get("text") or "", "files": list(message.get("files")
                                                                         or [])}
            return {"text": "" if message is None else str(message), "files": []}
        if isinstance(message, dict):
            return message.get("text") or ""
        return "" if message is None else str(message)

    def _split_reply(self, reply: Any) -> tuple[Any, list[Any]]:
        if self.additional_outputs:
            if not isinstance(reply, tuple) or len(reply) != 1 + len(self.additional_outputs):
                raise ValueError(f"With additional_outputs, fn must return (reply, "
                                 f"{len(self.additional_outputs)} more value(s)).")
            return reply[0], list(reply[1:])
        return reply, []

    def _stream(self, message: Any, history: History, extra: Sequence[Any]) -> Iterator[Any]:
        """`fn`'s successive replies (one for a plain function)."""
        result = self.fn(message, self._history_for_fn(history), *extra)
        if inspect.isgenerator(result):
            yield from result
        else:
            yield result

    async def _astream(self, message: Any, history: History, extra: Sequence[Any],
                       ) -> AsyncIterator[Any]:
        result = self.fn(message, self._history_for_fn(history), *extra)
        if inspect.isasyncgen(result):
            async for reply in result:
                yield reply
        elif inspect.isawaitable(result):
            yield await result
        else:
            yield result

    def _is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.fn) or inspect.isasyncgenfunction(self.fn)

    def _respond_fn(self) -> Callable[..., Any]:
        """The browser's submit: show the user's message, then the reply as it grows."""
        outs = len(self.additional_outputs)

        def frames(history: History, reply: Any) -> list[Any]:
            text, more = self._split_reply(reply)
            box: Any = {"text": "", "files": []} if self.multimodal else ""
            return [box, history + _reply_messages(text), *more]

        def first(shown: History) -> list[Any]:
            # The message box empties and the user's message shows before fn runs.
            box: Any = {"text": "", "files": []} if self.multimodal else ""
            return [box, shown, *([skip()] * outs)]

        def start(message: Any, history: History | None) -> tuple[Any, History]:
            message = self._message_for_fn(message)
            history = list(history or [])
            return message, history

        if self._is_async():
            async def respond_async(message: Any, history: History | None,
                                    *extra: Any) -> AsyncIterator[list[Any]]:
                message, history = start(message, history)
                shown = history + _user_messages(message)
                yield first(shown)
                async for reply in self._astream(message, history, extra):
                    yield frames(shown, reply)

            return respond_async

        def respond(message: Any, history: History | None, *extra: Any) -> Iterator[list[Any]]:
            message, history = start(message, history)
            shown = history + _user_messages(message)
            yield first(shown)
            for reply in self._stream(message, history, extra):
                yield frames(shown, reply)

        return respond

    def _retry_fn(self) -> Callable[..., Any]:
        """Run the last user message again, replacing the reply to it."""
        outs = len(self.additional_outputs)

        def turn(history: History | None) -> tuple[Any, History, History]:
            before, (text, files) = _split_turn(list(history or []))
            message: Any = {"text": text, "files": files} if self.multimodal else text
            return message, before, before + _user_messages(message)

        if self._is_async():
            async def retry_async(history: History | None,
                                  *extra: Any) -> AsyncIterator[list[Any]]:
                message, before, shown = turn(history)
                yield [shown, *([skip()] * outs)]
                async for reply in self._astream(message, before, extra):
                    text, more = self._split_reply(reply)
                    yield [shown + _reply_messages(text), *more]

            return retry_async

        def retry(history: History | None, *extra: Any) -> Iterator[list[Any]]:
            message, before, shown = turn(history)
            yield [shown, *([skip()] * outs)]
            for reply in self._stream(message, before, extra):
                text, more = self._split_reply(reply)
                yield [shown + _reply_messages(text), *more]

        return retry

    def _undo(self, history: History | None) -> tuple[History, Any]:
        before, (text, files) = _split_turn(list(history or []))
        box: Any = {"text": text, "files": files} if self.multimodal else text
        return before, box

    def _api_fn(self) -> Callable[..., Any]:
        """/chat: message (+ additional inputs) -> reply; history kept per session."""

        def frame(message: Any, history: History, reply: Any) -> list[Any]:
            text, more = self._split_reply(reply)
            return [_api_reply(text), history + _user_messages(message)
                    + _reply_messages(text), *more]

        if self._is_async():
            async def chat_async(message: Any, history: History | None,
                                 *extra: Any) -> AsyncIterator[list[Any]]:
                message = self._message_for_fn(message)
                history = list(history or [])
                async for reply in self._astream(message, history, extra):
                    yield frame(message, history, reply)

            return chat_async

        def chat(message: Any, history: History | None, *extra: Any) -> Iterator[list[Any]]:
            message = self._message_for_fn(message)
            history = list(history or [])
            for reply in self._stream(message, history, extra):
                yield frame(message, history, reply)

        return chat

