"""Choosing a backend: launch(backend=), PORCH_BACKEND and `porch app.py --backend`; a bad
URL, an unreachable Redis and a missing redis-py each fail at launch, naming the fix."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

import porch as gr
from porch import cli
from porch.errors import ConfigError
from porch.server.backend import BackendURLError, backend_url
from porch.server.settings import Settings
from tests.conftest import free_port


def _app() -> gr.Blocks:
    with gr.Blocks() as demo:
        gr.Textbox()
    return demo


@pytest.mark.parametrize("value", [None, "", "  ", "memory", "MEMORY"])
def test_no_backend_or_memory_means_this_process(value: str | None) -> None:
    assert backend_url(value) is None
    assert Settings.build(backend=value, environ={}).backend is None


@pytest.mark.parametrize("value", ["redis://127.0.0.1:6379/0", "rediss://cache.example:6380",
                                   "redis://:secret@10.0.0.5:6379/3", "unix:///run/redis.sock"])
def test_redis_urls_are_taken_as_given(value: str) -> None:
    assert backend_url(value) == value


@pytest.mark.parametrize("value", [
    "http://127.0.0.1:6379", "postgres://db/1", "127.0.0.1:6379", "redis", "redis://",
    "redis://host:notaport/0", "redis://host:99999/0", "redis://host:6379/zero", "unix://",
])
def test_a_bad_url_is_a_value_error_naming_it(value: str) -> None:
    with pytest.raises(BackendURLError) as caught:
        backend_url(value)
    assert isinstance(caught.value, ValueError)
    assert repr(value) in str(caught.value)


def test_launch_refuses_a_bad_url_before_serving() -> None:
    with pytest.raises(ValueError, match="'http://nowhere'"):
        _app().launch(backend="http://nowhere", prevent_thread_lock=True, quiet=True)


def test_the_environment_names_the_backend_and_launch_wins() -> None:
    env = {"PORCH_BACKEND": "redis://127.0.0.1:1/0"}
    assert Settings.build(environ=env).backend == "redis://127.0.0.1:1/0"
    assert Settings.build(environ=env, backend="redis://other:2/1").backend == \
        "redis://other:2/1"
    with pytest.raises(BackendURLError, match="'ftp://x'"):
        Settings.build(environ={"PORCH_BACKEND": "ftp://x"})


def test_an_unreachable_redis_fails_launch_naming_the_url() -> None:
    port = free_port()  # nothing listens there
    url = f"redis://user:hunter2@127.0.0.1:{port}/0"
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        _app().launch(backend=url, server_port=free_port(), prevent_thread_lock=True,
                      quiet=True)
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message and "Cannot reach the backend" in message
    assert "hunter2" not in message  # a password never reaches an error or a log
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert time.monotonic() - started < 10


def test_launch_with_a_redis_backend_serves(redis_url: str, redis_client, serve,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCH_CLUSTER_SECRET", "s3cret")
    url = serve(_app(), backend=redis_url)
    assert httpx.get(url + "/config").status_code == 200


def test_without_redis_py_the_error_names_the_extra(redis_url: str, tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        sys.modules["redis"] = None  # as if redis-py were not installed
        import porch as gr
        from porch.errors import ConfigError
        with gr.Blocks() as demo:
            gr.Textbox()
        try:
            demo.launch(backend={redis_url!r}, prevent_thread_lock=True, quiet=True)
        except ConfigError as exc:
            print(exc)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path, env=_child_env(tmp_path))
    assert "pip install 'porch[redis]'" in done.stdout, done.stderr


def test_the_command_line_passes_the_backend_to_the_app(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capfd: pytest.CaptureFixture[str]
                                                        ) -> None:
    monkeypatch.setenv("PORCH_BACKEND", "memory")  # restored after the test
    app = tmp_path / "app.py"
    app.write_text("import os\nprint('backend:', os.environ['PORCH_BACKEND'])\n")
    assert cli.main([str(app), "--no-reload", "--backend", "redis://127.0.0.1:7/2"]) == 0
    assert "backend: redis://127.0.0.1:7/2" in capfd.readouterr().out


def test_the_command_line_refuses_a_bad_backend(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    app = tmp_path / "app.py"
    app.write_text("print('ran')\n")
    with pytest.raises(SystemExit) as caught:
        cli.main([str(app), "--no-reload", "--backend", "mysql://x"])
    assert caught.value.code == 2
    assert "'mysql://x'" in capsys.readouterr().err


def _child_env(tmp_path: Path) -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "PORCH_TEMP_DIR": str(tmp_path)}
