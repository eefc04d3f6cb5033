"""Themes: a few presets of the page's CSS variables, and a `Base` to adjust them.

    porch.Blocks(theme="soft")
    porch.Blocks(theme=porch.themes.Soft(primary_hue="blue"))
    porch.Blocks(theme=porch.themes.Base().set(body_background_fill="#fdf6e3"))

A theme becomes CSS custom properties (`--porch-*`) that override porch.css, for light pages
and, with `*_dark` names, for dark ones. Nothing is fetched: named fonts are used only if the
browser already has them, followed by the system font.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from porch.errors import ConfigError

# Accent colours (light page, dark page) for the hue names Gradio's themes take.
HUES: dict[str, tuple[str, str]] = {
    "slate": ("#475569", "#94a3b8"), "gray": ("#4b5563", "#9ca3af"),
    "zinc": ("#52525b", "#a1a1aa"), "neutral": ("#525252", "#a3a3a3"),
    "stone": ("#57534e", "#a8a29e"), "red": ("#dc2626", "#f87171"),
    "orange": ("#ea580c", "#fb923c"), "amber": ("#d97706", "#fbbf24"),
    "yellow": ("#ca8a04", "#facc15"), "lime": ("#65a30d", "#a3e635"),
    "green": ("#16a34a", "#4ade80"), "emerald": ("#059669", "#34d399"),
    "teal": ("#0d9488", "#2dd4bf"), "cyan": ("#0891b2", "#22d3ee"),
    "sky": ("#0284c7", "#38bdf8"), "blue": ("#2563eb", "#60a5fa"),
    "indigo": ("#4f46e5", "#818cf8"), "violet": ("#7c3aed", "#a78bfa"),
    "purple": ("#9333ea", "#c084fc"), "fuchsia": ("#c026d3", "#e879f9"),
    "pink": ("#db2777", "#f472b6"), "rose": ("#e11d48", "#fb7185"),
}
RADII = {"none": ("0px", "0px"), "sm": ("4px", "3px"), "md": ("10px", "7px"),
         "lg": ("14px", "10px")}
SPACING = {"sm": "10px", "md": "16px", "lg": "22px"}
TEXT_SIZE = {"sm": "14px", "md": "15px", "lg": "17px"}

# Gradio's theme variable names -> porch's CSS variables.
VARIABLES = {
    "body_background_fill": "page", "background_fill_primary": "surface",
    "block_background_fill": "surface", "background_fill_secondary": "subtle",
    "input_background_fill": "input", "body_text_color": "text",
    "body_text_color_subdued": "muted", "block_label_text_color": "muted",
    "border_color_primary": "border", "block_border_color": "border",
    "input_border_color": "border-strong", "color_accent": "accent",
    "button_primary_background_fill": "accent",
    "button_primary_background_fill_hover": "accent-hover",
    "button_primary_text_color": "accent-text",
    "button_secondary_background_fill": "secondary",
    "button_secondary_background_fill_hover": "secondary-hover",
    "button_cancel_background_fill": "stop", "block_radius": "radius",
    "input_radius": "radius-sm", "layout_gap": "gap", "block_shadow": "shadow",
}
# A value goes inside a declaration: no way out of it, and no fetching (url, @import).
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9#%(),.\s/+*\-\"']*$")
_SYSTEM_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'
_SYSTEM_MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"


_GENERIC_FONTS = frozenset({"ui-sans-serif", "system-ui", "sans-serif", "ui-monospace",
                            "monospace"})


def _name_of(value: Any) -> str:
    """A hue or size given as a name or as an object with a `name` (Gradio's Color, Size)."""
    return str(getattr(value, "name", value)).lower()


def _font_stack(font: Any, fallback: str) -> str | None:
    if font is None:
        return None
    fonts = font if isinstance(font, (list, tuple)) else [font]
    names = []
    for item in fonts:
        name = str(getattr(item, "name", item)).strip()
        if not re.fullmatch(r"[\w .\-]+", name) or name in _GENERIC_FONTS:
            continue
        names.append(f'"{name}"' if re.search(r"\s", name) else name)
    return ", ".join([*names, fallback])


class Color:
    """A hue by name, as `porch.themes.colors.blue` (Gradio's spelling)."""

    def __init__(self, name: str) -> None:
        self.name = name


class Size:
    """A size by name, as `porch.themes.sizes.radius_sm` (Gradio's spelling)."""

    def __init__(self, name: str) -> None:
        self.name = name


colors = SimpleNamespace(**{name: Color(name) for name in HUES})
sizes = SimpleNamespace(
    **{f"radius_{name}": Size(name) for name in RADII},
    **{f"spacing_{name}": Size(name) for name in SPACING},
    **{f"text_{name}": Size(name) for name in TEXT_SIZE},
)


class GoogleFont:
    """A font by name. porch never fetches it: the page uses it only where installed."""

    def __init__(self, name: str, weights: Any = None) -> None:
        self.name = name


class Font(GoogleFont):
    """A locally available font by name."""


class Base:
    """A theme: hues, sizes and fonts, then any variable by name with `set()`."""

    name = "base"
    # The preset's own light and dark variables, before the app's choices.
    preset: dict[str, str] = {}
    preset_dark: dict[str, str] = {}

    def __init__(self, *, primary_hue: Any = None, secondary_hue: Any = None,
                 neutral_hue: Any = None, text_size: Any = None, spacing_size: Any = None,
                 radius_size: Any = None, font: Any = None, font_mono: Any = None) -> None:
        self.primary_hue = primary_hue
        self.secondary_hue = secondary_hue
        self.neutral_hue = neutral_hue
        self.text_size = text_size
        self.spacing_size = spacing_size
        self.radius_size = radius_size
        self.font = font
        self.font_mono = font_mono
        self._set: dict[str, str] = {}

    def set(self, **variables: Any) -> Base:
        """Set variables by Gradio's names (`button_primary_background_fill="#333"`, with
        `_dark` for the dark page). Values that name other variables (`"*primary_500"`)
        are skipped: porch has no such palette."""
        for key, value in variables.items():
            if value is None:
                continue
            self._set[key] = str(value)
        return self

    def variables(self) -> tuple[dict[str, str], dict[str, str]]:
        """The `--porch-*` values this theme sets: (light, dark)."""
        light, dark = dict(self.preset), dict(self.preset_dark)
        if self.primary_hue is not None:
            hue = HUES.get(_name_of(self.primary_hue))
            if hue is None:
                raise ConfigError(f"Unknown primary_hue {self.primary_hue!r}; use one of "
                                  f"{', '.join(sorted(HUES))}.")
            light["accent"], dark["accent"] = hue
            light["accent-hover"], dark["accent-hover"] = hue
            light["accent-soft"] = _soft(hue[0])
            dark["accent-soft"] = _soft(hue[1])
            dark["accent-text"] = "#0b0d10"
        if self.radius_size is not None and _name_of(self.radius_size) in RADII:
            light["radius"], light["radius-sm"] = RADII[_name_of(self.radius_size)]
        if self.spacing_size is not None and _name_of(self.spacing_size) in SPACING:
            light["gap"] = SPACING[_name_of(self.spacing_size)]
        if self.text_size is not None and _name_of(self.text_size) in TEXT_SIZE:
            light["text-size"] = TEXT_SIZE[_name_of(self.text_size)]
        font = _font_stack(self.font, _SYSTEM_FONT)
        if font:
            light["font"] = font
        mono = _font_stack(self.font_mono, _SYSTEM_MONO)
        if mono:
            light["mono"] = mono
        for key, value in self._set.items():
            dark_variant = key.endswith("_dark")
            target = VARIABLES.get(key.removesuffix("_dark"))
            if target is None or value.startswith("*") or not _SAFE_VALUE.match(value):
                continue
            (dark if dark_variant else light)[target] = value
        return light, dark


def _soft(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, 0.16)"


class Default(Base):
    name = "default"


class Soft(Base):
    name = "soft"
    preset = {"radius": "14px", "radius-sm": "10px", "page": "#f7f7fb", "border": "#e6e6f0",
              "accent": "#6d5dfc", "accent-hover": "#5b4bf0", "accent-soft": _soft("#6d5dfc"),
              "shadow": "0 1px 3px rgba(40, 30, 120, 0.08)"}
    preset_dark = {"accent": "#9d92ff", "accent-hover": "#b3aaff",
                   "accent-soft": _soft("#9d92ff"), "accent-text": "#0b0d10"}


class Monochrome(Base):
    name = "monochrome"
    preset = {"accent": "#18181b", "accent-hover": "#3f3f46", "accent-text": "#ffffff",
              "accent-soft": "rgba(24, 24, 27, 0.12)", "radius": "4px", "radius-sm": "3px",
              "page": "#ffffff"}
    preset_dark = {"accent": "#f4f4f5", "accent-hover": "#d4d4d8", "accent-text": "#18181b",
                   "accent-soft": "rgba(244, 244, 245, 0.16)", "page": "#09090b"}


class Glass(Base):
    name = "glass"
    preset = {"page": "#e9eef5", "surface": "rgba(255, 255, 255, 0.72)",
              "accent": "#3b82f6", "accent-hover": "#2563eb", "accent-soft": _soft("#3b82f6"),
              "radius": "12px", "shadow": "0 4px 18px rgba(30, 60, 110, 0.10)"}
    preset_dark = {"surface": "rgba(30, 36, 48, 0.72)", "accent": "#60a5fa",
                   "accent-hover": "#93c5fd", "accent-soft": _soft("#60a5fa"),
                   "accent-text": "#0b0d10"}


class Origin(Default):
    name = "origin"


class Citrus(Base):
    name = "citrus"
    preset = {"accent": "#ca8a04", "accent-hover": "#a16207", "accent-soft": _soft("#ca8a04")}


class Ocean(Base):
    name = "ocean"
    preset = {"accent": "#0891b2", "accent-hover": "#0e7490", "accent-soft": _soft("#0891b2")}


PRESETS: dict[str, type[Base]] = {
    cls.name: cls for cls in (Base, Default, Soft, Monochrome, Glass, Origin, Citrus, Ocean)
}


def resolve(theme: Any) -> Base:
    """A theme given as None, a preset's name, a theme class or a theme object."""
    if theme is None:
        return Default()
    if isinstance(theme, str):
        name = theme.lower().removeprefix("gradio/")
        if name not in PRESETS:
            raise ConfigError(f"Unknown theme {theme!r}; use one of "
                              f"{', '.join(sorted(PRESETS))}, or a porch.themes.Base().")
        return PRESETS[name]()
    if isinstance(theme, type) and issubclass(theme, Base):
        return theme()
    if isinstance(theme, Base):
        return theme
    raise ConfigError(f"theme must be a name or a porch.themes.Base, got {theme!r}.")


def theme_name(theme: Any) -> str:
    return resolve(theme).name


def theme_css(theme: Any) -> str:
    """The CSS that applies `theme` over porch.css (empty for the default)."""
    light, dark = resolve(theme).variables()
    # Colours of the light set must not cover porch.css's dark set; sizes apply to both.
    both = {k: v for k, v in light.items() if k in _SHARED}
    light = {k: v for k, v in light.items() if k not in _SHARED}
    parts = []
    for media, values in ((None, both), ("light", light), ("dark", dark)):
        if not values:
            continue
        rule = ":root{" + "".join(f"--porch-{k}:{v};" for k, v in values.items()) + "}"
        parts.append(rule if media is None else
                     f"@media (prefers-color-scheme: {media}){{{rule}}}")
    return "\n".join(parts)


_SHARED = frozenset({"radius", "radius-sm", "gap", "font", "mono", "text-size"})


# Gradio exports its theme base as `gr.Theme` (subclass it to make a theme).
Theme = Base
