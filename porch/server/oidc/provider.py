"""Talking to the issuer with httpx: discovery, the token exchange, userinfo.

Every URL comes from the app's own configuration or from the issuer's discovery document
(never from a visitor), and must be https (http only to loopback, for tests). Redirects are
not followed: an endpoint answers itself or the sign-in fails.
"""

from __future__ import annotations

import base64
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import httpx

from porch.server.oidc.checks import SignInRefused
from porch.server.oidc.config import OidcConfig, check_endpoint

log = logging.getLogger("porch.server")

DISCOVERY_TTL = 3600.0  # re-read the issuer's metadata hourly (endpoints and keys rotate)
TIMEOUT = httpx.Timeout(10.0)
MAX_DOCUMENT_BYTES = 256 * 1024


@dataclass(frozen=True)
class Metadata:
    """The parts of the discovery document a sign-in uses."""

    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str | None
    token_auth_method: str  # client_secret_basic, client_secret_post, or none


def _json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    if len(response.content) > MAX_DOCUMENT_BYTES:
        raise SignInRefused(f"the issuer's {what} answer is too large")
    try:
        value = response.json()
    except ValueError:
        raise SignInRefused(f"the issuer's {what} answer is not JSON") from None
    if not isinstance(value, dict):
        raise SignInRefused(f"the issuer's {what} answer is not a JSON object")
    return value


def _endpoint(document: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = document.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise SignInRefused(f"the issuer's metadata has no {key}")
    try:
        return check_endpoint(value, key)
    except Exception as exc:  # ConfigError: a bad document is the issuer's fault, not ours
        raise SignInRefused(str(exc)) from None


class Provider:
    """One issuer, as this app's client. Discovery is cached for DISCOVERY_TTL."""

    def __init__(self, config: OidcConfig) -> None:
        self.config = config
        self._metadata: Metadata | None = None
        self._read_at = 0.0

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False, trust_env=False)

    async def metadata(self) -> Metadata:
        if self._metadata is not None and time.monotonic() - self._read_at < DISCOVERY_TTL:
            return self._metadata
        try:
            async with self._client() as client:
                response = await client.get(self.config.discovery_url,
                                            headers={"accept": "application/json"})
        except httpx.HTTPError as exc:
            raise SignInRefused(f"the issuer could not be reached ({exc})") from None
        if response.status_code != 200:
            raise SignInRefused(f"the issuer's discovery answered {response.status_code}")
        document = _json_object(response, "discovery")
        # OpenID Connect Discovery 4.3: the document must name the issuer we asked.
        if document.get("issuer") != self.config.issuer:
            raise SignInRefused(f"the discovery document is for {document.get('issuer')!r}, "
                                f"not {self.config.issuer!r}")
        methods = document.get("token_endpoint_auth_methods_supported") or \
            ["client_secret_basic"]
        if self.config.client_secret is None:
            method = "none"
        elif "client_secret_basic" in methods or "client_secret_post" not in methods:
            method = "client_secret_basic"
        else:
            method = "client_secret_post"
        metadata = Metadata(
            authorization_endpoint=str(_endpoint(document, "authorization_endpoint")),
            token_endpoint=str(_endpoint(document, "token_endpoint")),
            userinfo_endpoint=_endpoint(document, "userinfo_endpoint", required=False),
            token_auth_method=method)
        self._metadata, self._read_at = metadata, time.monotonic()
        return metadata

    async def exchange(self, code: str, *, code_verifier: str,
                       redirect_uri: str) -> dict[str, Any]:
        """The token endpoint's answer for `code` (access_token, id_token, expires_in...)."""
        metadata = await self.metadata()
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": redirect_uri, "code_verifier": code_verifier}
        headers = {"accept": "application/json"}
        secret = self.config.client_secret
        if metadata.token_auth_method == "client_secret_basic" and secret is not None:
            # RFC 6749 2.3.1: both parts form-encoded, then Basic.
            pair = f"{quote_plus(self.config.client_id)}:{quote_plus(secret)}"
            headers["authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form["client_id"] = self.config.client_id
            if secret is not None:
                form["client_secret"] = secret
        try:
            async with self._client() as client:
                response = await client.post(metadata.token_endpoint, data=form,
                                             headers=headers)
        except httpx.HTTPError as exc:
            raise SignInRefused(f"the token endpoint could not be reached ({exc})") from None
        answer = _json_object(response, "token")
        if response.status_code != 200:
            raise SignInRefused(f"the issuer refused the code: {answer.get('error')!r}")
        if not isinstance(answer.get("access_token"), str) or \
                str(answer.get("token_type", "")).lower() != "bearer":
            raise SignInRefused("the token endpoint sent no bearer access token")
        return answer

    async def userinfo(self, access_token: str) -> dict[str, Any] | None:
        """The userinfo endpoint's claims, or None when the issuer has none."""
        metadata = await self.metadata()
        if metadata.userinfo_endpoint is None:
            return None
        try:
            async with self._client() as client:
                response = await client.get(
                    metadata.userinfo_endpoint,
                    headers={"authorization": f"Bearer {access_token}",
                             "accept": "application/json"})
        except httpx.HTTPError as exc:
            raise SignInRefused(f"the userinfo endpoint could not be reached ({exc})") from None
        if response.status_code != 200:
            raise SignInRefused(f"the userinfo endpoint answered {response.status_code}")
        return _json_object(response, "userinfo")
