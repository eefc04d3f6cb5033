"""kill -9 during an upload: is anything partial left in the cache, and does the restarted
app serve?

    python bench/faults.py [--framework porch gradio] [--upload-mib 8] [--json OUT]

For each framework, with a fresh cache dir (`PORCH_TEMP_DIR` / `GRADIO_TEMP_DIR`, removed at
the end):

1. start `load_apps.py <framework> mixed`; upload one small file completely (its reference
   is kept) and check that `size` reads it;
2. start a `--upload-mib` MiB upload over a raw socket, send half of its body, wait until
   the server has written some of it to disk, then SIGKILL the server's process group;
3. list what is left in the cache dir: every file, its size, and whether it is the partial
   upload (a file named like it, shorter than it), the complete one, or something else;
4. restart the app on the same port and cache dir: the time to its first `/config`, and to
   a first successful upload + call; what it answers for the reference from step 1; what is
   left in the cache dir while it runs and after it is stopped cleanly (SIGINT).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import loadkit
from loadkit import output_of
from procs import HOST, ProcessGroup, Server, free_port, sigterm_as_interrupt
from run import machine_state

PARTIAL_NAME = "partial-upload.bin"
SMALL_NAME = "complete-upload.txt"
SMALL = b"complete upload\n" * 64
WRITE_TIMEOUT_S = 20.0
BOUNDARY = "benchfaultsboundary"


def start_app(group: ProcessGroup, framework: str, python: str, cache: Path, port: int,
              ) -> tuple[Server, float]:
    cmd = [python, str(loadkit.BENCH / "load_apps.py"), framework, "mixed", str(port)]
    env = loadkit.server_env({"PORCH_TEMP_DIR": str(cache), "GRADIO_TEMP_DIR": str(cache)})
    return group.start_server(framework, cmd, port, env=env)


async def upload_and_size(url: str, name: str, content: bytes) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=loadkit.TIMEOUT) as client:
        ref = await loadkit.upload(client, name, content)
        messages = await loadkit.queue_call(client, loadkit.new_session(), 0,
                                            [loadkit.file_data(ref)])
        got = output_of(messages[-2])
        if got != [f"{name}:{len(content)}"]:
            raise loadkit.CallError(f"size answered {got!r}")
        return ref


def fetch_status(url: str, ref: str) -> str:
    """What the server answers for a file reference (`GET /file=<ref>`)."""
    response = httpx.get(f"{url}{loadkit.P}/file={ref}", timeout=10)
    body = response.content
    same = "the same bytes" if body == SMALL else f"{len(body)} other bytes"
    return f"{response.status_code} ({same})"


def begin_upload(port: int, total: int) -> tuple[socket.socket, int]:
    """Send the head and half the body of a `total`-byte multipart upload; the open socket
    and the bytes of file content sent."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"{PARTIAL_NAME}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(head) + total + len(tail)
    sock = socket.create_connection((HOST, port), timeout=10)
    sock.sendall((f"POST {loadkit.P}/upload HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                  f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                  f"Content-Length: {length}\r\n\r\n").encode() + head)
    sent, chunk = 0, b"z" * 65536
    while sent < total // 2:
        sock.sendall(chunk)
        sent += len(chunk)
    return sock, sent


def classify(cache: Path, total: int) -> list[dict[str, Any]]:
    found = []
    for dirpath, _, names in os.walk(cache):
        for name in names:
            path = Path(dirpath) / name
            size = path.lstat().st_size
            if name == PARTIAL_NAME or (size < total and name.startswith("tmp")):
                kind = "PARTIAL upload" if size < total else "the big upload (complete?)"
            elif name == SMALL_NAME:
                kind = "complete upload"
            else:
                kind = "other"
            found.append({"path": str(path.relative_to(cache)), "bytes": size, "kind": kind})
    return found


def wait_for_bytes_on_disk(cache: Path, at_least: int) -> int:
    deadline = time.monotonic() + WRITE_TIMEOUT_S
    while True:
        _, size = loadkit.tree_stats(cache)
        if size >= at_least or time.monotonic() > deadline:
            return size
        time.sleep(0.02)


def scenario(group: ProcessGroup, framework: str, python: str, total: int) -> dict[str, Any]:
    cache = Path(tempfile.mkdtemp(prefix=f"bench-faults-{framework}-"))
    try:
        port = free_port()
        server, _ = start_app(group, framework, python, cache, port)
        ref = asyncio.run(upload_and_size(server.url, SMALL_NAME, SMALL))
        sock, sent = begin_upload(port, total)
        on_disk = wait_for_bytes_on_disk(cache, len(SMALL) + sent // 2)
        os.killpg(server.pid, signal.SIGKILL)
        server.proc.wait(10)
        group.stop(server.proc)  # reaped already: only forgets it
        sock.close()
        after_kill = classify(cache, total)

        restarted, to_config = start_app(group, framework, python, cache, port)
        started = time.perf_counter()
        asyncio.run(upload_and_size(restarted.url, "after-restart.txt", b"ok\n"))
        to_serve = to_config + time.perf_counter() - started
        old_ref = fetch_status(restarted.url, ref)
        while_running = classify(cache, total)
        group.stop(restarted.proc)
        after_stop = classify(cache, total)
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    def partial(files: list[dict[str, Any]]) -> int:
        return sum(1 for f in files if f["kind"] == "PARTIAL upload")

    return {
        "upload_bytes": total, "sent_before_kill": sent, "bytes_on_disk_at_kill": on_disk,
        "files_after_kill": len(after_kill), "partial_after_kill": partial(after_kill),
        "restart_to_config_s": round(to_config, 2), "restart_to_served_s": round(to_serve, 2),
        "old_reference_after_restart": old_ref,
        "files_while_restarted": len(while_running),
        "partial_while_restarted": partial(while_running),
        "files_after_clean_stop": len(after_stop),
        "partial_after_clean_stop": partial(after_stop),
        "listing_after_kill": after_kill, "listing_after_clean_stop": after_stop,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", nargs="+", choices=["porch", "gradio"],
                        default=["porch", "gradio"])
    parser.add_argument("--gradio-python", help="python of a venv with gradio==6.31.0")
    parser.add_argument("--upload-mib", type=int, default=8)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    pythons = {"porch": sys.executable}
    if "gradio" in args.framework:
        gradio = loadkit.find_gradio_python(args.gradio_python)
        if gradio:
            pythons["gradio"] = gradio
        else:
            print("gradio: not found (skipped)")
    print(f"faults: kill -9 during a {args.upload_mib} MiB upload; {machine_state()}",
          flush=True)
    results: dict[str, dict[str, Any]] = {}
    with sigterm_as_interrupt(), ProcessGroup() as group:
        for name in args.framework:
            if name in pythons:
                results[name] = scenario(group, name, pythons[name], args.upload_mib * 2**20)
    keys = [k for k in next(iter(results.values())) if not k.startswith("listing")]
    print(loadkit.table(["", *results], [[k, *(r[k] for r in results.values())] for k in keys]))
    for name, result in results.items():
        for moment in ("listing_after_kill", "listing_after_clean_stop"):
            print(f"{name}, {moment.removeprefix('listing_').replace('_', ' ')}:")
            for f in result[moment]:
                print(f"  {f['bytes']:>9}  {f['kind']:<16} {f['path']}")
    if args.json:
        args.json.write_text(json.dumps(results))
    return 1 if any(r["partial_after_kill"] or r["partial_while_restarted"]
                    for r in results.values()) else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("interrupted; every server was stopped", file=sys.stderr)
        sys.exit(130)
