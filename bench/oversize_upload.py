"""How much of an oversize upload a server reads before it refuses it, and how fast.

    python bench/oversize_upload.py [--gradio-python PATH] [--size-mib 1024] [--json OUT]

porch and Gradio 6.31 serve bench/echo_app.py with `max_file_size="10mb"`
(BENCH_MAX_FILE_SIZE). The client sends one multipart upload of `--size-mib` MiB (1 GiB by
default) to `/gradio_api/upload` over a raw socket, as fast as loopback takes it, in two
shapes: with a `Content-Length` (what browsers and gradio_client send) and chunked (no length
known up front, the shape a streaming client uses). It stops sending when the server answers
or closes, and reports the bytes sent by then and the time from the first byte to the answer.

The client's send buffer is 64 KiB (SO_SNDBUF), so what it has sent is what the server took,
within that and the server's own receive buffer. Issue 14's goal: under 11 MiB read and an
error within 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import sys
import time
from pathlib import Path
from typing import Any

from procs import ProcessGroup, free_port, sigterm_as_interrupt
from run import Target, find_gradio_python

BENCH = Path(__file__).resolve().parent
MIB = 1024 * 1024
CHUNK = 64 * 1024
BOUNDARY = "benchboundary7d3f"
ANSWER_WAIT_S = 30.0


def multipart_head() -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()


def send_oversize(port: int, size: int, chunked: bool) -> dict[str, Any]:
    head, tail = multipart_head(), f"\r\n--{BOUNDARY}--\r\n".encode()
    body_len = len(head) + size + len(tail)
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, CHUNK)
    request = (f"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n")
    request += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {body_len}\r\n"
    sock.sendall(request.encode() + b"\r\n")
    block = b"\0" * CHUNK
    sent = 0
    started = time.perf_counter()
    answer = b""
    try:
        pieces = [head] + [block] * (size // CHUNK)
        for piece in pieces:
            readable, writable, _ = select.select([sock], [sock], [], ANSWER_WAIT_S)
            if readable:
                break
            if not writable:
                raise RuntimeError("the server neither read nor answered")
            data = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        else:
            if chunked:
                sock.sendall(f"{len(tail):x}\r\n".encode() + tail + b"\r\n0\r\n\r\n")
            else:
                sock.sendall(tail)
        sock.settimeout(ANSWER_WAIT_S)
        try:
            answer = sock.recv(4096)
        except (ConnectionResetError, TimeoutError):
            answer = b""
    finally:
        elapsed = time.perf_counter() - started
        sock.close()
    status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "closed"
    return {"sent_mib": sent / MIB, "seconds": elapsed, "status": status,
            "answer": answer.split(b"\r\n\r\n", 1)[-1][:160].decode("latin-1")}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gradio-python")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    app = str(BENCH / "echo_app.py")
    targets = [Target("porch", sys.executable, [app, "porch"], "", "")]
    gradio_python = find_gradio_python(args.gradio_python)
    if gradio_python:
        targets.append(Target("gradio", gradio_python, [app, "gradio"], "", ""))
    results: dict[str, dict[str, Any]] = {}
    with sigterm_as_interrupt(), ProcessGroup() as group:
        for target in targets:
            port = free_port()
            env = {**target.env(), "BENCH_MAX_FILE_SIZE": "10mb",
                   "PYTHONPATH": str(BENCH.parent)}
            server, _ = group.start_server(target.name, target.server_cmd(port), port, env)
            results[target.name] = {
                shape: send_oversize(port, args.size_mib * MIB, shape == "chunked")
                for shape in ("content-length", "chunked")}
            results[target.name]["rss_mib"] = server.rss_mib()
    print("target | shape | sent before the answer (MiB) | answer after (s) | status")
    print("--- | --- | --- | --- | ---")
    for name, shapes in results.items():
        for shape in ("content-length", "chunked"):
            r = shapes[shape]
            print(f"{name} | {shape} | {r['sent_mib']:.2f} | {r['seconds']:.3f} | {r['status']}")
    for shape in ("content-length", "chunked"):
        r = results["porch"][shape]
        met = r["sent_mib"] < 11 and r["seconds"] < 0.2 and r["status"] == "413"
        print(f"target ({shape}): under 11 MiB read, 413 within 0.2 s: "
              f"{'met' if met else 'NOT MET'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(sys.argv[1:]))
