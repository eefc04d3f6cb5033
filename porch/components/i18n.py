"""gr.I18n: translations of an app's own text, chosen by the visitor's browser language.

`I18n(en={"greet": "Hello"}, de={"greet": "Hallo"})` holds the tables; `i18n("greet")` is a
token that stands for the text wherever a component takes a string (label, info,
placeholder, a Markdown's or a Button's value...). The server never translates: a token
goes over the wire as Gradio sends it, the string `__i18n__{"__type__":
"translation_metadata", "key": "greet"}`, and the page (frontend/i18n.js) swaps it for the
text of the visitor's language. `launch(i18n=...)` puts the tables in `/config` as
`i18n_translations`.

A token is a `str` (its text is the wire form), so every check, copy and JSON encoding that
takes a string takes it unchanged, and nothing downstream needs to know about it.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Mapping
from typing import Any

TOKEN_PREFIX = "__i18n__"
TOKEN_TYPE = "translation_metadata"
# BCP 47 in the shape Gradio accepts: a 2-3 letter language, then subtags.
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class I18nData(str):
    """A translation key that travels as its wire token (see the module docstring)."""

    key: str

    def __new__(cls, key: str) -> I18nData:
        if not isinstance(key, str):
            raise TypeError(f"A translation key must be a string, not {type(key).__name__}.")
        token = super().__new__(cls, TOKEN_PREFIX + json.dumps({"__type__": TOKEN_TYPE,
                                                                "key": key}))
        token.key = key
        return token

    def to_dict(self) -> dict[str, Any]:
        return {"__type__": TOKEN_TYPE, "key": self.key}

    def tojson(self) -> dict[str, Any]:
        return self.to_dict()

    # Text changes would corrupt the token: as in Gradio, they give the token back, and the
    # page translates it as it is (the translation is the author's to write).
    def strip(self, chars: str | None = None) -> str:
        return self

    def lstrip(self, chars: str | None = None) -> str:
        return self

    def rstrip(self, chars: str | None = None) -> str:
        return self

    def upper(self) -> str:
        return self

    def lower(self) -> str:
        return self

    def title(self) -> str:
        return self

    def capitalize(self) -> str:
        return self

    def casefold(self) -> str:
        return self


class I18n:
    """Translation tables, one per locale: `I18n(en={...}, fr={...})`; call it with a key."""

    def __init__(self, **translations: dict[str, str]) -> None:
        self.translations: dict[str, dict[str, str]] = {}
        for locale, table in translations.items():
            if not isinstance(table, Mapping):
                raise TypeError(
                    f"I18n({locale}=...) takes a dict of key -> translated text, not "
                    f"{type(table).__name__}: I18n(en={{'greeting': 'Hello'}}).")
            for key, text in table.items():
                if not isinstance(key, str) or not isinstance(text, str):
                    raise TypeError(
                        f"I18n({locale}=...): keys and texts must be strings; got "
                        f"{key!r}: {text!r}.")
            if not _LOCALE.match(locale):
                # Gradio keeps such a locale too, with this warning: the page may never pick it.
                warnings.warn(
                    f"Invalid locale code: {locale!r}. Locale codes follow BCP 47 (for example "
                    "'en', 'en-US'); it is kept, but a browser may never ask for it.",
                    UserWarning, stacklevel=2)
            self.translations[locale] = dict(table)

    def __call__(self, key: str) -> I18nData:
        return I18nData(key)

    @property
    def translations_dict(self) -> dict[str, dict[str, str]]:
        return self.translations

    def __repr__(self) -> str:
        return f"I18n(locales={sorted(self.translations)})"


def checked_i18n(value: Any, where: str = "launch(i18n=...)") -> I18n | None:
    """`value` if it is an I18n (or None); a clear TypeError for anything else."""
    if value is None or isinstance(value, I18n):
        return value
    raise TypeError(f"{where} takes a gr.I18n(...) of translations, not "
                    f"{type(value).__name__}: i18n=gr.I18n(en={{...}}, de={{...}}).")
