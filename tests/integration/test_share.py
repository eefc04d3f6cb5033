"""Share links through a real OpenSSH server on loopback (throwaway host and user keys):
the app answers through the tunnel's remote port, and the tunnel dies with the app."""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

import porch as gr
from porch.errors import ConfigError
from porch.server.tunnel import ShareTarget
from tests.conftest import free_port
from tests.proxies import sshd

AUTH = ("ann", "s3cret-pw")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    with sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def share_env(ssh_server: tuple[int, str], monkeypatch: pytest.MonkeyPatch,
              tmp_path: Path) -> str:
    """PORCH_SHARE_SERVER/_SSH_COMMAND set for the test sshd; returns the server URL."""
    port, command = ssh_server
    server = f"ssh://{getpass.getuser()}@127.0.0.1:{port}?bind=127.0.0.1"
    monkeypatch.setenv("PORCH_SHARE_SERVER", server)
    monkeypatch.setenv("PORCH_SHARE_SSH_COMMAND", command)
    monkeypatch.setenv("PORCH_TEMP_DIR", str(tmp_path / "cache"))
    return server


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        text, out = gr.Textbox(), gr.Textbox()
        gr.Button().click(lambda x: x[::-1], text, out, api_name="reverse")
    return demo


def refuses(url: str) -> bool:
    try:
        httpx.get(url + "/config", timeout=5)
    except httpx.TransportError:
        return True
    return False


def test_share_link_reaches_the_app_and_dies_with_it(share_env: str, tmp_path: Path) -> None:
    demo = app()
    _, local_url, share_url = demo.launch(prevent_thread_lock=True, quiet=True,
                                          server_port=free_port(), share=True, auth=AUTH)
    try:
        assert share_url is not None and share_url.startswith("http://127.0.0.1:")
        assert share_url != local_url
        assert httpx.get(share_url + "/config").status_code == 401  # the login holds there too
        client = Client(share_url, auth=AUTH, verbose=False, download_files=str(tmp_path))
        assert client.predict("abc", api_name="/reverse") == "cba"
    finally:
        demo.close()
    assert refuses(share_url)


def test_fixed_remote_port_and_public_url(share_env: str) -> None:
    remote = free_port()
    server = share_env.replace("?", f"?remote_port={remote}&public_url=http://share.example&")
    demo = app()
    _, _, share_url = demo.launch(prevent_thread_lock=True, quiet=True,
                                  server_port=free_port(), share=server)
    try:
        assert share_url == "http://share.example"
        tunnel = f"http://127.0.0.1:{remote}"
        # Browsers arrive with the public name as Host: answered although bound to loopback.
        assert httpx.get(tunnel + "/config", headers={"Host": "share.example"}
                         ).status_code == 200
        assert httpx.get(tunnel + "/config", headers={"Host": "other.example"}
                         ).status_code == 421
    finally:
        demo.close()
    assert refuses(f"http://127.0.0.1:{remote}")


def test_the_printed_message_suggests_auth(share_env: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    demo = app()
    demo.launch(prevent_thread_lock=True, server_port=free_port(), share=True)
    demo.close()
    out = capsys.readouterr().out
    assert "Running on public URL: http://127.0.0.1:" in out
    assert "auth=" in out


def test_share_without_a_server_explains_how(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("PORCH_SHARE_SERVER", raising=False)
    monkeypatch.delenv("GRADIO_SHARE_SERVER", raising=False)
    demo = app()
    _, url, share_url = demo.launch(prevent_thread_lock=True, quiet=True,
                                    server_port=free_port(), share=True)
    try:
        assert share_url is None
        assert httpx.get(url + "/config").status_code == 200
    finally:
        demo.close()
    err = capsys.readouterr().err
    assert "PORCH_SHARE_SERVER=ssh://user@host" in err and "locally only" in err


def test_a_tunnel_that_cannot_open_says_why(share_env: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    closed = free_port()  # nothing listens there
    demo = app()
    _, url, share_url = demo.launch(
        prevent_thread_lock=True, quiet=True, server_port=free_port(),
        share=f"ssh://{getpass.getuser()}@127.0.0.1:{closed}")
    try:
        assert share_url is None
        assert httpx.get(url + "/config").status_code == 200
    finally:
        demo.close()
    err = capsys.readouterr().err
    assert "did not open" in err and "refused" in err.lower()


KILLED_APP = """
import porch as gr
demo = gr.Interface(lambda x: x, "text", "text")
_, _, url = demo.launch(prevent_thread_lock=True, quiet=True, share=True)
print(url, flush=True)
import time
time.sleep(600)
"""


def test_a_killed_app_leaves_no_tunnel(share_env: str) -> None:
    process = subprocess.Popen([sys.executable, "-c", KILLED_APP], stdout=subprocess.PIPE,
                               text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert process.stdout is not None
        share_url = process.stdout.readline().strip()
        assert share_url.startswith("http://127.0.0.1:"), share_url
        assert httpx.get(share_url + "/config").status_code == 200
    finally:
        process.kill()  # no close(), no atexit: only the watchdog can end ssh now
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    port = int(share_url.rsplit(":", 1)[1])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and listening(port):
        time.sleep(0.1)
    assert not listening(port)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("spec", ["user@host", "http://host", "ssh://", "ssh://-oProxyCommand=x",
                                  "ssh://host?remote_port=99999", "ssh://host?evil=1",
                                  "ssh://host?bind=-x", "ssh://host?public_url=javascript:x",
                                  "ssh://host:notaport", "ssh://[", "ssh://@"])
def test_bad_share_servers_are_clear_errors(spec: str) -> None:
    with pytest.raises(ConfigError):
        ShareTarget.parse(spec)


def test_share_server_spelling() -> None:
    target = ShareTarget.parse("ssh://me@example.org:2222?remote_port=8080&bind=0.0.0.0")
    assert (target.user, target.host, target.port) == ("me", "example.org", 2222)
    assert (target.remote_port, target.bind) == (8080, "0.0.0.0")
    assert target.url_for(8080) == "http://example.org:8080"
    assert ShareTarget.parse("ssh://[::1]").url_for(5) == "http://[::1]:5"
