"""Signing in with any OpenID Connect issuer (docs/login-oidc.md)."""
