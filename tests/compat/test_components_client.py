"""gradio_client reads every porch component the way it reads Gradio's.

One app echoes a value through every component (each is an input and an output of the same
endpoint); gradio_client must print the same Python types Gradio 6 prints for the same
components, and `predict` must bring each value back unchanged.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import porch as gr
from tests.conftest import free_port

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client  # noqa: E402

pytestmark = pytest.mark.compat

# (name, porch component, the same component's constructor call in Gradio, a value to echo)
CASES: list[tuple[str, Any, str, Any]] = [
    ("textbox", gr.Textbox(label="textbox"), "gr.Textbox()", "hi"),
    ("number", gr.Number(label="number"), "gr.Number()", 2.5),
    ("slider", gr.Slider(0, 10, label="slider"), "gr.Slider(0, 10)", 7),
    ("checkbox", gr.Checkbox(label="checkbox"), "gr.Checkbox()", True),
    ("checkboxgroup", gr.CheckboxGroup(["a", "b"], label="checkboxgroup"),
     "gr.CheckboxGroup(['a', 'b'])", ["b"]),
    ("radio", gr.Radio(["a", "b"], label="radio"), "gr.Radio(['a', 'b'])", "b"),
    ("dropdown", gr.Dropdown(["a", ("Bee", "b")], label="dropdown"),
     "gr.Dropdown(['a', ('Bee', 'b')])", "b"),
    ("multiselect", gr.Dropdown(["a", "b"], multiselect=True, label="multiselect"),
     "gr.Dropdown(['a', 'b'], multiselect=True)", ["a", "b"]),
    ("colorpicker", gr.ColorPicker(label="colorpicker"), "gr.ColorPicker()", "#ff8800"),
    ("datetime", gr.DateTime(label="datetime"), "gr.DateTime()", "2020-10-01 05:20:15"),
    ("html", gr.HTML(label="html"), "gr.HTML()", "<b>bold</b>"),
    ("markdown", gr.Markdown(label="markdown"), "gr.Markdown()", "# Title"),
    ("code", gr.Code(label="code"), "gr.Code()", "x = 1"),
    ("json", gr.JSON(label="json"), "gr.JSON()", {"a": [1, None]}),
    ("label", gr.Label(label="label"), "gr.Label()",
     {"label": "cat", "confidences": [{"label": "cat", "confidence": 0.75},
                                      {"label": "dog", "confidence": 0.25}]}),
    ("highlightedtext", gr.HighlightedText(label="highlightedtext"), "gr.HighlightedText()",
     [{"token": "The ", "class_or_confidence": None},
      {"token": "fox", "class_or_confidence": "noun"}]),
    ("dataframe", gr.Dataframe(label="dataframe"), "gr.Dataframe()",
     {"headers": ["n", "s"], "data": [[1, "x"], [2, "y"]], "metadata": None}),
    ("browserstate", gr.BrowserState(), "gr.BrowserState()", [1, "two"]),
]


def gradio_python_types() -> dict[str, str]:
    """What gradio_client prints for the same components when Gradio serves them (Gradio
    runs in a subprocess, as tests/compat/test_client_vs_gradio.py does)."""
    calls = {name: call for name, _, call, _ in CASES}
    calls["plot"] = "gr.Plot()"
    code = (
        "import json, sys, warnings; warnings.simplefilter('ignore'); import gradio as gr; "
        "from gradio_client.utils import json_schema_to_python_type as py; "
        "calls = json.loads(sys.argv[1]); "
        "print(json.dumps({k: py(eval(v).api_info()) for k, v in calls.items()}))"
    )
    out = subprocess.run([sys.executable, "-c", code, json.dumps(calls)], capture_output=True,
                         text=True, check=True, timeout=180).stdout
    result: dict[str, str] = json.loads(out.strip().splitlines()[-1])
    return result


def build() -> gr.Blocks:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    def draw(n: float) -> Figure:
        fig = Figure(figsize=(2, 1.5))
        fig.add_subplot().plot(range(int(n) + 2))
        return fig

    with gr.Blocks() as demo:
        components = [component for _, component, _, _ in CASES]
        for component in components:
            component.render()

        def echo(*values: Any) -> tuple[Any, ...]:
            return values

        gr.Button("Echo").click(echo, components, components, api_name="echo")
        plot = gr.Plot(label="plot")
        gr.Button("Draw").click(draw, components[1], plot, api_name="draw")
    return demo


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORCH_TEMP_DIR", str(tmp_path_factory.mktemp("cache")))
        demo = build()
        _, local, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                                  server_port=free_port(), quiet=True)
        try:
            yield local
        finally:
            demo.close()


@pytest.fixture(scope="module")
def client(url: str, tmp_path_factory: pytest.TempPathFactory) -> Client:
    return Client(url, verbose=False, download_files=str(tmp_path_factory.mktemp("dl")))


def test_view_api_shows_gradios_python_types(client: Client) -> None:
    expected = gradio_python_types()
    api = client.view_api(return_format="dict", print_info=False)
    echo = api["named_endpoints"]["/echo"]
    wanted = [(name, expected[name]) for name, *_ in CASES]
    for role in ("parameters", "returns"):
        shown = [entry["python_type"]["type"] for entry in echo[role]]
        assert list(zip([name for name, _ in wanted], shown, strict=True)) == wanted, role
    plot = api["named_endpoints"]["/draw"]["returns"][0]
    assert plot["python_type"]["type"] == expected["plot"]
    components = [entry["component"] for entry in echo["parameters"]]
    assert components[-2:] == ["Dataframe", "BrowserState"] and "Dropdown" in components
    # An unlabelled return gets a name, as in Gradio (gradio_client needs one).
    assert echo["returns"][-1]["label"] == f"value_{CASES[-1][1].id}"


def test_predict_round_trips_every_component(client: Client) -> None:
    values = [value for *_, value in CASES]
    result = client.predict(*values, api_name="/echo")
    for (name, *_), sent, got in zip(CASES, values, result, strict=True):
        assert got == sent, name


def test_a_value_outside_the_choices_is_an_app_error(client: Client) -> None:
    from gradio_client.exceptions import AppError

    values = [value for *_, value in CASES]
    values[5] = "not a choice"  # the radio
    with pytest.raises(AppError, match="radio: 'not a choice' is not one of the choices"):
        client.predict(*values, api_name="/echo")


def test_plot_output_is_a_served_png(client: Client, url: str) -> None:
    import httpx

    payload = client.predict(3, api_name="/draw")
    assert payload["type"] == "matplotlib"
    response = httpx.get(payload["plot"], timeout=10)
    assert response.status_code == 200 and response.content[:4] == b"\x89PNG"
    assert payload["plot"].startswith(url.rstrip("/"))


def test_defaults_fill_in_for_left_out_arguments(client: Client, tmp_path: Path) -> None:
    api = client.view_api(return_format="dict", print_info=False)
    params = {p["label"]: p for p in api["named_endpoints"]["/echo"]["parameters"]}
    assert params["slider"]["parameter_has_default"] is True
    assert params["slider"]["parameter_default"] == 0
    assert params["dropdown"]["parameter_default"] == "a"
