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
import time
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


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known prefix: the last 32 bits are IPv4
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # local-use translators: never public
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: mapped, 6to4, Teredo, NAT64, compatible.

    Each is a way to spell 127.0.0.1 or 10.0.0.1 that a plain IPv6 check calls global
    (2002:7f00:1:: is `is_global` to the stdlib).
    """
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client): either may be the private one
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _routable(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # is_global alone lets through reserved blocks such as ::/8 (found by a property test).
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_LOCAL:
            return False
        embedded = embedded_ipv4(ip)
        if not all(_routable(v4) for v4 in embedded):
            return False
        if ip.ipv4_mapped is not None:
            return True  # ::ffff:a.b.c.d is a.b.c.d, checked just above
    return _routable(ip)


class _Refused(Exception):
    """Why a fetch failed, for the server log only: clients all see FETCH_FAILED."""


# One answer whatever went wrong: a message that differed for "no such host", "private
# address", "connection refused" or "timed out" would let a client map the server's network
# (which names resolve, which internal hosts listen) through the error text.
FETCH_FAILED = ("Could not fetch {url}: only public http(s) URLs that answer in time and fit "
                "the size limit can be used.")


class SafeFetcher:
    def __init__(
        self,
        *,
        max_bytes: int | None = 100 * 1024 * 1024,
        timeout: float = 15.0,
        deadline: float = 60.0,
        max_redirects: int = 3,
        resolver: Resolver = resolve,
        address_allowed: Callable[[str], bool] = is_public,
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout = timeout  # for any one network wait
        self.deadline = deadline  # for the whole fetch: every hop, header and body byte
        self.max_redirects = max_redirects
        self.resolver = resolver
        self.address_allowed = address_allowed

    def fetch(self, url: str, cache: FileCache) -> CacheEntry:
        """Download `url` into the cache, or raise FileNotAllowed (never a partial entry)."""
        ends = time.monotonic() + self.deadline
        try:
            return self._fetch(url, cache, ends)
        except _Refused as why:
            log.info("fetch of %s refused: %s", url, why)
        except httpx.HTTPError as exc:
            log.info("fetch of %s failed: %r", url, exc)
        raise FileNotAllowed(FETCH_FAILED.format(url=url))

    def _fetch(self, url: str, cache: FileCache, ends: float) -> CacheEntry:
        current = url
        with httpx.Client(timeout=self.timeout, follow_redirects=False,
                          trust_env=False) as client:
            for _ in range(self.max_redirects + 1):
                target, host_header, hostname = self._pin(current)
                with client.stream("GET", target, headers={"Host": host_header},
                                   extensions={"sni_hostname": hostname},
                                   timeout=self._timeout(ends)) as response:
                    if response.is_redirect:
                        current = urljoin(current, response.headers.get("location", ""))
                        continue
                    if response.status_code != 200:
                        raise _Refused(f"the server answered {response.status_code}")
                    return self._store(current, response, cache, ends)
        raise _Refused("too many redirects")

    def _timeout(self, ends: float) -> httpx.Timeout:
        remaining = ends - time.monotonic()
        if remaining <= 0:
            raise _Refused(f"past the {self.deadline} s deadline")
        return httpx.Timeout(min(self.timeout, remaining))

    def _pin(self, url: str) -> tuple[str, str, str]:
        """(URL aimed at a checked address, Host header, name for TLS) or refuse."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise _Refused("not a valid URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _Refused("only http and https URLs")
        port = port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.resolver(parts.hostname, port)
        except (OSError, UnicodeError) as exc:
            raise _Refused(f"the host does not resolve ({exc})") from None
        # Every address must be public: a name that also resolves privately is refused.
        if not addresses or not all(self.address_allowed(a) for a in addresses):
            raise _Refused(f"not a public address: {addresses}")
        address = addresses[0]
        netloc = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        return pinned, host_header, parts.hostname

    def _store(self, final: str, response: httpx.Response, cache: FileCache,
               ends: float) -> CacheEntry:
        declared = response.headers.get("content-length", "")
        if self.max_bytes is not None and declared.isdigit() and int(declared) > self.max_bytes:
            raise _Refused(f"declared {declared} bytes, over {self.max_bytes}")
        # httpcore reads the per-read timeout from the request's extensions at every socket
        # read, so shrinking it as the deadline nears bounds a server that drips one byte
        # just inside each read timeout (the whole fetch ends by `ends`, not by N timeouts).
        timeouts = response.request.extensions.get("timeout")
        name = posixpath.basename(unquote(urlsplit(final).path)) or "download"
        with cache.open_writer(name, max_bytes=self.max_bytes) as pending:
            try:
                for chunk in response.iter_bytes():
                    pending.write(chunk)
                    remaining = ends - time.monotonic()
                    if remaining <= 0:
                        raise _Refused(f"past the {self.deadline} s deadline")
                    if isinstance(timeouts, dict):
                        timeouts["read"] = min(self.timeout, remaining)
            except UploadRejected:
                raise _Refused(f"larger than {self.max_bytes} bytes") from None
            return pending.commit()
