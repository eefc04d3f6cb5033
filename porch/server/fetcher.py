"""The one way porch fetches a URL on the server's behalf: public addresses only.

A URL given as a file input (or returned as a file output) would otherwise let any client
make the server reach 127.0.0.1, the cloud metadata service or the office network (SSRF).
So: http(s) only; the name is resolved once and every address must be public; the request
goes to that pinned address (no second lookup an attacker's DNS could answer differently);
redirects are followed by hand and each hop is checked again; the body is size- and
time-capped while it streams, straight into the cache. Clients are never redirected.
"""

from __future__ import annotations

import ipaddress
import logging
import posixpath
import socket
from collections.abc import Callable
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx

from porch.errors import FileNotAllowed, UploadRejected
from porch.files.cache import CacheEntry, FileCache

log = logging.getLogger("porch.server")

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global alone lets through reserved blocks such as ::/8 (found by a property test).
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


class SafeFetcher:
    def __init__(
        self,
        *,
        max_bytes: int | None = 100 * 1024 * 1024,
        timeout: float = 15.0,
        max_redirects: int = 3,
        resolver: Resolver = resolve,
        address_allowed: Callable[[str], bool] = is_public,
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_redirects = max_redirects
        self.resolver = resolver
        self.address_allowed = address_allowed

    def fetch(self, url: str, cache: FileCache) -> CacheEntry:
        """Download `url` into the cache, or raise FileNotAllowed (never a partial entry)."""
        current = url
        with httpx.Client(timeout=self.timeout, follow_redirects=False,
                          trust_env=False) as client:
            for _ in range(self.max_redirects + 1):
                target, host_header, hostname = self._pin(current)
                try:
                    with client.stream("GET", target, headers={"Host": host_header},
                                       extensions={"sni_hostname": hostname}) as response:
                        if response.is_redirect:
                            current = urljoin(current, response.headers.get("location", ""))
                            continue
                        if response.status_code != 200:
                            raise FileNotAllowed(
                                f"Could not fetch {url}: the server answered "
                                f"{response.status_code}.")
                        return self._store(url, current, response, cache)
                except httpx.HTTPError as exc:
                    log.info("fetch of %s failed: %s", url, exc)
                    raise FileNotAllowed(f"Could not fetch {url}.") from None
        raise FileNotAllowed(f"Could not fetch {url}: too many redirects.")

    def _pin(self, url: str) -> tuple[str, str, str]:
        """(URL aimed at a checked address, Host header, name for TLS) or refuse."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise FileNotAllowed(f"Not a valid URL: {url}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FileNotAllowed(f"Only http and https URLs can be fetched: {url}")
        port = port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.resolver(parts.hostname, port)
        except (OSError, UnicodeError):
            raise FileNotAllowed(f"Could not resolve the host of {url}") from None
        # Every address must be public: a name that also resolves privately is refused.
        if not addresses or not all(self.address_allowed(a) for a in addresses):
            log.info("refused fetch of %s: resolves to %s", url, addresses)
            raise FileNotAllowed(f"URL not allowed (not a public address): {url}")
        address = addresses[0]
        netloc = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        return pinned, host_header, parts.hostname

    def _store(self, url: str, final: str, response: httpx.Response,
               cache: FileCache) -> CacheEntry:
        declared = response.headers.get("content-length", "")
        if self.max_bytes is not None and declared.isdigit() and int(declared) > self.max_bytes:
            raise FileNotAllowed(f"Could not fetch {url}: larger than {self.max_bytes} bytes.")
        name = posixpath.basename(unquote(urlsplit(final).path)) or "download"
        with cache.open_writer(name, max_bytes=self.max_bytes) as pending:
            try:
                for chunk in response.iter_bytes():
                    pending.write(chunk)
            except UploadRejected:
                raise FileNotAllowed(
                    f"Could not fetch {url}: larger than {self.max_bytes} bytes.") from None
            return pending.commit()
