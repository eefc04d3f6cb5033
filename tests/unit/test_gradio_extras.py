"""Gradio's remaining helpers: SimpleCSVLogger, queue()'s order, mount_gradio_app, deploy
and the %%blocks cell magic."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

import porch as gr
from porch.errors import ConfigError
from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests


@pytest.fixture(autouse=True)
def clean_warnings():
    reset_for_tests()
    yield
    reset_for_tests()


def test_simple_csv_logger_flags_rows(tmp_path):
    box = gr.Textbox(label="Words", render=False)
    logger = gr.SimpleCSVLogger()
    logger.setup([box], tmp_path)
    assert logger.flag(["hello"]) == 1
    assert "hello" in next(tmp_path.glob("*.csv")).read_text()


def test_queue_takes_gradio_s_positional_order():
    demo = gr.Blocks().queue("auto", None, 3, default_concurrency_limit="not_set")
    assert demo.max_queue_size == 3 and demo.default_concurrency_limit == 1
    with pytest.warns(UnhonouredOptionWarning, match="`api_open=`"):
        demo.queue(api_open=False)


def test_mount_gradio_app_returns_the_host_app():
    from starlette.testclient import TestClient

    with gr.Blocks() as demo:
        gr.Textbox("hi")
    host = Starlette()
    assert gr.mount_gradio_app(host, demo, "/demo") is host
    with TestClient(host) as client:
        assert client.get("/demo/config").json()["components"]


def test_deploy_refuses_and_names_the_alternative():
    with pytest.raises(ConfigError, match="porch app.py --no-reload"):
        gr.deploy()


class _Shell:
    """The two things of an IPython shell the extension uses."""

    def __init__(self):
        self.user_ns: dict = {}
        self.magics: dict = {}

    def register_magic_function(self, fn, magic_kind, magic_name):
        self.magics[(magic_kind, magic_name)] = fn

    def run_cell(self, cell):
        exec(cell, self.user_ns)


def test_blocks_cell_magic_relaunches_on_the_same_port():
    shell = _Shell()
    gr.load_ipython_extension(shell)
    magic = shell.magics[("cell", "blocks")]
    cell = "import porch as gr\nwith gr.Blocks() as demo:\n    gr.Markdown('{}')\n"
    try:
        _, first, _ = magic("", cell.format("one"))
        _, second, _ = magic("", cell.format("two"))
        assert first == second
        assert "two" in httpx.get(f"{second}/config").text
        with pytest.raises(ConfigError, match="--demo-name"):
            magic("--demo-name app", cell.format("three"))
    finally:
        gr.close_all(verbose=False)
