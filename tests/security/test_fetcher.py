"""The SSRF-safe fetcher: public addresses only, redirects re-checked, bodies capped."""

from __future__ import annotations

import http.server
import ipaddress
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from porch.errors import FileNotAllowed
from porch.files.cache import FileCache
from porch.server.fetcher import SafeFetcher, is_public


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", self.path.split("to=", 1)[1])
            self.end_headers()
            return
        body = b"x" * (5000 if self.path == "/big" else 10)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def cache(tmp_path: Path) -> FileCache:
    return FileCache(tmp_path)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.4",
                                     "169.254.169.254", "0.0.0.0", "::1", "::ffff:127.0.0.1",
                                     "fe80::1", "fc00::1", "100.64.0.1", "224.0.0.1",
                                     "::2"])  # ::/8 is reserved, yet is_global says True
def test_private_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert is_public(address)


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/", "http://localhost:{port}/",
                                 "http://2130706433:{port}/", "http://0x7f.1:{port}/",
                                 "http://[::1]:{port}/", "http://127.1:{port}/",
                                 "ftp://example.org/x", "file:///etc/passwd", "http:///x"])
def test_local_and_odd_urls_are_refused(url: str, cache: FileCache, local_server: int) -> None:
    with pytest.raises(FileNotAllowed):
        SafeFetcher().fetch(url.format(port=local_server), cache)
    assert list(cache.root.iterdir()) == []


def test_fetch_stores_into_the_cache(cache: FileCache, local_server: int) -> None:
    fetcher = SafeFetcher(address_allowed=lambda address: True)
    entry = fetcher.fetch(f"http://127.0.0.1:{local_server}/data.bin", cache)
    assert entry.path.read_bytes() == b"x" * 10 and entry.orig_name == "data.bin"
    assert cache.lookup(entry.path) == entry


def test_every_redirect_hop_is_checked_again(cache: FileCache, local_server: int) -> None:
    # The first hop is "public" (allowed here); the redirect aims at a refused address.
    fetcher = SafeFetcher(resolver=lambda host, port: ["127.0.0.1"],
                          address_allowed=lambda address: address == "127.0.0.1")
    target = f"http://127.0.0.1:{local_server}/redirect?to=http://[::1]:{local_server}/x"
    with pytest.raises(FileNotAllowed):
        SafeFetcher(address_allowed=lambda a: a == "127.0.0.1").fetch(target, cache)
    # ...and a redirect that stays allowed is followed.
    ok = f"http://127.0.0.1:{local_server}/redirect?to=/data.txt"
    assert fetcher.fetch(ok, cache).path.read_bytes() == b"x" * 10


def test_body_over_the_cap_leaves_nothing(cache: FileCache, local_server: int) -> None:
    fetcher = SafeFetcher(max_bytes=100, address_allowed=lambda address: True)
    with pytest.raises(FileNotAllowed, match="larger than 100 bytes"):
        fetcher.fetch(f"http://127.0.0.1:{local_server}/big", cache)
    assert list(cache.root.iterdir()) == []


def test_a_name_resolving_to_any_private_address_is_refused(cache: FileCache) -> None:
    fetcher = SafeFetcher(resolver=lambda host, port: ["8.8.8.8", "127.0.0.1"])
    with pytest.raises(FileNotAllowed, match="not a public address"):
        fetcher.fetch("http://mixed.example/x", cache)


@given(st.ip_addresses())
def test_public_means_globally_routable(address: object) -> None:
    ip = ipaddress.ip_address(str(address))
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:a.b.c.d reaches a.b.c.d
    if is_public(str(address)):
        assert not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                    or ip.is_unspecified or ip.is_reserved)
