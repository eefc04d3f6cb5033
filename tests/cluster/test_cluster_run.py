"""tests/cluster/run.sh, run whole: redis-server, 3 replicas, nginx round-robin, 200
gradio_client and 20 porch.Client calls, a kill -9 mid-job. It must end `0 failed` with no
event lost, duplicated or wrong."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.proxies import NGINX, require

RUN = Path(__file__).with_name("run.sh")


def test_the_cluster_run_passes_with_nothing_lost() -> None:
    require(NGINX, "nginx")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    done = subprocess.run(["sh", str(RUN)], env=env, capture_output=True, text=True,
                          timeout=600)
    report = done.stdout
    assert done.returncode == 0, report + done.stderr[-3000:]
    found = re.search(r"cluster: (\d+) passed, 0 failed", report)
    assert found and int(found.group(1)) == 221, report
    assert "events lost: 0, duplicated: 0, wrong: 0" in report, report
    assert "peak concurrency of the concurrency_limit=2 event: 2" in report, report
    assert "on attempt 2" in report, report
