"""The file route over real HTTP: hostile spellings, links, and a property over raw requests.

Requests go out over a raw socket because HTTP clients normalise `..` and friends away
before sending, which would hide the very attacks under test.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import PUBLIC, SECRET, Sandbox

HOSTILE = [
    "{allowed}/../outside/secret.txt",
    "{allowed}/%2e%2e/outside/secret.txt",
    "{allowed}/..%2foutside/secret.txt",
    "{allowed}/%252e%252e/outside/secret.txt",
    "{allowed}/%c0%ae%c0%ae/outside/secret.txt",
    "{allowed}/%EF%BC%8E%EF%BC%8E/outside/secret.txt",
    "{allowed}/..%5coutside%5csecret.txt",
    "{allowed}/public.txt%00/../../outside/secret.txt",
    "{allowed}/blocked/secret.txt",
    "{allowed}/./blocked/secret.txt",
    "{allowed}//blocked/secret.txt",
    "{allowed}/sub/../blocked/secret.txt",
    "{allowed}/BLOCKED/secret.txt",
    "{allowed}/LinkBlocked/secret.txt",
    "{allowed}/link_out.txt",
    "{allowed}/.env",
    "{allowed}",
    "{allowed}/public.txt;/../../outside/secret.txt",
    "{outside}/secret.txt",
    "file://{outside}/secret.txt",
    "http://127.0.0.1:{port}/config",
    "\\\\host\\share\\secret.txt",
    "C:\\windows\\win.ini",
    "{allowed}/public.txt::$DATA",
]


def _target(sandbox: Sandbox, template: str) -> str:
    path = template.format(allowed=sandbox.allowed, outside=sandbox.outside, port=sandbox.port)
    return "/gradio_api/file=" + path


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_spelling_is_refused_without_leaking(sandbox: Sandbox, template: str) -> None:
    status, response = sandbox.raw_get(_target(sandbox, template))
    assert status in (400, 403, 404, 421)
    assert SECRET.encode() not in response


def test_granted_file_is_served(sandbox: Sandbox) -> None:
    status, response = sandbox.raw_get(_target(sandbox, "{allowed}/sub/public2.txt"))
    assert status == 200 and PUBLIC.encode() in response
    assert b"x-content-type-options: nosniff" in response.lower()


def test_refusal_is_the_same_for_missing_outside_and_blocked(sandbox: Sandbox) -> None:
    bodies = set()
    for path, name in [(sandbox.allowed / "nope.txt", "missing"),
                       (sandbox.outside / "secret.txt", "outside"),
                       (sandbox.blocked / "secret.txt", "blocked")]:
        response = httpx.get(f"{sandbox.url}/gradio_api/file={path}")
        assert response.status_code == 403, name
        bodies.add(response.json()["detail"].replace(str(path), "<path>"))
    assert bodies == {"File not allowed: <path>."}


def test_range_requests_and_bad_ranges(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/gradio_api/file={sandbox.allowed}/public.txt"
    part = httpx.get(url, headers={"Range": "bytes=0-5"})
    assert part.status_code == 206 and part.content == PUBLIC[:6].encode()
    assert httpx.get(url, headers={"Range": "bytes=999-1000"}).status_code == 416
    blocked = f"{sandbox.url}/gradio_api/file={sandbox.blocked}/secret.txt"
    assert httpx.get(blocked, headers={"Range": "bytes=0-5"}).status_code == 403


def test_etag_answers_not_modified(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/gradio_api/file={sandbox.allowed}/public.txt"
    etag = httpx.get(url).headers["etag"]
    assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304


# Characters that make up traversal and encoding tricks, plus the names in the sandbox.
PIECES = st.sampled_from(["..", ".", "/", "//", "%2e", "%2f", "%5c", "%00", "\\", ";", ":",
                          "~", "blocked", "BLOCKED", "outside", "secret.txt", "link_out.txt",
                          "LinkBlocked", ".env", "allowed", "sub", "%252e", "%c0%ae"])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, min_size=1, max_size=8))
def test_no_generated_request_reads_a_secret(sandbox: Sandbox, pieces: list[str]) -> None:
    path = str(sandbox.allowed) + "/" + "".join(pieces)
    status, response = sandbox.raw_get("/gradio_api/file=" + path)
    assert SECRET.encode() not in response
    assert status != 500


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=40))
def test_no_returned_name_escapes_the_grants(sandbox: Sandbox, name: str) -> None:
    """A function naively joining a client's text to an allowed folder never leaks."""
    response = httpx.post(f"{sandbox.url}/gradio_api/run/by_name", json={"data": [name]})
    assert response.status_code in (200, 500)
    output = response.json()
    if response.status_code == 200 and output["data"][0] is not None:
        served = httpx.get(f"{sandbox.url}/gradio_api/file="
                           + quote(output["data"][0]["path"]))
        assert SECRET.encode() not in served.content
    assert SECRET not in response.text
