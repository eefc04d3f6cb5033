"""HighlightedText: text with spans marked by a class or a confidence (twin of
frontend/components/highlighted.js)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import Error

HIGHLIGHTED_SCHEMA: dict[str, Any] = {
    "$defs": {"HighlightedToken": {
        "properties": {
            "token": {"title": "Token", "type": "string"},
            "class_or_confidence": {"anyOf": [{"type": "string"}, {"type": "number"},
                                              {"type": "null"}],
                                    "default": None, "title": "Class Or Confidence"},
        },
        "required": ["token"], "title": "HighlightedToken", "type": "object"}},
    "items": {"$ref": "#/$defs/HighlightedToken"},
    "title": "HighlightedTextData", "type": "array",
}


class HighlightedText(Component):
    """Text with labelled (or scored) spans: a list of ``(text, label)`` pairs, or
    ``{"text": ..., "entities": [{"entity": label, "start": i, "end": j}, ...]}``."""

    block_type = "highlightedtext"
    schema = HIGHLIGHTED_SCHEMA
    python_type = "list[dict(token: str, class_or_confidence: str | float | None)]"
    example = [{"token": "The", "class_or_confidence": None},
               {"token": "quick", "class_or_confidence": "adj"}]

    change = EventListener("change")
    select = EventListener("select")

    def __init__(
        self,
        value: Any = None,
        *,
        color_map: dict[str, str] | None = None,
        show_legend: bool = False,
        show_inline_category: bool = True,
        combine_adjacent: bool = False,
        adjacent_separator: str = "",
        show_whitespaces: bool = True,
        rtl: bool = False,
        buttons: Any = None,
        **common: Any,
    ) -> None:
        self.color_map = color_map
        self.show_legend = show_legend
        self.show_inline_category = show_inline_category
        self.combine_adjacent = combine_adjacent
        self.adjacent_separator = adjacent_separator
        self.show_whitespaces = show_whitespaces
        self.rtl = rtl
        super().__init__(value, **common)

    def _name(self) -> str:
        return self.label or "HighlightedText"

    def _token(self, item: Any) -> dict[str, Any]:
        if isinstance(item, Mapping) and "token" in item:
            text, kind = item["token"], item.get("class_or_confidence")
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            text, kind = item
        else:
            raise Error(f"{self._name()}: each item must be a (text, label) pair, got "
                        f"{item!r}.")
        if kind is not None and not isinstance(kind, (str, int, float)):
            raise Error(f"{self._name()}: a label must be a str, a number or None, got "
                        f"{kind!r}.")
        if isinstance(kind, int) and not isinstance(kind, bool):
            kind = float(kind)
        return {"token": str(text), "class_or_confidence": kind}

    def _from_entities(self, value: Mapping[str, Any]) -> list[dict[str, Any]]:
        text = str(value.get("text", ""))
        tokens, at = [], 0
        spans = []
        for entity in value.get("entities") or []:
            if not isinstance(entity, Mapping) or "start" not in entity or "end" not in entity:
                raise Error(f"{self._name()}: each entity needs 'start', 'end' and 'entity' "
                            f"(or 'entity_group'), got {entity!r}.")
            label = entity.get("entity", entity.get("entity_group"))
            spans.append((int(entity["start"]), int(entity["end"]), label))
        for start, end, label in sorted(spans, key=lambda span: span[0]):
            start, end = max(start, at), min(end, len(text))
            if end <= start:
                continue  # overlaps an earlier entity, or empty
            if start > at:
                tokens.append({"token": text[at:start], "class_or_confidence": None})
            tokens.append({"token": text[start:end], "class_or_confidence": label})
            at = end
        if at < len(text):
            tokens.append({"token": text[at:], "class_or_confidence": None})
        return tokens

    def postprocess(self, value: Any, conversion: Conversion) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        if isinstance(value, str):
            tokens = [{"token": value, "class_or_confidence": None}]
        elif isinstance(value, Mapping):
            tokens = self._from_entities(value)
        elif isinstance(value, (list, tuple)):
            tokens = [self._token(item) for item in value]
        else:
            raise Error(f"{self._name()} shows a list of (text, label) pairs or "
                        f"{{'text': ..., 'entities': [...]}}, not {type(value).__name__}.")
        if self.combine_adjacent:
            tokens = self._combine(tokens)
        return tokens

    def _combine(self, tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
        merged: list[dict[str, Any]] = []
        for token in tokens:
            last = merged[-1] if merged else None
            if (last is not None and last["class_or_confidence"] is not None
                    and last["class_or_confidence"] == token["class_or_confidence"]):
                last["token"] += self.adjacent_separator + token["token"]
            else:
                merged.append(dict(token))
        return merged

    def preprocess(self, payload: Any, conversion: Conversion) -> list[dict[str, Any]] | None:
        if payload is None:
            return None
        if not isinstance(payload, list):
            raise Error(f"{self._name()}: expected a list of {{'token', "
                        f"'class_or_confidence'}} objects, got {payload!r}.")
        return [self._token(item) for item in payload]

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "color_map": self.color_map,
            "show_legend": self.show_legend,
            "show_inline_category": self.show_inline_category,
            "combine_adjacent": self.combine_adjacent,
            "adjacent_separator": self.adjacent_separator,
            "show_whitespaces": self.show_whitespaces,
            "rtl": self.rtl,
        }
