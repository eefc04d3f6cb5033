"""LoginButton: sign in with an OpenID Connect issuer, or sign out (docs/login-oidc.md).

Gradio's button signs in with Hugging Face only. porch's signs in with whichever issuer the
app names (`porch.oidc.configure` or PORCH_OIDC_*): a click goes to `login/oidc`, through the
issuer, and back to the page, signed in. The server then draws the button with
`logout_value` (its `{}` holding the user name) and a click signs out by a same-origin POST.
Left at Gradio's default, the text names the configured issuer: "Sign in with <name>".

The page's behaviour sits in the frontend (button.js), not in a `js=` string: porch's page
runs no code from the config (its CSP allows no eval).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from porch.components.base import Component, Conversion
from porch.components.button import Button

GRADIO_DEFAULT_VALUE = "Sign in with Hugging Face"


class LoginButton(Button):
    """A button that signs the visitor in with the app's OpenID Connect issuer, and out."""

    def __init__(
        self,
        value: str = GRADIO_DEFAULT_VALUE,
        logout_value: str = "Logout ({})",
        *,
        every: Any = None,
        inputs: Component | Sequence[Component] | set[Component] | None = None,
        variant: Literal["primary", "secondary", "stop", "huggingface"] = "huggingface",
        size: Literal["sm", "md", "lg"] = "lg",
        icon: str | Path | None = None,
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
    ) -> None:
        self.logout_value = logout_value
        super().__init__(
            value, variant=variant, size=size, icon=icon, link=link, link_target=link_target,
            min_width=min_width, visible=visible is not False, interactive=interactive,
            elem_id=elem_id, elem_classes=elem_classes, render=render, key=key, scale=scale,
            every=every, inputs=inputs)

    def activate(self) -> None:
        """Gradio wires its button's click here; porch's page always does (nothing to do)."""

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        # `porch_login` marks the button for the page; the server fills in, per page load,
        # whether this browser is signed in (routes/pages.py).
        return {**super().props(conversion), "logout_value": self.logout_value,
                "porch_login": "login/oidc", "porch_signed_in": False}
