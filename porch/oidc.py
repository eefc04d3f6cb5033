"""`porch.oidc`: name the OpenID Connect issuer a `gr.LoginButton` signs in with.

    import porch
    porch.oidc.configure(issuer="https://id.example.com", client_id="my-app")

Settings not given here come from PORCH_OIDC_* variables (docs/login-oidc.md), so a client
secret can stay out of the code: `PORCH_OIDC_CLIENT_SECRET`.
"""

from __future__ import annotations

from porch.server.oidc.config import OidcConfig, configure

__all__ = ["OidcConfig", "configure"]
