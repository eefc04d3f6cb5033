"""Gradio's small public helpers and data types, as porch provides them."""

from __future__ import annotations

import httpx
import pytest

import porch as gr
from porch.errors import ConfigError
from tests.conftest import free_port


def test_file_data_round_trips_the_wire_shape() -> None:
    wire = {"path": "0f/a.png", "url": "/f", "size": 3, "orig_name": "a.png",
            "mime_type": "image/png", "is_stream": False, "meta": {"_type": "gradio.FileData"},
            "extra": "ignored"}
    data = gr.FileData.from_dict(wire)
    assert data.path == "0f/a.png" and data.size == 3
    assert data.to_dict() == {k: v for k, v in wire.items() if k != "extra"}
    assert gr.FileData("x").meta == {"_type": "gradio.FileData"}


def test_delete_and_download_event_data_carry_the_file() -> None:
    event = gr.DeletedFileData(None, {"file": {"path": "0f/a.png", "size": 1}})
    assert event.file is not None and event.file.path == "0f/a.png"
    assert gr.DownloadData(None, {"file": "not a file"}).file is None
    assert gr.DownloadData(None, None).file is None


def test_html_attributes_reach_the_props_and_bad_ones_are_refused() -> None:
    box = gr.Textbox(render=False,
                     html_attributes=gr.InputHTMLAttributes(spellcheck=False, lang="fr"))
    assert box.props()["html_attributes"] == {"spellcheck": False, "lang": "fr"}
    assert gr.Textbox(render=False, html_attributes={"autocorrect": "off"}).props()[
        "html_attributes"] == {"autocorrect": "off"}
    with pytest.raises(TypeError):
        gr.Textbox(render=False, html_attributes={"onfocus": "alert(1)"})
    with pytest.raises(ConfigError, match="html_attributes"):
        gr.Textbox(render=False, html_attributes="spellcheck")


def test_version_reload_flag_and_message_dict() -> None:
    assert gr.get_package_version() == gr.__version__
    assert gr.NO_RELOAD is True
    message: gr.MessageDict = {"role": "user", "content": "hi"}
    assert message["role"] == "user"


def test_close_all_stops_every_launched_app(capsys: pytest.CaptureFixture[str]) -> None:
    apps = [gr.Interface(lambda x: x, "text", "text") for _ in range(2)]
    urls = [app.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)[1]
            for app in apps]
    assert all(httpx.get(url.rstrip("/") + "/config").status_code == 200 for url in urls)
    gr.close_all()
    assert "Closing server running on" in capsys.readouterr().out
    for url in urls:
        with pytest.raises(httpx.TransportError):
            httpx.get(url.rstrip("/") + "/config", timeout=2)
    assert all(app.server is None for app in apps)
