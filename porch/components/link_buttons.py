"""DuplicateButton: Gradio's "Duplicate this Space" button, as a plain link button.

In Gradio the button does something only when the app runs as a Hugging Face Space: a click
opens the Hub's page for copying that Space. Elsewhere it is drawn and a click does nothing.
porch apps never run as Spaces, so the button here is what Gradio's is off the Hub: a
`huggingface`-styled button whose only action is its `link=` (point it at the app's source,
for instance). No Hub URL is ever built or opened.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from porch.components.button import Button


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
