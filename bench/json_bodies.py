"""Big JSON bodies: what one costs the server (RSS) and everyone else (event-loop stall).

    python bench/json_bodies.py

For each case a fresh porch echo app is started; a pinger asks `/config` every 10 ms while one
client POSTs a JSON body to `/gradio_api/call/echo`. Reported: the answer's status, the
server's RSS growth, and the pinger's worst latency during the upload (how long the event loop
was blocked for everyone). `16mb cap` is the old default limit, kept for comparison.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procs import free_port  # noqa: E402

APP = """
import os, porch as gr
demo = gr.Interface(lambda x: len(x), "text", "number", api_name="echo")
demo.launch(server_port=int(os.environ["PORT"]), quiet=True,
            max_json_size=os.environ.get("CAP") or None)
"""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run_case(label: str, body_bytes: int, cap: str | None) -> list[str]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "app.py"
        app.write_text(APP)
        env = {**os.environ, "PORT": str(port), "CAP": cap or "", "PORCH_TEMP_DIR": tmp,
               "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        proc = subprocess.Popen([sys.executable, str(app)], env=env, cwd=tmp)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    httpx.get(url + "/config", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.05)
            before = rss_kib(proc.pid)
            worst = 0.0
            done = threading.Event()

            def ping() -> None:
                nonlocal worst
                with httpx.Client() as client:
                    while not done.is_set():
                        started = time.perf_counter()
                        client.get(url + "/config", timeout=30)
                        worst = max(worst, time.perf_counter() - started)
                        time.sleep(0.01)

            pinger = threading.Thread(target=ping)
            pinger.start()
            body = json.dumps({"data": ["x" * (body_bytes - 20)]}).encode()
            response = httpx.post(url + "/gradio_api/call/echo", content=body, timeout=60,
                                  headers={"content-type": "application/json"})
            time.sleep(0.3)
            done.set()
            pinger.join()
            after = rss_kib(proc.pid)
            return [label, f"{body_bytes / 2**20:.1f} MiB", str(response.status_code),
                    f"{(after - before) / 1024:+.1f} MiB", f"{worst * 1000:.0f} ms"]
        finally:
            proc.terminate()
            proc.wait(10)


def main() -> None:
    rows = [["case", "body", "status", "RSS growth", "worst /config latency"]]
    rows.append(run_case("default cap (2mb), body at 1.9 MiB", int(1.9 * 2**20), None))
    rows.append(run_case("default cap (2mb), 8 MB body", 8_000_000, None))
    rows.append(run_case("default cap (2mb), 15.7 MB body", int(15.7 * 2**20), None))
    rows.append(run_case("16mb cap (old default), 15.7 MB body", int(15.7 * 2**20), "16mb"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores, shared)")


if __name__ == "__main__":
    main()
