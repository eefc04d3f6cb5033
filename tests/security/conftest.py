"""A sandbox of granted, blocked and secret files, and an app serving it on a real server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import porch as gr
from tests.conftest import free_port

SECRET = "SECRET-MARKER-7f3a"
PUBLIC = "PUBLIC-MARKER-1c9e"


@dataclass
class Sandbox:
    root: Path
    allowed: Path
    blocked: Path
    outside: Path
    url: str
    port: int

    def raw_get(self, target: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """GET with the request target sent byte for byte (no client-side normalising)."""
        lines = [f"GET {target} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        response = b"".join(chunks)
        status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0
        return status, response


def make_tree(root: Path) -> tuple[Path, Path, Path]:
    allowed, outside = root / "allowed", root / "outside"
    blocked = allowed / "blocked"
    for folder in (allowed, outside, blocked, allowed / "sub"):
        folder.mkdir(parents=True, exist_ok=True)
    (allowed / "public.txt").write_text(PUBLIC)
    (allowed / "sub" / "public2.txt").write_text(PUBLIC)
    (allowed / ".env").write_text(SECRET)
    (blocked / "secret.txt").write_text(SECRET)
    (outside / "secret.txt").write_text(SECRET)
    (allowed / "link_out.txt").symlink_to(outside / "secret.txt")
    (allowed / "LinkBlocked").symlink_to(blocked)
    return allowed, blocked, outside


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    root = tmp_path_factory.mktemp("sandbox")
    allowed, blocked, outside = make_tree(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORCH_TEMP_DIR", str(root / "cache"))
        patch.chdir(root)

        def echo(path: str | None) -> str | None:
            return path

        with gr.Blocks() as demo:
            box_in, box_out = gr.File(), gr.File()
            name = gr.Textbox()
            gr.Button().click(echo, box_in, box_out, api_name="echo_file")
            gr.Button().click(lambda n: str(allowed / n), name, box_out, api_name="by_name")
        port = free_port()
        _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_port=port,
                                allowed_paths=[str(allowed)], blocked_paths=[str(blocked)],
                                max_file_size=1024)
        try:
            yield Sandbox(root, allowed, blocked, outside, url, port)
        finally:
            demo.close()
