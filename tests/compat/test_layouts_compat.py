"""gradio_client against apps with layouts, injected parameters, updates and a @render."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import porch as gr

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client  # noqa: E402

pytestmark = pytest.mark.compat


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        with gr.Sidebar():
            name = gr.Textbox(label="name")
        with gr.Tab("Greet"):
            out = gr.Textbox(label="out")
        with gr.Accordion("More"):
            choice = gr.Dropdown(["a", "b"], label="choice", value="a")

        def greet(text: str, request: gr.Request) -> str:
            return f"{text} via {request.headers.get('x-gradio-user')} {bool(request.session_hash)}"

        def picked(value: str, evt: gr.SelectData) -> str:
            return f"{value}:{evt.index}"

        gr.Button("go").click(greet, name, out, api_name="greet")
        choice.select(picked, choice, out, api_name="picked")
        gr.Button("hide").click(lambda: gr.Textbox(visible=False), None, out, api_name="hide")

        @gr.render(inputs=name)
        def mirror(text: str) -> None:
            gr.Markdown(text or "")
    return demo


def test_request_endpoint_is_callable_and_injected_params_are_hidden(
        serve: Callable[..., str], tmp_path: Path) -> None:
    client = Client(serve(app()), verbose=False, download_files=str(tmp_path))
    assert client.predict("Ann", api_name="/greet") == "Ann via api True"
    assert client.predict("b", api_name="/picked") == "b:None"
    info = client.view_api(return_format="dict", print_info=False)
    assert [p["parameter_name"] for p in info["named_endpoints"]["/greet"]["parameters"]] == [
        "text"]
    assert [p["parameter_name"] for p in info["named_endpoints"]["/picked"]["parameters"]] == [
        "value"]
    assert "/mirror" not in info["named_endpoints"]  # a render is undocumented


def test_an_update_reaches_the_client_as_gradio_sends_it(serve: Callable[..., str],
                                                         tmp_path: Path) -> None:
    client = Client(serve(app()), verbose=False, download_files=str(tmp_path))
    assert client.predict(api_name="/hide") == {"__type__": "update", "visible": False}
