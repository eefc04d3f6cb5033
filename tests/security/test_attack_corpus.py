"""The public attack corpus (../shared/attack) against tests/security/attack_app.py.

Every case that runs must be SAFE and every control OK. The corpus lives beside the
checkout (shared/ is the team's, not the package's); CI always has it.
"""

from __future__ import annotations

import os
import random
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT.parent / "shared" / "attack" / "run_attacks.py"
FEATURES = "queue_join,url_output,flagging,auth"


def free_port_block(size: int = 10) -> int:
    """A base port with `size` free ports after it (the runner uses base..base+9)."""
    for _ in range(200):
        base = random.randrange(20000, 60000, size)
        sockets = []
        try:
            for port in range(base, base + size):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no block of free ports found")


def test_public_attack_corpus_passes(tmp_path: Path) -> None:
    if not RUNNER.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the attack corpus is missing at {RUNNER}")
        pytest.skip(f"the attack corpus is not beside this checkout ({RUNNER})")
    app = ROOT / "tests" / "security" / "attack_app.py"
    result = subprocess.run(
        [sys.executable, str(RUNNER), "--target", f"cmd:{sys.executable} {app}",
         "--features", FEATURES, "--log-dir", str(tmp_path / "logs"),
         "--port-base", str(free_port_block()),
         "--json-out", str(tmp_path / "report.json")],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert re.search(r"^\d+ passed, 0 failed$", result.stdout, re.MULTILINE), result.stdout
