"""Who signed in with OpenID Connect, as function parameters (Gradio's `gr.OAuthProfile` and
`gr.OAuthToken`):

    def hello(profile: porch.OAuthProfile | None) -> str:
        return "Hello, stranger" if profile is None else f"Hello {profile.name}"

A parameter annotated `OAuthProfile` or `OAuthToken` is filled in by porch (it is not an API
input, see `porch.blocks.signature`): with the visitor's profile or access token, or None when
nobody is signed in. Without `| None`, a signed-out call fails with a message asking the user to
sign in. The server (porch/server/oidc) puts both in the call's `EventContext`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SIGN_IN_REQUIRED = "This action requires a logged in user. Please sign in and retry."


class OAuthProfile(dict[str, Any]):
    """The signed-in user's claims (a dict, as in Gradio), with the usual ones as attributes:
    `name`, `username` (`preferred_username`), `profile` (a URL) and `picture` (a URL).

    Any OpenID Connect issuer may leave a claim out: `username` then falls back to the
    e-mail address or the subject, `name` to the username, the URLs to "".
    """

    name: str
    username: str
    profile: str
    picture: str

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        username = self.get("preferred_username") or self.get("email") or self.get("sub") or ""
        self.username = str(username)
        self.name = str(self.get("name") or self.username)
        self.profile = str(self.get("profile") or "")
        self.picture = str(self.get("picture") or "")


@dataclass
class OAuthToken:
    """The signed-in user's access token: `token`, its `scope` (space-separated) and
    `expires_at` (a Unix time; 0 when unknown)."""

    token: str
    scope: str
    expires_at: int

    def __repr__(self) -> str:  # a log line never carries the token itself
        return f"OAuthToken(scope={self.scope!r}, expires_at={self.expires_at})"


OAUTH_TYPES: dict[str, type] = {"OAuthProfile": OAuthProfile, "OAuthToken": OAuthToken}
