"""Settings: launch arguments and the environment, combined once."""

from __future__ import annotations

from pathlib import Path

import pytest

from porch.errors import ConfigError
from porch.server.settings import Settings


def test_defaults() -> None:
    settings = Settings.build(environ={})
    assert settings.server_name == "127.0.0.1" and settings.server_port is None
    assert settings.max_file_size is None and settings.strict_files is False


def test_environment_fills_in_and_gradio_spellings_count(tmp_path: Path) -> None:
    env = {"PORCH_SERVER_PORT": "9000", "GRADIO_SERVER_NAME": "0.0.0.0",
           "PORCH_ALLOWED_PATHS": "/a, /b", "GRADIO_BLOCKED_PATHS": "/a/x",
           "PORCH_STRICT_FILES": "1", "GRADIO_TEMP_DIR": str(tmp_path)}
    settings = Settings.build(environ=env, allowed_paths=["/c"])
    assert settings.server_port == 9000 and settings.server_name == "0.0.0.0"
    assert settings.allowed_paths == ("/a", "/b", "/c")
    assert settings.blocked_paths == ("/a/x",)
    assert settings.strict_files is True
    assert settings.cache_base == tmp_path


def test_explicit_arguments_win() -> None:
    settings = Settings.build(environ={"PORCH_SERVER_PORT": "9000"}, server_port=8000,
                              max_file_size="5mb")
    assert settings.server_port == 8000
    assert settings.max_file_size == 5 * 1024 * 1024


def test_bad_port_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="PORCH_SERVER_PORT must be a number"):
        Settings.build(environ={"PORCH_SERVER_PORT": "abc"})
