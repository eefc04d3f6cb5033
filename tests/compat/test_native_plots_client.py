"""gradio_client against porch's native plots, ParamViewer and Dialogue: values arrive as
Gradio sends them, and what is sent as input comes back unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import porch as gr
from tests.conftest import free_port

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
pd = pytest.importorskip("pandas", reason="install the test extras")
from gradio_client import Client  # noqa: E402
from gradio_client.utils import json_schema_to_python_type  # noqa: E402

pytestmark = pytest.mark.compat


def squares(n: float) -> Any:
    return pd.DataFrame({"t": list(range(int(n))), "v": [i * i for i in range(int(n))],
                         "kind": ["even" if i % 2 == 0 else "odd" for i in range(int(n))]})


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        n = gr.Number(3)
        line = gr.LinePlot(x="t", y="v", color="kind")
        bars = gr.BarPlot(x="t", y="v")
        gr.Button("Draw").click(squares, n, line, api_name="draw")

        def rows(plot: dict[str, Any]) -> Any:
            assert plot["columns"] == ["t", "v", "kind"]
            return plot

        gr.Button("Echo").click(rows, line, bars, api_name="echo")
        params = gr.ParamViewer()
        gr.Button("Params").click(lambda p: p, params, params, api_name="params")
        talk = gr.Dialogue(speakers=["Ann", "Bo"])
        lines = gr.Dialogue(type="list")
        said = gr.Textbox()
        gr.Button("Say").click(lambda d: d, talk, said, api_name="say")
        gr.Button("Lines").click(lambda d: d[::-1], lines, lines, api_name="lines")
    return demo


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORCH_TEMP_DIR", str(tmp_path_factory.mktemp("cache")))
        demo = build()
        _, local, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                                  server_port=free_port(), quiet=True)
        try:
            yield Client(local, verbose=False,
                         download_files=str(Path(tmp_path_factory.mktemp("dl"))))
        finally:
            demo.close()


def test_a_frame_arrives_as_plot_data(client: Client) -> None:
    result = client.predict(4, api_name="/draw")
    assert result == {
        "columns": ["t", "v", "kind"],
        "data": [[0, 0, "even"], [1, 1, "odd"], [2, 4, "even"], [3, 9, "odd"]],
        "datatypes": {"t": "quantitative", "v": "quantitative", "kind": "nominal"},
        "mark": "line",
    }


def test_plot_data_as_input_round_trips(client: Client) -> None:
    value = client.predict(2, api_name="/draw")
    assert client.predict(value, api_name="/echo") == value


def test_view_api_types_match_gradios(client: Client) -> None:
    info = client.view_api(print_info=False, return_format="dict")
    returned = info["named_endpoints"]["/draw"]["returns"][0]
    assert returned["component"] == "LinePlot"
    assert returned["python_type"]["type"] == json_schema_to_python_type(
        {"type": {}, "description": "any valid json"})


def test_param_viewer_round_trips(client: Client) -> None:
    value = {"x": {"type": "int", "description": "How many.", "default": "1"}}
    assert client.predict(value, api_name="/params") == value


def test_dialogue_lines_in_text_and_lines_out(client: Client) -> None:
    lines = [{"speaker": "Ann", "text": "Hi"}, {"speaker": "Bo", "text": "Yo"}]
    assert client.predict(lines, api_name="/say") == "[Ann] Hi\n[Bo] Yo"
    assert client.predict(lines, api_name="/lines") == lines[::-1]
    info = client.view_api(print_info=False, return_format="dict")
    parameter = info["named_endpoints"]["/say"]["parameters"][0]
    assert parameter["python_type"]["type"] == "list[dict(speaker: str, text: str)] | str"
