"""Hostile request shapes over a real server: huge JSON bodies, slow clients, odd Origins.

Raw sockets where an HTTP client would tidy the attack away (two Origin headers, a request
head that never ends, a body trickled a byte at a time).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import porch as gr
from porch.server.guard import parse_origin
from porch.server.settings import DEFAULT_MAX_JSON_BYTES, Settings
from tests.security.conftest import Sandbox


def echo_app() -> gr.Blocks:
    def slow_count(n: float):  # type: ignore[no-untyped-def]
        for i in range(int(n)):
            time.sleep(0.5)
            yield i

    with gr.Blocks() as demo:
        text_in, text_out = gr.Textbox(), gr.Textbox()
        gr.Button().click(lambda x: x[:20], text_in, text_out, api_name="echo")
        number, counted = gr.Number(), gr.Number()
        gr.Button().click(slow_count, number, counted, api_name="count")
    return demo


def post_json(url: str, path: str, body: object, **kwargs: object) -> httpx.Response:
    return httpx.post(url + path, content=json.dumps(body).encode(),
                      headers={"content-type": "application/json"}, timeout=30, **kwargs)


def chunked(data: bytes, size: int = 65536) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


# ---- JSON bodies ---------------------------------------------------------------------------


def test_json_bodies_are_capped_by_default_on_every_json_route(
        serve: Callable[..., str]) -> None:
    url = serve(echo_app())
    big = "x" * (DEFAULT_MAX_JSON_BYTES + 1)
    for path, body in [("/gradio_api/call/echo", {"data": [big]}),
                       ("/gradio_api/run/echo", {"data": [big]}),
                       ("/gradio_api/queue/join",
                        {"data": [big], "fn_index": 0, "session_hash": "s1"})]:
        refused = post_json(url, path, body)
        assert refused.status_code == 413, path
        assert "max_json_size" in refused.json()["detail"]
    # The 8 MB body of the issue, sent without a Content-Length (chunked): counted as it
    # streams and refused all the same.
    eight_mb = json.dumps({"data": ["y" * 8_000_000]}).encode()
    refused = httpx.post(url + "/gradio_api/call/echo", content=chunked(eight_mb),
                         headers={"content-type": "application/json"}, timeout=30)
    assert refused.status_code == 413
    # A body under the cap (1 MiB, parsed in a worker thread) is answered, and the server
    # keeps serving after the refusals.
    accepted = post_json(url, "/gradio_api/run/echo", {"data": ["z" * 1024 * 1024]})
    assert accepted.status_code == 200
    assert accepted.json()["data"] == ["z" * 20]


def test_max_json_size_is_the_authors_to_set(serve: Callable[..., str]) -> None:
    url = serve(echo_app(), max_json_size="10kb")
    assert post_json(url, "/gradio_api/run/echo", {"data": ["a" * 20_000]}).status_code == 413
    assert post_json(url, "/gradio_api/run/echo", {"data": ["a" * 5_000]}).status_code == 200
    roomy = serve(echo_app(), max_json_size=4 * 1024 * 1024)
    ok = post_json(roomy, "/gradio_api/run/echo", {"data": ["b" * 3 * 1024 * 1024]})
    assert ok.status_code == 200


def test_json_and_timeout_settings_come_from_arguments_or_the_environment() -> None:
    assert Settings.build(environ={}).max_json_bytes == DEFAULT_MAX_JSON_BYTES
    assert Settings.build(environ={"PORCH_MAX_JSON_SIZE": "5mb"}).max_json_bytes == 5 * 2**20
    assert Settings.build(max_json_size=100, environ={}).max_json_bytes == 100
    timed = Settings.build(environ={"PORCH_BODY_TIMEOUT": "7", "PORCH_HEADER_TIMEOUT": "3",
                                    "PORCH_MIN_BODY_RATE": "2kb"})
    assert (timed.body_timeout, timed.header_timeout, timed.min_body_rate) == (7.0, 3.0, 2048)
    from porch.errors import ConfigError

    for bad in ({"max_json_size": 0}, {"body_timeout": -1}, {"header_timeout": float("inf")},
                {"min_body_rate": "fast"}):
        with pytest.raises(ConfigError):
            Settings.build(environ={}, **bad)  # type: ignore[arg-type]


# ---- slow clients --------------------------------------------------------------------------


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=15)
    return sock


def read_until_closed(sock: socket.socket, limit: float = 15.0) -> bytes:
    """Everything the server sends until it closes the connection (bounded by `limit`)."""
    sock.settimeout(limit)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except TimeoutError:
        pytest.fail("the server kept the connection open")
    return b"".join(chunks)


@pytest.fixture
def strict_url(serve: Callable[..., str]) -> str:
    return serve(echo_app(), header_timeout=1, body_timeout=1, min_body_rate=200)


def test_a_connection_that_never_sends_a_request_is_closed(strict_url: str) -> None:
    with connect(strict_url) as sock:
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408")


def test_a_request_head_trickled_forever_is_cut_off(strict_url: str) -> None:
    port = urlsplit(strict_url).port
    with connect(strict_url) as sock:
        sock.sendall(f"GET /config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        stop = threading.Event()

        def trickle() -> None:
            for i in range(40):  # at most 20 s of header lines, a line every 0.5 s
                if stop.wait(0.5):
                    return
                try:
                    sock.sendall(f"X-{i}: a\r\n".encode())
                except OSError:
                    return

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        try:
            # Meanwhile the server answers everyone else.
            assert httpx.get(strict_url + "/config", timeout=10).status_code == 200
            answer = read_until_closed(sock)
        finally:
            stop.set()
            thread.join()
    assert answer.startswith(b"HTTP/1.1 408")


def send_trickled_body(url: str, pause: float, count: int) -> bytes:
    port = urlsplit(url).port
    body = json.dumps({"data": ["t" * 500]}).encode()
    with connect(url) as sock:
        sock.sendall((f"POST /gradio_api/run/echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      "Content-Type: application/json\r\n"
                      f"Content-Length: {len(body)}\r\n\r\n").encode())
        answer = b""
        sock.settimeout(pause)
        for byte in body[:count]:
            try:
                sock.sendall(bytes([byte]))
                answer += sock.recv(65536)  # a byte per `pause`, unless the server answers
            except TimeoutError:
                continue
            except OSError:
                break
            if answer:
                break
        return answer + read_until_closed(sock)


def test_a_trickled_body_is_cut_off_with_408(strict_url: str) -> None:
    # 2.5 bytes a second against a floor of 200: cut off once the first second is over.
    answer = send_trickled_body(strict_url, pause=0.4, count=60)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"too slowly" in answer
    assert httpx.get(strict_url + "/config", timeout=10).status_code == 200


def test_a_body_that_stalls_is_cut_off(strict_url: str) -> None:
    port = urlsplit(strict_url).port
    with connect(strict_url) as sock:
        sock.sendall((f"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      "Content-Type: multipart/form-data; boundary=b\r\n"
                      "Content-Length: 100000\r\n\r\n--b\r\n").encode())
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408")


def test_a_kept_alive_connection_left_idle_is_closed(strict_url: str) -> None:
    port = urlsplit(strict_url).port
    with connect(strict_url) as sock:
        sock.sendall(f"GET /config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 200")  # answered, then closed while idle


def test_streams_and_honest_bodies_are_not_cut(strict_url: str) -> None:
    # A response that streams for longer than every request deadline is output, not input.
    client_url = strict_url + "/gradio_api/call/count"
    event_id = post_json(strict_url, "/gradio_api/call/count", {"data": [5]}).json()["event_id"]
    with httpx.stream("GET", f"{client_url}/{event_id}", timeout=30) as stream:
        text = "".join(stream.iter_text())
    assert "event: complete" in text and "[4]" in text
    # A body sent at a steady, honest pace (above the floor) gets through.
    body = json.dumps({"data": ["h" * 3000]}).encode()

    def paced() -> Iterator[bytes]:
        for start in range(0, len(body), 500):
            time.sleep(0.2)
            yield body[start:start + 500]

    ok = httpx.post(strict_url + "/gradio_api/run/echo", content=paced(),
                    headers={"content-type": "application/json"}, timeout=30)
    assert ok.status_code == 200


# ---- Origin --------------------------------------------------------------------------------


def raw_upload(sandbox: Sandbox, *extra_headers: str, host: str | None = None) -> int:
    body = b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\n" \
           b"hi\r\n--b--\r\n"
    head = ["POST /gradio_api/upload HTTP/1.1", f"Host: {host or f'127.0.0.1:{sandbox.port}'}",
            "Content-Type: multipart/form-data; boundary=b", f"Content-Length: {len(body)}",
            "Connection: close", *extra_headers]
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        answer = read_until_closed(sock)
    return int(answer.split(b" ", 2)[1])


def test_two_origin_headers_are_refused(sandbox: Sandbox) -> None:
    own = f"Origin: http://127.0.0.1:{sandbox.port}"
    assert raw_upload(sandbox, own) == 200
    assert raw_upload(sandbox, own, own) == 403
    assert raw_upload(sandbox, own, "Origin: https://evil.example") == 403


def test_origin_must_match_scheme_host_and_port_exactly(sandbox: Sandbox) -> None:
    port = sandbox.port
    assert raw_upload(sandbox, f"Origin: https://127.0.0.1:{port}") == 403  # scheme
    assert raw_upload(sandbox, f"Origin: http://127.0.0.1:{port}/") == 403  # not an origin
    assert raw_upload(sandbox, f"Origin: http://127.0.0.1:{port}/path") == 403
    # Host without a port means port 80: an Origin naming another port is another site.
    assert raw_upload(sandbox, f"Origin: http://127.0.0.1:{port}", host="127.0.0.1") == 403
    assert raw_upload(sandbox, "Origin: http://127.0.0.1", host="127.0.0.1") == 200
    assert raw_upload(sandbox, "Origin: http://127.0.0.1:80", host="127.0.0.1") == 200


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scheme=st.sampled_from(["http", "https", "HTTP", "ws"]),
       host=st.sampled_from(["127.0.0.1", "localhost", "[::1]", "evil.example",
                             "127.0.0.1.evil.example"]),
       port_delta=st.sampled_from([0, 0, 1, -1]),
       suffix=st.sampled_from(["", "", "/", "/x", "?q", "#f"]))
def test_only_the_apps_own_origin_may_write(sandbox: Sandbox, scheme: str, host: str,
                                            port_delta: int, suffix: str) -> None:
    origin = f"{scheme}://{host}:{sandbox.port + port_delta}{suffix}"
    own = scheme.lower() == "http" and host in ("127.0.0.1", "localhost", "[::1]") \
        and port_delta == 0 and suffix == ""
    assert raw_upload(sandbox, f"Origin: {origin}") == (200 if own else 403)


@given(scheme=st.sampled_from(["http", "https"]),
       host=st.from_regex(r"[a-z0-9]([a-z0-9\-]{0,20}[a-z0-9])?(\.[a-z]{2,6}){0,2}",
                          fullmatch=True),
       port=st.one_of(st.none(), st.integers(1, 65535)))
def test_parse_origin_reads_every_serialised_origin(scheme: str, host: str,
                                                    port: int | None) -> None:
    text = f"{scheme}://{host}" + (f":{port}" if port is not None else "")
    default = 443 if scheme == "https" else 80
    assert parse_origin(text) == (scheme, host, port if port is not None else default)
    for junk in ("/", "/a", "?a", "#a"):
        assert parse_origin(text + junk) is None
    assert parse_origin(f"{scheme}://user@{host}") is None
    assert parse_origin("null") is None
