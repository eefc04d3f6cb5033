"""Sharing settings and URL arithmetic: root paths, public roots, allowed hosts, embedding
origins and share-server specs, with properties for the parts that meet untrusted text."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from porch.errors import ConfigError
from porch.server.guard import RequestGuard
from porch.server.headers import embedding_option, frame_ancestors
from porch.server.settings import Settings
from porch.server.tunnel import ShareTarget, ShareTunnel
from porch.server.urls import BASE_KEY, PrefixRouting, public_path, public_root


@pytest.mark.parametrize(("given_path", "expected"), [
    ("", ""), ("/", ""), ("/apps/demo", "/apps/demo"), ("/apps/demo/", "/apps/demo"),
    ("apps/demo", "/apps/demo"), ("https://example.com/x/", "https://example.com/x"),
])
def test_root_path_spellings(given_path: str, expected: str) -> None:
    assert Settings.build(root_path=given_path, environ={}).root_path == expected


@pytest.mark.parametrize("bad", ["/a?b", "/a#b", "/a b", "\\\\host\\share", "/a\nb"])
def test_bad_root_paths_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="root_path"):
        Settings.build(root_path=bad, environ={})


def test_sharing_settings_from_the_environment() -> None:
    settings = Settings.build(environ={
        "PORCH_ROOT_PATH": "/p", "PORCH_ALLOWED_HOSTS": "Example.com, b.example",
        "PORCH_SHARE_SERVER": "ssh://me@host", "PORCH_SHARE_SSH_COMMAND": "ssh -i key"},
        allowed_hosts=["c.example"])
    assert settings.root_path == "/p"
    assert settings.allowed_hosts == ("example.com", "b.example", "c.example")
    assert settings.share_server == "ssh://me@host"
    assert settings.share_ssh_command == "ssh -i key"


def scope(path: str = "/config", root: str = "", host: str = "h:1", scheme: str = "http",
          **extra: Any) -> dict[str, Any]:
    return {"type": "http", "path": path, "root_path": root, "scheme": scheme,
            "headers": [(b"host", host.encode())], "query_string": b"", **extra}


@pytest.mark.parametrize(("request_scope", "root_path", "root", "path"), [
    (scope(), "", "http://h:1", "/"),
    (scope(), "/apps/demo", "http://h:1/apps/demo", "/apps/demo/"),
    (scope(root="/demo"), "", "http://h:1/demo", "/demo/"),  # mounted
    (scope(root="/demo"), "/p", "http://h:1/p/demo", "/p/demo/"),  # mounted, behind a proxy
    (scope(root="/apps/demo", **{BASE_KEY: ""}), "/apps/demo", "http://h:1/apps/demo",
     "/apps/demo/"),  # the proxy kept the prefix
    (scope(scheme="https"), "https://pub.example/x", "https://pub.example/x", "/x/"),
])
def test_public_root_and_path(request_scope: dict[str, Any], root_path: str, root: str,
                              path: str) -> None:
    assert public_root(request_scope, root_path) == root
    assert public_path(request_scope, root_path) == path


def run_prefix(app_scope: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    sent: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []

    async def inner(inner_scope: Any, receive: Any, send: Any) -> None:
        seen.append(inner_scope)

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(PrefixRouting(inner, root_path="/apps/demo")(app_scope, None, send))  # type: ignore[arg-type]
    return sent, seen[0] if seen else None


def test_prefix_routing() -> None:
    _, moved = run_prefix(scope("/apps/demo/config"))
    assert moved is not None and moved["root_path"] == "/apps/demo" and moved[BASE_KEY] == ""
    _, untouched = run_prefix(scope("/config"))
    assert untouched is not None and untouched["root_path"] == ""
    _, lookalike = run_prefix(scope("/apps/demox/config"))
    assert lookalike is not None and lookalike["root_path"] == ""
    sent, none = run_prefix(scope("/apps/demo", query_string=b"a=1"))
    assert none is None and sent[0]["status"] == 307
    assert dict(sent[0]["headers"])[b"location"] == b"/apps/demo/?a=1"


def guard_status(guard: RequestGuard, host: str, peer: str = "127.0.0.1",
                 headers: tuple[tuple[bytes, bytes], ...] = ()) -> tuple[int, Any]:
    seen: list[Any] = []
    statuses: list[int] = []

    async def inner(inner_scope: Any, receive: Any, send: Any) -> None:
        seen.append(inner_scope)
        statuses.append(200)

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    guard.app = inner
    request = {"type": "http", "method": "GET", "path": "/", "client": (peer, 1),
               "headers": [(b"host", host.encode()), *headers], "scheme": "http"}
    asyncio.run(guard(request, None, send))  # type: ignore[arg-type]
    return statuses[0], seen[0] if seen else None


def test_allowed_hosts_are_answered_on_loopback() -> None:
    guard = RequestGuard(None, bound_to_loopback=True, allowed_hosts=["share.example:80"])  # type: ignore[arg-type]
    assert guard_status(guard, "share.example:4321")[0] == 200
    assert guard_status(guard, "SHARE.example")[0] == 200
    assert guard_status(guard, "evil.example")[0] == 421


def test_forwarded_for_counts_only_from_trusted_proxies() -> None:
    forwarded = ((b"x-forwarded-for", b"198.51.100.9, 203.0.113.5"),)
    trusting = RequestGuard(None, bound_to_loopback=True, trusted_proxies=["127.0.0.1"])  # type: ignore[arg-type]
    _, seen = guard_status(trusting, "localhost", headers=forwarded)
    assert seen["client"][0] == "203.0.113.5"  # the address the proxy itself saw
    _, seen = guard_status(trusting, "localhost", headers=((b"x-forwarded-for", b"junk"),))
    assert seen["client"][0] == "127.0.0.1"
    wary = RequestGuard(None, bound_to_loopback=True)  # type: ignore[arg-type]
    _, seen = guard_status(wary, "localhost", headers=forwarded)
    assert seen["client"][0] == "127.0.0.1"


@given(st.lists(st.text(max_size=40), max_size=4))
def test_embedding_origins_never_break_out_of_the_header(origins: list[str]) -> None:
    try:
        value = frame_ancestors(embedding_option(origins))
    except ConfigError:
        return
    assert not any(c in value for c in ";,\r\n'\"") or value.startswith("'self'")
    for part in value.split(" ")[1:]:
        assert part.startswith(("http://", "https://")) and ";" not in part and "," not in part


@given(st.text(max_size=60))
def test_share_specs_never_put_an_option_where_ssh_expects_a_host(spec: str) -> None:
    try:
        target = ShareTarget.parse("ssh://" + spec)
    except ConfigError:
        return
    argv = ShareTunnel(target, "127.0.0.1", 7860, "ssh").argv
    destination = argv[-1]
    assert argv[-2] == "--" and not destination.startswith("-")
    assert all(not part.isspace() for part in argv)
