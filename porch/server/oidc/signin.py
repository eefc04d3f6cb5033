"""A sign-in from start to end: the authorization code flow with PKCE, `state` and `nonce`.

1. `begin`: a fresh state, nonce and PKCE verifier are kept on the server under the state;
   the browser gets the state in a short-lived cookie too, and is sent to the issuer.
2. `finish`: the issuer sends the browser back with `code` and `state`. The state must be
   the one in this browser's cookie (so nobody can sign a victim in to their own account by
   sending them a callback link) and must still be pending (each is taken once, and expires
   after `login_timeout`). The code is exchanged with the verifier; the ID token's claims
   must match (checks.id_token_claims); userinfo must be about the same subject.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from porch.blocks.oauth import OAuthProfile, OAuthToken
from porch.server.oidc.checks import (
    SignInRefused,
    id_token_claims,
    pkce_pair,
    random_token,
    same,
)
from porch.server.oidc.config import OidcConfig
from porch.server.oidc.provider import Provider
from porch.server.oidc.sessions import (
    PendingSignIns,
    PendingStore,
    SignedIn,
    SignedInSessions,
    SignedInStore,
)

log = logging.getLogger("porch.server")

DEFAULT_TOKEN_LIFE = 3600  # when the token endpoint does not say (expires_in is optional)
PROFILE_CLAIMS = ("sub", "name", "given_name", "family_name", "middle_name", "nickname",
                  "preferred_username", "profile", "picture", "website", "email",
                  "email_verified", "gender", "birthdate", "zoneinfo", "locale",
                  "phone_number", "phone_number_verified", "address", "updated_at")


class OidcSignIn:
    """An app's sign-in with one issuer: the provider, pending sign-ins, signed-in browsers,
    and the names of its two cookies (random per app, as `auth.Auth`'s are)."""

    def __init__(self, config: OidcConfig, *, pending: PendingStore | None = None,
                 sessions: SignedInStore | None = None) -> None:
        self.config = config
        self.provider = Provider(config)
        self.pending: PendingStore = pending if pending is not None else \
            PendingSignIns(config.login_timeout)
        self.sessions: SignedInStore = sessions if sessions is not None else SignedInSessions()
        suffix = secrets.token_hex(4)
        self.cookie_name = f"porch-oidc-{suffix}"
        self.state_cookie_name = f"porch-oidc-state-{suffix}"

    async def begin(self, *, redirect_uri: str, target: str) -> tuple[str, str]:
        """(the issuer's authorization URL, the state for the browser's cookie)."""
        metadata = await self.provider.metadata()
        verifier, challenge = pkce_pair()
        pending = self.pending.start(nonce=random_token(), code_verifier=verifier,
                                     redirect_uri=redirect_uri, target=target)
        query = urlencode({
            "response_type": "code", "client_id": self.config.client_id,
            "redirect_uri": redirect_uri, "scope": self.config.scopes,
            "state": pending.state, "nonce": pending.nonce,
            "code_challenge": challenge, "code_challenge_method": "S256"})
        joiner = "&" if "?" in metadata.authorization_endpoint else "?"
        return f"{metadata.authorization_endpoint}{joiner}{query}", pending.state

    async def finish(self, query: dict[str, str], cookie_state: str | None,
                     ) -> tuple[SignedIn, str]:
        """(who signed in, where to send the browser) for the issuer's callback `query`."""
        state = query.get("state", "")
        if not state or cookie_state is None or not same(cookie_state, state):
            raise SignInRefused("the sign-in's state is not this browser's")
        pending = self.pending.take(state)
        if pending is None:
            raise SignInRefused("the sign-in has expired or was already used; sign in again")
        if "error" in query:
            raise SignInRefused(f"the issuer said {query['error']!r}: "
                                f"{query.get('error_description', '')}".rstrip(": "))
        # RFC 9207: an issuer that names itself in its answer must name the one we asked.
        if "iss" in query and query["iss"] != self.config.issuer:
            raise SignInRefused(f"the answer is from {query['iss']!r}, not the issuer")
        code = query.get("code", "")
        if not code:
            raise SignInRefused("the issuer sent no code")
        answer = await self.provider.exchange(code, code_verifier=pending.code_verifier,
                                              redirect_uri=pending.redirect_uri)
        now = time.time()
        claims = id_token_claims(answer.get("id_token"), issuer=self.config.issuer,
                                 client_id=self.config.client_id, nonce=pending.nonce, now=now)
        access_token: str = answer["access_token"]
        userinfo = await self.provider.userinfo(access_token)
        # Core 5.3.2: userinfo about anyone else than the ID token's subject is refused.
        if userinfo is not None and userinfo.get("sub") != claims["sub"]:
            raise SignInRefused("userinfo is about another subject than the ID token")
        profile: dict[str, Any] = {k: claims[k] for k in PROFILE_CLAIMS if k in claims}
        profile.update(userinfo or {})
        life = answer.get("expires_in")
        if isinstance(life, bool) or not isinstance(life, (int, float)) or life <= 0:
            life = DEFAULT_TOKEN_LIFE
        expires_at = int(now + life)
        scope = answer.get("scope")
        token = OAuthToken(token=access_token,
                           scope=scope if isinstance(scope, str) else self.config.scopes,
                           expires_at=expires_at)
        return SignedIn(OAuthProfile(profile), token, float(expires_at)), pending.target
