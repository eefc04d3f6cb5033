"""The security rules of a sign-in, as pure functions (tested as tables and properties):
PKCE, where the browser may be sent afterwards, and what an ID token must say.

The ID token's signature is not checked (that would need a crypto library). OpenID Connect
Core 3.1.3.7 allows this for the code flow: the token comes straight from the issuer's token
endpoint over TLS (`config.check_endpoint` insists on https), which vouches for it. Its claims
are checked in every case: `iss`, `aud` (and `azp`), `exp`, `nonce`, `sub`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

CLOCK_SKEW = 60.0  # seconds of disagreement between our clock and the issuer's


class SignInRefused(Exception):  # noqa: N818 (a refusal, not a bug)
    """A sign-in that must not go through; the message is for the server log and the user."""


def random_token() -> str:
    return secrets.token_urlsafe(32)


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, code_challenge) for the S256 method (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)  # 64 characters of [A-Za-z0-9_-]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def same(expected: str, given: object) -> bool:
    """Constant-time equality of a secret and what a request carried."""
    return isinstance(given, str) and hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass"))


def safe_target(raw: str | None) -> str | None:
    """Where to send the browser after signing in: only a path on this origin (`/app?x=1`),
    never another site (`//evil.example`, `/\\evil.example`, `https://...`), else None."""
    if not raw or not raw.startswith("/") or raw.startswith("//"):
        return None
    if any(c == "\\" or ord(c) < 0x21 or ord(c) == 0x7F for c in raw):
        return None
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return raw


def _b64_json(part: str) -> Any:
    padded = part + "=" * (-len(part) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise SignInRefused("the ID token is not a JWT") from None


def id_token_claims(id_token: object, *, issuer: str, client_id: str, nonce: str,
                    now: float) -> dict[str, Any]:
    """The claims of an ID token from the token endpoint, if they are for this sign-in."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        raise SignInRefused("the issuer sent no ID token")
    header_part, payload_part, _signature = id_token.split(".")
    header, claims = _b64_json(header_part), _b64_json(payload_part)
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise SignInRefused("the ID token is not a JWT")
    if str(header.get("alg", "none")).lower() == "none":
        raise SignInRefused("the ID token is unsigned (alg none)")
    if claims.get("iss") != issuer:
        raise SignInRefused(f"the ID token is from {claims.get('iss')!r}, not {issuer!r}")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        raise SignInRefused("the ID token is for another client")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise SignInRefused("the ID token was issued to another party (azp)")
    expires = claims.get("exp")
    if isinstance(expires, bool) or not isinstance(expires, (int, float)) or \
            expires + CLOCK_SKEW < now:
        raise SignInRefused("the ID token has expired")
    issued = claims.get("iat")
    if isinstance(issued, bool) or not isinstance(issued, (int, float)) or \
            issued - CLOCK_SKEW > now:
        raise SignInRefused("the ID token has no valid issue time (iat)")
    if not same(nonce, claims.get("nonce")):
        raise SignInRefused("the ID token's nonce is not this sign-in's")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise SignInRefused("the ID token names no subject")
    return claims
