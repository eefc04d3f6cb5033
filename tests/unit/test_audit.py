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
    assert "cleanup  at most 5 GiB or a quarter of the free disk, files unused for 86400 s" \
        in out
    assert "on disk  0 file(s), 0 B under" in out
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


def test_report_names_the_cache_rules_and_what_is_on_disk(tmp_path: Path) -> None:
    demo = gr.Interface(lambda x: x, "text", "text")
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.bin").write_bytes(b"x" * 3000)
    (tmp_path / "g.bin").write_bytes(b"y" * 100)
    env = {"PORCH_TEMP_DIR": str(tmp_path)}
    capped = Settings.build(environ=env, cache_max_size="2mb", cache_max_idle=60)
    text = report(demo, capped, tmp_path / "instance")
    assert "cleanup  at most 2.0 MiB, files unused for 60 s removed" in text
    assert f"on disk  2 file(s), 3.0 KiB under {tmp_path}" in text
    unlimited = Settings.build(environ={**env, "PORCH_CACHE_MAX_IDLE": "unlimited"},
                               cache_max_size="unlimited")
    assert "cleanup  no size cap, unused files kept forever" in report(demo, unlimited, "/c")


def test_report_says_whether_the_login_is_required_or_optional() -> None:
    demo = gr.Interface(lambda x: x, "text", "text")
    required = Settings.build(environ={}, auth=("a", "b"), server_name="0.0.0.0")
    optional = Settings.build(environ={}, auth=("a", "b"), login_optional=True,
                              server_name="0.0.0.0")
    assert "login    required for every route" in report(demo, required, "/c")
    assert "login    optional (login_optional=True)" in report(demo, optional, "/c")
    # An optional login leaves the app open to whoever reaches it: the warning stays.
    assert not any("without a login" in w for w in warnings_for(demo, required))
    assert any("without a login" in w for w in warnings_for(demo, optional))
