"""Picker components: ColorPicker and DateTime (values the browser's native pickers give)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from porch.components.base import Component, Conversion, EventListener
from porch.errors import ConfigError, Error

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_FUNCTION = re.compile(r"(?:rgb|rgba|hsl|hsla)\(\s*[0-9.,%\s/deg]+\)", re.IGNORECASE)


class ColorPicker(Component):
    """A colour, as a CSS string such as ``#ff8800``."""

    block_type = "colorpicker"
    schema = {"type": "string"}
    python_type = "str"
    example = "#000000"

    change = EventListener("change")
    input = EventListener("input")
    release = EventListener("release")
    submit = EventListener("submit")
    focus = EventListener("focus")
    blur = EventListener("blur")

    def __init__(self, value: str | None = None, **common: Any) -> None:
        super().__init__(value, **common)

    def _colour(self, value: Any) -> str:
        if isinstance(value, (tuple, list)) and len(value) == 3 and all(
                isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255
                for c in value):
            return "#{:02x}{:02x}{:02x}".format(*value)
        if isinstance(value, str) and (_HEX.fullmatch(value.strip())
                                       or _FUNCTION.fullmatch(value.strip())):
            return value.strip()
        raise Error(f"{self.label or 'ColorPicker'}: {value!r} is not a colour; use a hex "
                    "string such as '#ff8800', rgb(...) or an (r, g, b) tuple.")

    def preprocess(self, payload: Any, conversion: Conversion) -> str | None:
        return None if payload is None else self._colour(payload)

    def postprocess(self, value: Any, conversion: Conversion) -> str | None:
        return None if value is None else self._colour(value)


_RELATIVE = re.compile(r"now\s*(?:([+-])\s*(\d+(?:\.\d+)?)\s*([smhdw]))?", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
            "%Y-%m-%d")


class DateTime(Component):
    """A date, or a date and time. The function gets a timestamp (float seconds), a
    `datetime` or the string itself, as `type` says; times are in `timezone`
    (an IANA name such as "Europe/Paris"), else the server's local time."""

    block_type = "datetime"
    python_type = "str"

    change = EventListener("change")
    submit = EventListener("submit")

    def __init__(
        self,
        value: float | str | dt.datetime | None = None,
        *,
        include_time: bool = True,
        type: str = "timestamp",
        timezone: str | None = None,
        **common: Any,
    ) -> None:
        if type not in ("timestamp", "datetime", "string"):
            raise ConfigError(f"type must be 'timestamp', 'datetime' or 'string', got {type!r}.")
        self.include_time = include_time
        self.type = type
        self.timezone = timezone
        self.zone = _zone(timezone)
        super().__init__(value, **common)
        shape = "YYYY-MM-DD HH:MM:SS" if include_time else "YYYY-MM-DD"
        self.schema = {"type": "string", "description": f"Formatted as {shape}"}
        self.example = "2020-10-01 05:20:15" if include_time else "2020-10-01"

    @property
    def format(self) -> str:
        return _FORMATS[0] if self.include_time else "%Y-%m-%d"

    def _name(self) -> str:
        return self.label or "DateTime"

    def _parse(self, text: str) -> dt.datetime:
        text = text.strip()
        relative = _RELATIVE.fullmatch(text)
        if relative:
            sign, amount, unit = relative.groups()
            moment = dt.datetime.now(self.zone)
            if sign:
                shift = dt.timedelta(seconds=float(amount) * _UNITS[unit.lower()])
                moment = moment + shift if sign == "+" else moment - shift
            return moment if self.zone else moment.replace(tzinfo=None)
        for fmt in _FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
            return moment.replace(tzinfo=self.zone) if self.zone else moment
        raise Error(f"{self._name()}: {text!r} is not a date; use "
                    f"{self.schema['description'].removeprefix('Formatted as ')} or 'now - 2h'.")

    def _from_timestamp(self, seconds: float) -> dt.datetime:
        try:
            return dt.datetime.fromtimestamp(seconds, self.zone)
        except (OverflowError, OSError, ValueError):
            raise Error(f"{self._name()}: {seconds!r} is not a usable timestamp.") from None

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None or payload == "":
            return None
        if isinstance(payload, (int, float)) and not isinstance(payload, bool):
            moment = self._from_timestamp(payload)
        elif isinstance(payload, str):
            moment = self._parse(payload)
        else:
            raise Error(f"{self._name()}: expected a date string, got {payload!r}.")
        if self.type == "string":
            return payload if isinstance(payload, str) else moment.strftime(self.format)
        if self.type == "datetime":
            return moment
        return moment.timestamp()

    def postprocess(self, value: Any, conversion: Conversion) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            text: str = value.strip()
            return text if _RELATIVE.fullmatch(text) else self._parse(text).strftime(self.format)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self._from_timestamp(value).strftime(self.format)
        if isinstance(value, dt.datetime):
            moment: dt.datetime = value
            if moment.tzinfo is not None and self.zone is not None:
                moment = moment.astimezone(self.zone)
            return moment.strftime(self.format)
        if isinstance(value, dt.date):
            return value.strftime(self.format)
        raise Error(f"{self._name()}: cannot show {type(value).__name__} as a date; return a "
                    "datetime, a timestamp or a string.")

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "include_time": self.include_time,
                "type": self.type, "timezone": self.timezone}


def _zone(name: str | None) -> dt.tzinfo | None:
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"Unknown timezone {name!r}; use an IANA name such as "
                          "'Europe/Paris' or 'UTC'.") from None
