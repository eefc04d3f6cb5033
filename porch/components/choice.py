"""Choice components: Checkbox, CheckboxGroup, Radio and Dropdown.

Choices are values or ``(label, value)`` pairs; the config always carries ``[label, value]``
pairs. Inputs are checked against the choices (a client can send anything), so a function
never receives a value the page could not have offered, unless `allow_custom_value` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import ConfigError, Error

Choice = tuple[str, Any]

# Dropdown's value when none is given: the first choice (or [] when several may be chosen).
_FIRST = object()


def normalise_choices(choices: Sequence[Any] | None) -> list[Choice]:
    """``["a", ("Bee", "b")]`` -> ``[("a", "a"), ("Bee", "b")]``."""
    if choices is None:
        return []
    if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence):
        raise ConfigError(f"choices must be a list of values or (label, value) pairs, "
                          f"got {choices!r}.")
    pairs = []
    for choice in choices:
        if isinstance(choice, (tuple, list)):
            if len(choice) != 2:
                raise ConfigError(f"A choice pair must be (label, value), got {choice!r}.")
            pairs.append((str(choice[0]), choice[1]))
        else:
            pairs.append((str(choice), choice))
    return pairs


def literal_type(values: Sequence[Any]) -> str:
    """The type name gradio_client prints for an enum: ``Literal['a', 'b']``."""
    return "Literal[" + ", ".join(f"'{value}'" for value in values) + "]"


class _Choices(Component):
    """Shared by the components that pick among `choices`."""

    def __init__(self, choices: Sequence[Any] | None, value: Any, type: str,
                 **common: Any) -> None:
        if type not in ("value", "index"):
            raise ConfigError(f"type must be 'value' or 'index', got {type!r}.")
        self.choices = normalise_choices(choices)
        self.type = type
        super().__init__(value, **common)

    @property
    def values(self) -> list[Any]:
        return [value for _, value in self.choices]

    def _name(self) -> str:
        return self.label or type(self).__name__

    def _check(self, item: Any) -> Any:
        """`item` as the function receives it; a clear error when it is not a choice."""
        values = self.values
        if item not in values:
            raise Error(f"{self._name()}: {item!r} is not one of the choices "
                        f"{values!r}.")
        return values.index(item) if self.type == "index" else item

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "choices": [list(pair) for pair in self.choices],
            "type": self.type,
        }


class Checkbox(Component):
    """One box: True or False."""

    block_type = "checkbox"
    schema = {"type": "boolean"}
    python_type = "bool"
    example = True

    change = EventListener("change")
    input = EventListener("input")
    select = EventListener("select")

    def __init__(self, value: bool = False, **common: Any) -> None:
        super().__init__(value, **common)

    def preprocess(self, payload: Any, conversion: Conversion) -> bool:
        if payload is None:
            return False
        if not isinstance(payload, bool):
            raise Error(f"{self.label or 'Checkbox'}: expected true or false, got {payload!r}.")
        return payload

    def postprocess(self, value: Any, conversion: Conversion) -> bool:
        return bool(value)


class CheckboxGroup(_Choices):
    """Several boxes; the function gets the list of checked values (or indices)."""

    block_type = "checkboxgroup"
    example = ["a"]

    change = EventListener("change")
    input = EventListener("input")
    select = EventListener("select")

    def __init__(
        self,
        choices: Sequence[Any] | None = None,
        *,
        value: Sequence[Any] | Any = None,
        type: str = "value",
        show_select_all: bool = False,
        **common: Any,
    ) -> None:
        self.show_select_all = show_select_all
        super().__init__(choices, value, type, **common)
        self.schema = {"items": {"enum": self.values, "type": "string"},
                       "title": "Checkbox Group", "type": "array"}
        self.python_type = f"list[{literal_type(self.values)}]"
        self.example = self.values[:1]

    def preprocess(self, payload: Any, conversion: Conversion) -> list[Any]:
        if payload is None:
            return []
        if not isinstance(payload, list):
            raise Error(f"{self._name()}: expected a list of choices, got {payload!r}.")
        return [self._check(item) for item in payload]

    def postprocess(self, value: Any, conversion: Conversion) -> list[Any]:
        if value is None:
            return []
        return list(value) if isinstance(value, (list, tuple, set)) else [value]

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "show_select_all": self.show_select_all}


class Radio(_Choices):
    """One of several choices, all shown."""

    block_type = "radio"

    select = EventListener("select")
    change = EventListener("change")
    input = EventListener("input")

    def __init__(
        self,
        choices: Sequence[Any] | None = None,
        *,
        value: Any = None,
        type: str = "value",
        rtl: bool = False,
        **common: Any,
    ) -> None:
        self.rtl = rtl
        super().__init__(choices, value, type, **common)
        self.schema = {"enum": self.values, "title": "Radio", "type": "string"}
        self.python_type = literal_type(self.values)
        self.example = self.values[0] if self.values else None

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        return None if payload is None else self._check(payload)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "rtl": self.rtl}


class Dropdown(_Choices):
    """A list to pick one value from (or several with `multiselect`), optionally typed in."""

    block_type = "dropdown"

    change = EventListener("change")
    input = EventListener("input")
    select = EventListener("select")
    focus = EventListener("focus")
    blur = EventListener("blur")
    key_up = EventListener("key_up")

    def __init__(
        self,
        choices: Sequence[Any] | None = None,
        *,
        value: Any = _FIRST,
        type: str = "value",
        multiselect: bool | None = None,
        allow_custom_value: bool = False,
        max_choices: int | None = None,
        filterable: bool = True,
        num_choices_shown: int = 100,
        **common: Any,
    ) -> None:
        self.multiselect = bool(multiselect)
        self.allow_custom_value = allow_custom_value
        self.max_choices = max_choices
        self.filterable = filterable
        self.num_choices_shown = num_choices_shown
        pairs = normalise_choices(choices)
        if value is _FIRST:
            value = [] if self.multiselect else (pairs[0][1] if pairs else None)
        super().__init__(pairs, value, type, **common)
        item: dict[str, Any] = {"type": "string"}
        # With custom values allowed the choices are suggestions, so the API says "str".
        if not allow_custom_value:
            item["enum"] = self.values
        item_type = literal_type(self.values) if not allow_custom_value else "str"
        if self.multiselect:
            self.schema = {"type": "array", "items": item}
            self.python_type = f"list[{item_type}]"
            self.example = self.values[:1]
        else:
            self.schema = item
            self.python_type = item_type
            self.example = self.values[0] if self.values else None

    def _one(self, item: Any) -> Any:
        if self.allow_custom_value and item not in self.values:
            # A typed-in value has no index (as in Gradio, the function gets None).
            return None if self.type == "index" else item
        return self._check(item)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        if not self.multiselect:
            if isinstance(payload, list):
                raise Error(f"{self._name()}: choose one value, not a list.")
            return self._one(payload)
        items = payload if isinstance(payload, list) else [payload]
        if self.max_choices is not None and len(items) > self.max_choices:
            raise Error(f"{self._name()}: choose at most {self.max_choices}, "
                        f"got {len(items)}.")
        return [self._one(item) for item in items]

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None or not self.multiselect:
            return value
        return list(value) if isinstance(value, (list, tuple, set)) else [value]

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {
            **super().props(conversion),
            "multiselect": self.multiselect,
            "allow_custom_value": self.allow_custom_value,
            "max_choices": self.max_choices,
            "filterable": self.filterable,
            "num_choices_shown": self.num_choices_shown,
        }
