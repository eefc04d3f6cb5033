"""The SSRF-safe fetcher: public addresses only, redirects re-checked, bodies capped."""

from __future__ import annotations

import http.server
import ipaddress
import socket
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
    with pytest.raises(FileNotAllowed, match="fit the size limit"):
        fetcher.fetch(f"http://127.0.0.1:{local_server}/big", cache)
    assert list(cache.root.iterdir()) == []


def test_a_name_resolving_to_any_private_address_is_refused(cache: FileCache) -> None:
    fetcher = SafeFetcher(resolver=lambda host, port: ["8.8.8.8", "127.0.0.1"])
    with pytest.raises(FileNotAllowed, match="only public http"):
        fetcher.fetch("http://mixed.example/x", cache)


@given(st.ip_addresses())
def test_public_means_globally_routable(address: object) -> None:
    ip = ipaddress.ip_address(str(address))
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:a.b.c.d reaches a.b.c.d
    if is_public(str(address)):
        assert not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                    or ip.is_unspecified or ip.is_reserved)


# ---- IPv6 spellings of IPv4 addresses -------------------------------------------------------

PRIVATE_V4 = st.one_of(
    st.ip_addresses(v=4, network="127.0.0.0/8"), st.ip_addresses(v=4, network="10.0.0.0/8"),
    st.ip_addresses(v=4, network="172.16.0.0/12"),
    st.ip_addresses(v=4, network="192.168.0.0/16"),
    st.ip_addresses(v=4, network="169.254.0.0/16"), st.ip_addresses(v=4, network="100.64.0.0/10"),
    st.ip_addresses(v=4, network="0.0.0.0/8"), st.ip_addresses(v=4, network="224.0.0.0/4"),
    st.ip_addresses(v=4, network="240.0.0.0/4"))


def embeddings(v4: ipaddress.IPv4Address, low: int, other: ipaddress.IPv4Address) -> list[str]:
    """Every IPv6 form that leads to `v4`: mapped, compatible, NAT64, 6to4, Teredo (both
    halves; the client half is stored inverted)."""
    n = int(v4)
    teredo_server = (0x20010000 << 96) | (n << 64) | (low & 0xFFFF) << 48
    return [str(ipaddress.IPv6Address(x)) for x in (
        (0xFFFF << 32) | n,                               # ::ffff:a.b.c.d
        n if n > 1 else n + 2**24,                        # ::a.b.c.d
        (0x64FF9B << 96) | n,                             # 64:ff9b::a.b.c.d
        (0x64FF9B0001 << 80) | (low & 0xFFFFFFFF),        # 64:ff9b:1::/48, local use
        (0x2002 << 112) | (n << 80) | (low & 0xFFFF),     # 2002:a.b.c.d::/48
        teredo_server | (int(other) ^ 0xFFFFFFFF),        # Teredo server = v4
        (0x20010000 << 96) | (int(other) << 64) | (n ^ 0xFFFFFFFF),  # Teredo client = v4
    )]


@given(PRIVATE_V4, st.integers(0, 2**32 - 1), st.ip_addresses(v=4))
def test_no_ipv6_spelling_of_a_private_ipv4_is_public(
        v4: ipaddress.IPv4Address, low: int, other: ipaddress.IPv4Address) -> None:
    for spelled in embeddings(v4, low, other):
        assert not is_public(spelled), spelled


@pytest.mark.parametrize("address", ["2002:7f00:1::", "2002:a00:1::1", "2002:c0a8:101::",
                                     "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::808:808",
                                     "2001:0:4136:e378:8000:63bf:80ff:fffe", "::127.0.0.1",
                                     "::ffff:10.0.0.1", "::ffff:169.254.169.254"])
def test_known_ipv6_spellings_of_private_addresses(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["::ffff:8.8.8.8", "2002:808:808::1"])
def test_ipv6_spellings_of_public_addresses_stay_public(address: str) -> None:
    assert is_public(address)


# ---- one error text, whatever the cause ------------------------------------------------------


def test_every_failure_reads_the_same(cache: FileCache, local_server: int) -> None:
    def dns_fails(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    url = "http://target.example/x"
    cases = [
        SafeFetcher(resolver=dns_fails),                                      # no such host
        SafeFetcher(resolver=lambda h, p: ["10.0.0.1"]),                      # private
        SafeFetcher(resolver=lambda h, p: ["127.0.0.1"],                      # nothing listens
                    address_allowed=lambda a: True),
        SafeFetcher(resolver=lambda h, p: ["127.0.0.1"], max_bytes=100,       # too large
                    address_allowed=lambda a: True),
    ]
    big = f"http://target.example:{local_server}/big"
    messages = set()
    for fetcher, target in zip(cases, [url, url, "http://target.example:1/x", big], strict=True):
        with pytest.raises(FileNotAllowed) as caught:
            fetcher.fetch(target, cache)
        messages.add(str(caught.value).replace(target, "<url>"))
    assert len(messages) == 1, messages
    assert not [p for p in cache.root.rglob("*") if p.is_file()]  # nothing partial kept


# ---- a total deadline ------------------------------------------------------------------------


@pytest.fixture
def drip_server() -> Iterator[int]:
    """Answers 200 with a 1,000-byte body, one byte every 0.5 s (about 8 minutes)."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def serve_one(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                for _ in range(1000):
                    if stop.wait(0.5):
                        return
                    conn.sendall(b"x")
            except OSError:
                return

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


def test_a_dripping_server_cannot_hold_a_fetch_past_its_deadline(
        cache: FileCache, drip_server: int) -> None:
    fetcher = SafeFetcher(timeout=15, deadline=2, address_allowed=lambda a: True)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            fetcher.fetch(f"http://127.0.0.1:{drip_server}/slow.bin", cache)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion below
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    # Every byte arrives well inside the 15 s read timeout, so only the 2 s deadline can end
    # this fetch; the drip itself would last about 8 minutes.
    worker.join(timeout=20)
    assert not worker.is_alive(), "the fetch outlived its deadline"
    assert len(outcome) == 1 and isinstance(outcome[0], FileNotAllowed)
    assert "only public http" in str(outcome[0])
    assert not [p for p in cache.root.rglob("*") if p.is_file() and "slow" in p.name]
