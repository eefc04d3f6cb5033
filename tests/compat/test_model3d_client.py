"""gradio_client uploads a model to a porch Model3D and downloads the one the app returns."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import porch as gr
from tests.conftest import launched

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client, handle_file  # noqa: E402

pytestmark = pytest.mark.compat

TRIANGLE = b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    def scale(path: str) -> str:
        # A file the app writes in the temp directory after it started may be returned.
        out = Path(tempfile.mkdtemp()) / "scaled.obj"
        text = Path(path).read_text()
        out.write_text(text.replace("v 1 0 0", "v 2 0 0"))
        return str(out)

    with gr.Blocks() as demo:
        model_in = gr.Model3D(label="in")
        model_out = gr.Model3D(label="out")
        gr.Button().click(scale, model_in, model_out, api_name="scale")
    with launched(demo) as address:
        yield address


def test_a_model_round_trips_through_gradio_client(url: str, tmp_path: Path) -> None:
    source = tmp_path / "tri.obj"
    source.write_bytes(TRIANGLE)
    client = Client(url + "/", verbose=False, download_files=str(tmp_path / "downloads"))
    info = client.view_api(print_info=False, return_format="dict")
    params = info["named_endpoints"]["/scale"]["parameters"]
    assert params[0]["component"] == "Model3D"
    assert params[0]["python_type"]["type"] == "filepath"
    result = client.predict(handle_file(str(source)), api_name="/scale")
    assert Path(result).name == "scaled.obj"
    assert Path(result).read_bytes() == TRIANGLE.replace(b"v 1 0 0", b"v 2 0 0")


def test_an_unsupported_upload_is_refused_with_the_reason(url: str, tmp_path: Path) -> None:
    source = tmp_path / "scene.fbx"
    source.write_bytes(b"not a model")
    client = Client(url + "/", verbose=False)
    with pytest.raises(Exception, match="Model3D cannot show"):
        client.predict(handle_file(str(source)), api_name="/scale")
