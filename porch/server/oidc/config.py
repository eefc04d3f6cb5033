"""Which OpenID Connect issuer `gr.LoginButton` signs in with (docs/login-oidc.md).

`launch()` keeps exactly Gradio's parameters, so the issuer is named elsewhere: by
`porch.oidc.configure(...)` in the app's code, or by environment variables
(`PORCH_OIDC_ISSUER`, `PORCH_OIDC_CLIENT_ID`, `PORCH_OIDC_CLIENT_SECRET`, `PORCH_OIDC_SCOPES`,
`PORCH_OIDC_NAME`, `PORCH_OIDC_REDIRECT_URI`). Each setting is the argument given to
`configure()`, else its variable: a secret can stay out of the code. Only settings.py reads
the environment; this module is stdlib only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from porch.errors import ConfigError

DEFAULT_SCOPES = "openid profile email"
ENV = {"issuer": "PORCH_OIDC_ISSUER", "client_id": "PORCH_OIDC_CLIENT_ID",
       "client_secret": "PORCH_OIDC_CLIENT_SECRET", "scopes": "PORCH_OIDC_SCOPES",
       "name": "PORCH_OIDC_NAME", "redirect_uri": "PORCH_OIDC_REDIRECT_URI"}


def is_loopback_host(host: str | None) -> bool:
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_endpoint(url: str, what: str) -> str:
    """`url` if it is https, or http to a loopback address (a test issuer); else an error.
    Tokens and codes never travel in the clear to another machine."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is None or not host or parts.username or parts.password or parts.fragment:
        raise ConfigError(f"The OpenID Connect {what} must be an https URL, got {url!r}.")
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(host)):
        return url
    raise ConfigError(f"The OpenID Connect {what} must be https (plain http only to a "
                      f"loopback address, for tests), got {url!r}.")


@dataclass(frozen=True)
class OidcConfig:
    """One issuer and this app's registration with it.

    `client_secret` None: a public client (PKCE alone proves the code is ours). `name` is
    what the button says ("Sign in with <name>"); by default the issuer's host name.
    `redirect_uri` overrides `<the app's public URL>/login/callback` (behind a proxy that
    does not say where the app is). `login_timeout`: seconds a sign-in may take at the
    issuer before its `state` expires.
    """

    issuer: str
    client_id: str
    client_secret: str | None = None
    scopes: str = DEFAULT_SCOPES
    name: str = ""
    redirect_uri: str | None = None
    login_timeout: float = 600.0

    def __post_init__(self) -> None:
        check_endpoint(self.issuer, "issuer")
        if not self.client_id:
            raise ConfigError("OpenID Connect needs a client_id (PORCH_OIDC_CLIENT_ID).")
        if "openid" not in self.scopes.split():
            raise ConfigError(f"OpenID Connect scopes must include 'openid', got "
                              f"{self.scopes!r}.")
        if self.redirect_uri is not None:
            check_endpoint(self.redirect_uri, "redirect_uri")
        if not 0 < self.login_timeout < float("inf"):
            raise ConfigError(f"login_timeout must be positive, got {self.login_timeout!r}.")
        if not self.name:
            object.__setattr__(self, "name", urlsplit(self.issuer).hostname or self.issuer)

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


_configured: dict[str, object] = {}


def configure(issuer: str | None = None, client_id: str | None = None,
              client_secret: str | None = None, *, scopes: str | None = None,
              name: str | None = None, redirect_uri: str | None = None,
              login_timeout: float | None = None) -> None:
    """Sign in with this issuer in apps launched from now on in this process. Settings left
    out come from the PORCH_OIDC_* variables. `configure()` with no arguments forgets
    what an earlier call set."""
    given = {"issuer": issuer, "client_id": client_id, "client_secret": client_secret,
             "scopes": scopes, "name": name, "redirect_uri": redirect_uri,
             "login_timeout": login_timeout}
    _configured.clear()
    _configured.update({key: value for key, value in given.items() if value is not None})


def oidc_config(environ: Mapping[str, str]) -> OidcConfig | None:
    """The configured issuer (configure() arguments over PORCH_OIDC_* variables), or None."""
    chosen: dict[str, object] = {key: environ[var] for key, var in ENV.items()
                                 if environ.get(var)}
    chosen.update(_configured)
    if "issuer" not in chosen and "client_id" not in chosen:
        return None
    if "issuer" not in chosen:
        raise ConfigError("OpenID Connect needs an issuer URL (PORCH_OIDC_ISSUER).")
    if "client_id" not in chosen:
        raise ConfigError("OpenID Connect needs a client_id (PORCH_OIDC_CLIENT_ID).")
    return OidcConfig(**chosen)  # type: ignore[arg-type]
