"""A TCP proxy on a free loopback port that watches what a client sends to a server, and
can drop the connection once after a given number of bytes (a network failing mid-upload).

It counts the request lines it forwards by method and path (`PATCH /gradio_api/upload/tus`),
so a test sees on the wire which route an upload took. The bodies it relays are random bytes
in the tests, so a request line never appears inside one by chance.
"""

from __future__ import annotations

import re
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

_REQUEST_LINE = re.compile(rb"(GET|POST|PATCH|HEAD|OPTIONS|DELETE|PUT) (/[^ ?\r\n]*)")


class CuttingProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.sent = 0  # bytes from clients to the server, over every connection
        self.requests: Counter[tuple[str, str]] = Counter()
        self.cut_after: int | None = None  # drop once when `sent` passes this
        self.cuts = 0
        # (n, status): answer the n-th PATCH with `status` here; the server never sees it.
        self.refuse_patch: tuple[int, int] | None = None
        self.patches = 0
        self.refused = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._running = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, method: str, path_start: str) -> int:
        return sum(n for (m, p), n in self.requests.items()
                   if m == method and p.startswith(path_start))

    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream_port))
            with self._lock:
                self._sockets += [client, server]
            threading.Thread(target=self._pump_up, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(server, client),
                             daemon=True).start()

    def _refuse_patch(self, client: socket.socket, data: bytes) -> int | None:
        """If `data` opens a PATCH and one is to be refused: answer it, and return how many
        body bytes after `data` still belong to it (to swallow)."""
        if not data.startswith(b"PATCH "):
            return None
        self.patches += 1
        if self.refuse_patch is None or self.refuse_patch[0] != self.patches:
            return None
        head, sep, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
        if not sep or length is None:
            return None
        status = self.refuse_patch[1]
        self.refused += 1
        client.sendall(f"HTTP/1.1 {status} Refused\r\ncontent-length: 0\r\n\r\n".encode())
        return int(length[1]) - len(body)

    def _pump_up(self, client: socket.socket, server: socket.socket) -> None:
        tail = b""
        swallow = 0
        try:
            while data := client.recv(65536):
                if swallow > 0:
                    swallow -= len(data)
                    continue
                with self._lock:
                    left = self._refuse_patch(client, data)
                if left is not None:
                    swallow = left
                    continue
                with self._lock:
                    cut = self.cut_after is not None and self.sent + len(data) > self.cut_after
                    if cut:
                        self.cut_after = None
                        self.cuts += 1
                        data = data[: max(0, len(data) // 2)]
                    self.sent += len(data)
                    for match in _REQUEST_LINE.finditer(tail + data):
                        if match.end() > len(tail):  # not one counted before
                            self.requests[(match[1].decode(), match[2].decode())] += 1
                    tail = (tail + data)[-64:]
                server.sendall(data)
                if cut:
                    _close(client, server)
                    return
        except OSError:
            pass
        _close(client, server)

    def _pump_down(self, server: socket.socket, client: socket.socket) -> None:
        try:
            while data := server.recv(65536):
                client.sendall(data)
        except OSError:
            pass
        _close(client, server)

    def close(self) -> None:
        self._running = False
        self.listener.close()
        with self._lock:
            for sock in self._sockets:
                _close(sock)


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


@contextmanager
def cutting_proxy(upstream_url: str) -> Iterator[CuttingProxy]:
    proxy = CuttingProxy(int(upstream_url.rstrip("/").rsplit(":", 1)[1]))
    try:
        yield proxy
    finally:
        proxy.close()
