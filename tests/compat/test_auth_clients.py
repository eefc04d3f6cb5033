"""`auth=` in gradio_client 2.7.2 and in porch.Client against an app with a login.

gradio_client maps a 401 from /login to AuthenticationError (a 400, which Gradio sends, only
to ValueError); porch answers 401.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AuthenticationError

import porch as gr
from porch.client import AuthenticationError as PorchAuthenticationError
from porch.client import Client as PorchClient
from porch.client import handle_file as porch_handle_file

pytestmark = pytest.mark.compat

AUTH = ("ann", "s3cret-pw")


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        text, out = gr.Textbox(), gr.Textbox()
        file_in, file_out = gr.File(), gr.File()
        gr.State([])
        button = gr.Button()
        button.click(lambda x: x[::-1], text, out, api_name="reverse")
        button.click(lambda f: f, file_in, file_out, api_name="echo_file")
    return demo


@pytest.fixture
def url(serve: Callable[..., str]) -> str:
    return serve(app(), auth=[AUTH, ("bob", "pw")])


def test_gradio_client_logs_in_and_uploads(url: str, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("payload")
    client = Client(url, auth=AUTH, verbose=False, download_files=str(tmp_path / "out"))
    assert client.predict("abc", api_name="/reverse") == "cba"
    assert Path(client.predict(handle_file(str(source)), api_name="/echo_file")).read_text() \
        == "payload"


def test_gradio_client_wrong_or_missing_credentials(url: str) -> None:
    with pytest.raises(AuthenticationError, match="Invalid credentials"):
        Client(url, auth=("ann", "wrong"), verbose=False)
    with pytest.raises(AuthenticationError, match="credentials were not provided"):
        Client(url, verbose=False)


def test_porch_client_logs_in_and_uploads(url: str, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("payload")
    with PorchClient(url, auth=AUTH, verbose=False,
                     download_files=str(tmp_path / "out")) as client:
        assert client.predict("abc", api_name="/reverse") == "cba"
        result = client.predict(porch_handle_file(str(source)), api_name="/echo_file")
        assert Path(result).read_text() == "payload"


def test_porch_client_wrong_or_missing_credentials(url: str) -> None:
    with pytest.raises(PorchAuthenticationError):
        PorchClient(url, auth=("ann", "wrong"), verbose=False)
    with pytest.raises(PorchAuthenticationError):
        PorchClient(url, verbose=False)
