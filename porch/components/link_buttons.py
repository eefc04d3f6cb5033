"""Link buttons: DuplicateButton (Gradio's "Duplicate this Space") and DeepLinkButton.

DeepLinkButton copies a link that reopens the page as it is now: its click asks the server
for a snapshot of the page's values (porch/server/deep_links.py says what one may hold) and
puts `?deep_link=<id>` on the page's URL; frontend/deep_link.js does the page's part.

DuplicateButton:
In Gradio the button does something only when the app runs as a Hugging Face Space: a click
opens the Hub's page for copying that Space. Elsewhere it is drawn and a click does nothing.
porch apps never run as Spaces, so the button here is what Gradio's is off the Hub: a
`huggingface`-styled button whose only action is its `link=` (point it at the app's source,
for instance). No Hub URL is ever built or opened.
"""

from __future__ import annotations

import itertools
import os
from typing import Any, Literal

from porch.components.base import Conversion
from porch.components.button import Button

_deep_link_buttons = itertools.count()


class DuplicateButton(Button):
    """A small `huggingface`-styled button; a click opens `link`, if one is given."""

    def __init__(
        self,
        value: str = "Duplicate Space",
        *,
        every: Any = None,
        inputs: Any = None,
        variant: Literal["primary", "secondary", "stop", "huggingface"] = "huggingface",
        size: Literal["sm", "md", "lg"] = "sm",
        icon: str | os.PathLike[str] | None = None,
        link: str | None = None,
        link_target: Literal["_self", "_blank", "_parent", "_top"] = "_self",
        visible: bool | Literal["hidden"] = True,
        interactive: bool = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: int | str | tuple[int | str, ...] | None = None,
        preserved_by_key: list[str] | str | None = "value",
        scale: int | None = 0,
        min_width: int | None = None,
        _activate: bool = True,
    ) -> None:
        # `_activate` wires the Hub's duplicate page when running on a Space: never here.
        super().__init__(
            value, variant=variant, size=size, icon=icon, link=link, link_target=link_target,
            min_width=min_width, visible=visible is not False, interactive=interactive,
            elem_id=elem_id, elem_classes=elem_classes, render=render, key=key, scale=scale,
            every=every, inputs=inputs)


class DeepLinkButton(Button):
    """A button that copies a link reopening the page with its current values; it reads
    `copied_value` for a moment after a copy."""

    # Whether this process ever made one (a `@render` may, long after launch): until then
    # the server need not remember what it sent each session for a link to show.
    made = False

    def __init__(
        self,
        value: str = "Share via Link",
        copied_value: str = "Link Copied!",
        *,
        inputs: Any = None,
        variant: Literal["primary", "secondary"] = "secondary",
        size: Literal["sm", "md", "lg"] = "lg",
        icon: str | os.PathLike[str] | None = None,
        link: str | None = None,
        link_target: Literal["_self", "_blank", "_parent", "_top"] = "_self",
        visible: bool | Literal["hidden"] = True,
        interactive: bool = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: int | str | tuple[int | str, ...] | None = None,
        preserved_by_key: list[str] | str | None = "value",
        scale: int | None = None,
        min_width: int | None = None,
        every: Any = None,
    ) -> None:
        self.copied_value = copied_value
        DeepLinkButton.made = True
        # As in Gradio, the id is the button's own (the page finds it by it), not the one given.
        super().__init__(
            value, variant=variant, size=size, icon=icon, link=link, link_target=link_target,
            min_width=min_width, visible=visible is not False, interactive=interactive,
            elem_id=f"gradio-share-link-button-{next(_deep_link_buttons)}",
            elem_classes=elem_classes, render=render, key=key, scale=scale, every=every,
            inputs=inputs)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        # `porch_deep_link` marks the button for the page (components/button.js).
        return {**super().props(conversion), "copied_value": self.copied_value,
                "porch_deep_link": True}
