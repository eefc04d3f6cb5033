"""Apps made from someone else's HTTP API: `load_chat` (an OpenAI-compatible chat endpoint)
and `load_openapi` (any API an OpenAPI 3 document describes).

Both call the API from the server with httpx, with the token the author gave; a visitor never
sees it. Files a visitor uploads are read from porch's cache (through the gate) and sent as
the API expects them.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from porch.blocks.blocks import Blocks
from porch.blocks.chat_interface import ChatInterface
from porch.blocks.interface import Interface
from porch.blocks.tabbed_interface import TabbedInterface
from porch.components.base import Component
from porch.components.choice import Checkbox
from porch.components.data import JSON
from porch.components.multimodal import MultimodalTextbox
from porch.components.number import Number
from porch.components.text import Textbox
from porch.errors import ConfigError, Error

__all__ = ["load_chat", "load_openapi"]

TIMEOUT = httpx.Timeout(60.0, connect=10.0)


# ---- load_chat ------------------------------------------------------------------------------
def load_chat(base_url: str, model: str, token: str | None = None, *,
              file_types: str | Sequence[str] | None = "text_encoded",
              system_message: str | None = None, streaming: bool = True,
              **kwargs: Any) -> ChatInterface:
    """A ChatInterface answered by the OpenAI-compatible endpoint at `base_url`
    (`.../v1/`, POST chat/completions) with `model`. `file_types`: "text_encoded" appends an
    uploaded text file to the message, "image" sends uploaded images; None: no uploads."""
    kinds = [file_types] if isinstance(file_types, str) else list(file_types or [])
    unknown = set(kinds) - {"text_encoded", "image"}
    if unknown:
        raise ConfigError(f"load_chat file_types takes 'text_encoded' and 'image', got "
                          f"{sorted(unknown)}.")
    url = base_url.rstrip("/") + "/chat/completions"
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def messages_for(message: Any, history: list[dict[str, Any]]) -> list[dict[str, Any]]:
        sent = [{"role": "system", "content": system_message}] if system_message else []
        for turn in history:
            content = turn.get("content")
            if isinstance(content, str) and turn.get("role") in ("user", "assistant"):
                sent.append({"role": turn["role"], "content": content})
        sent.append({"role": "user", "content": _user_content(message, kinds)})
        return sent

    def respond(message: Any, history: list[dict[str, Any]]) -> Iterator[str]:
        body = {"model": model, "messages": messages_for(message, history),
                "stream": streaming}
        with httpx.Client(timeout=TIMEOUT, headers=headers) as client:
            if not streaming:
                answer = client.post(url, json=body)
                _raise_for(answer)
                yield str(answer.json()["choices"][0]["message"]["content"] or "")
                return
            text = ""
            with client.stream("POST", url, json=body) as answer:
                _raise_for(answer)
                for line in answer.iter_lines():
                    if not line.startswith("data:") or line[5:].strip() == "[DONE]":
                        continue
                    delta = json.loads(line[5:])["choices"][0].get("delta", {})
                    text += delta.get("content") or ""
                    yield text

    textbox = MultimodalTextbox(file_types=_accepted_files(kinds), render=False) \
        if kinds else None
    return ChatInterface(respond, multimodal=bool(kinds), textbox=textbox, **kwargs)


def _accepted_files(kinds: list[str]) -> list[str]:
    return [*([".txt", ".md", ".csv", ".json", ".py"] if "text_encoded" in kinds else []),
            *(["image"] if "image" in kinds else [])]


def _user_content(message: Any, kinds: list[str]) -> Any:
    if not isinstance(message, dict):
        return str(message)
    text = str(message.get("text") or "")
    parts: list[dict[str, Any]] = []
    for path in message.get("files") or []:
        file = Path(str(path))
        mime = mimetypes.guess_type(file.name)[0] or ""
        if mime.startswith("image/") and "image" in kinds:
            data = base64.b64encode(file.read_bytes()).decode()
            parts.append({"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}})
        elif "text_encoded" in kinds:
            text += f"\n\n{file.name}:\n{file.read_text(encoding='utf-8', errors='replace')}"
    return [{"type": "text", "text": text}, *parts] if parts else text


def _raise_for(response: httpx.Response) -> None:
    if response.status_code >= 400:
        raise Error(f"The API answered {response.status_code}.")


# ---- load_openapi ---------------------------------------------------------------------------
def _component_for(kind: str, label: str) -> Component:
    """The input for a parameter of JSON-schema type `kind`."""
    if kind == "integer":
        return Number(label=label, precision=0)
    if kind == "number":
        return Number(label=label)
    if kind == "boolean":
        return Checkbox(label=label)
    return Textbox(label=label)


def load_openapi(openapi_spec: str | dict[str, Any], base_url: str, *,
                 paths: list[str] | None = None, exclude_paths: list[str] | None = None,
                 methods: list[str] | None = None, auth_token: str | None = None,
                 **interface_kwargs: Any) -> Blocks:
    """One tab per operation of the API the OpenAPI 3 document describes (a dict, a JSON
    file's path or its URL); each calls `base_url` + the operation's path."""
    spec = _spec(openapi_spec)
    wanted = {m.lower() for m in methods} if methods else None
    headers = {"Authorization": f"Bearer {auth_token}"} if auth_token else {}
    apps, names = [], []
    for path, operations in (spec.get("paths") or {}).items():
        if paths and not any(re.fullmatch(p, path) or p == path for p in paths):
            continue
        if exclude_paths and any(re.fullmatch(p, path) or p == path for p in exclude_paths):
            continue
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete") or (
                    wanted is not None and method not in wanted):
                continue
            apps.append(_operation_app(base_url, path, method, operation, headers,
                                       interface_kwargs))
            names.append(operation.get("summary") or f"{method.upper()} {path}")
    if not apps:
        raise ConfigError("The OpenAPI document has no operations left to show.")
    return TabbedInterface(apps, names, title=spec.get("info", {}).get("title"))


def _spec(source: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(source, dict):
        return source
    if source.startswith(("http://", "https://")):
        response = httpx.get(source, timeout=TIMEOUT)
        _raise_for(response)
        loaded: dict[str, Any] = response.json()
        return loaded
    try:
        found: dict[str, Any] = json.loads(Path(source).read_text(encoding="utf-8"))
        return found
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"Cannot read the OpenAPI document {source}: {exc}") from exc


def _operation_app(base_url: str, path: str, method: str, operation: dict[str, Any],
                   headers: dict[str, str], options: dict[str, Any]) -> Interface:
    params = [p for p in operation.get("parameters", []) if p.get("in") in ("path", "query")]
    body = (operation.get("requestBody", {}).get("content", {})
            .get("application/json", {}).get("schema"))
    inputs: list[Component] = []
    for param in params:
        inputs.append(_component_for((param.get("schema") or {}).get("type", "string"),
                                     param["name"]))
    if body is not None:
        inputs.append(JSON(label="body", value={}))

    def call(*values: Any) -> Any:
        url, query = base_url.rstrip("/") + path, {}
        for param, value in zip(params, values, strict=False):
            if value is None or value == "":
                continue
            if param["in"] == "path":
                url = url.replace("{" + param["name"] + "}", quote(str(value), safe=""))
            else:
                query[param["name"]] = value
        payload = values[len(params)] if body is not None else None
        response = httpx.request(method.upper(), url, params=query, json=payload,
                                 headers=headers, timeout=TIMEOUT)
        _raise_for(response)
        try:
            return response.json()
        except ValueError:
            return {"text": response.text}

    call.__name__ = operation.get("operationId") or re.sub(r"\W+", "_", f"{method}{path}")
    return Interface(call, inputs, JSON(label="response"),
                     description=operation.get("description"), **options)
