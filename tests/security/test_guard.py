"""Requests from elsewhere: Host names, cross-site writes, forwarded headers."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import porch as gr
from tests.security.conftest import Sandbox


def upload(url: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url + "/gradio_api/upload", headers=headers,
                      files={"files": ("a.txt", b"hello")})


def test_foreign_host_is_refused_when_bound_to_loopback(sandbox: Sandbox) -> None:
    status, response = sandbox.raw_get("/config", headers={"X": "y"})
    assert status == 200
    for host in ("rebind.evil.example", "localhost.evil.example", "127.0.0.1.nip.io"):
        refused = httpx.get(sandbox.url + "/config", headers={"Host": host})
        assert refused.status_code == 421
    assert httpx.get(sandbox.url + "/config", headers={"Host": "localhost:1"}).status_code == 200


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://localhost.evil",
                                    "http://127.0.0.1.evil.example", "http://localhost@evil",
                                    "http://127.0.0.1:1"])
def test_cross_site_writes_are_refused(sandbox: Sandbox, origin: str) -> None:
    response = upload(sandbox.url, {"Origin": origin})
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


def test_fetch_metadata_cross_site_is_refused(sandbox: Sandbox) -> None:
    assert upload(sandbox.url, {"Sec-Fetch-Site": "cross-site"}).status_code == 403


@pytest.mark.parametrize("origin", [None, "same", "http://localhost:{port}"])
def test_own_origin_and_plain_clients_may_write(sandbox: Sandbox, origin: str | None) -> None:
    headers = {}
    if origin == "same":
        headers["Origin"] = sandbox.url
    elif origin:
        headers["Origin"] = origin.format(port=sandbox.port)
    response = upload(sandbox.url, headers)
    assert response.status_code == 200, response.text


def test_reading_is_allowed_cross_site_but_never_shared(sandbox: Sandbox) -> None:
    response = httpx.get(sandbox.url + "/config", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scheme=st.sampled_from(["http", "https", "ftp", "null", ""]),
       host=st.from_regex(r"[a-z0-9.\-@]{1,20}", fullmatch=True),
       port=st.integers(min_value=1, max_value=65535))
def test_no_foreign_origin_can_write(sandbox: Sandbox, scheme: str, host: str,
                                     port: int) -> None:
    origin = f"{scheme}://{host}:{port}" if scheme not in ("null", "") else scheme or "x"
    local = host in ("localhost", "127.0.0.1") and port == sandbox.port and scheme == "http"
    response = upload(sandbox.url, {"Origin": origin})
    assert response.status_code == (200 if local else 403)


def test_forwarded_host_is_ignored_from_untrusted_peers(sandbox: Sandbox) -> None:
    config = httpx.get(sandbox.url + "/config",
                       headers={"X-Forwarded-Host": "evil.example",
                                "X-Forwarded-Proto": "https"}).json()
    assert config["root"] == sandbox.url


def test_forwarded_host_is_honoured_from_a_trusted_proxy(serve: Callable[..., str]) -> None:
    url = serve(gr.Interface(lambda x: x, "text", "text"), trusted_proxies=["127.0.0.1"])
    config = httpx.get(url + "/config", headers={"X-Forwarded-Host": "app.example.org",
                                                 "X-Forwarded-Proto": "https"}).json()
    assert config["root"] == "https://app.example.org"
