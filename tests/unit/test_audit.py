"""`porch audit app.py` and the exposure report: what an app exposes, before it is shared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import porch as gr
from porch.server.exposure import report, warnings_for
from porch.server.settings import Settings

APP = """
import porch as gr
def fetch(name):
    return name
demo = gr.Interface(fetch, "text", "file")
if __name__ == "__main__":
    demo.launch(allowed_paths=[{allowed!r}], blocked_paths=[{blocked!r}])
    print("launch returned")
"""


def test_audit_prints_the_report_without_serving(tmp_path: Path) -> None:
    allowed = tmp_path / "data"
    allowed.mkdir()
    (allowed / ".env").write_text("x")
    app = tmp_path / "app.py"
    app.write_text(APP.format(allowed=str(allowed), blocked=str(allowed / "private")))
    result = subprocess.run([sys.executable, "-m", "porch", "audit", str(app)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PORCH_TEMP_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Files this app exposes:" in out
    assert f"allowed  {allowed}" in out and f"blocked  {allowed / 'private'}" in out
    assert "holds dot-files (.env)" in out
    assert "endpoint /fetch turns a text input into a file output" in out
    assert "launch returned" in out  # launch() came back at once: nothing was served
    assert "Running on" not in out


def test_audit_of_a_file_that_never_launches(tmp_path: Path) -> None:
    app = tmp_path / "lib.py"
    app.write_text("x = 1\n")
    result = subprocess.run([sys.executable, "-m", "porch", "audit", str(app)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "never called launch()" in result.stderr


def test_strict_mode_and_risky_working_directories() -> None:
    demo = gr.Interface(lambda x: x, "text", "text")
    strict = Settings.build(environ={}, strict_files=True)
    assert "strict mode" in report(demo, strict, "/cache")
    loose = Settings.build(environ={})
    assert any("working directory is /" in w for w in warnings_for(demo, loose, Path("/")))
    assert warnings_for(demo, strict, Path("/")) == []
    home = Path.home().resolve()
    assert any("home folder" in w for w in warnings_for(demo, loose, home))
