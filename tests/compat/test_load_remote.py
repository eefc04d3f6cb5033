"""`porch.load(url)`: a running porch or Gradio app rebuilt as a porch Blocks whose events
call the remote endpoints through porch.Client. The loaded app is served and driven by the
official gradio_client, as a user of it would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

import porch
from tests.compat.remote_app import build
from tests.conftest import free_port

pytestmark = pytest.mark.compat
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gradio_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    folder = tmp_path_factory.mktemp("gradio")
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "GRADIO_TEMP_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    with (folder / "log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "tests.compat.remote_app", "gradio",
                                    str(port)], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "config", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None, (folder / "log").read_text()
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(params=["porch", "gradio"])
def remote(request: pytest.FixtureRequest, serve: Callable[..., str]) -> str:
    if request.param == "gradio":
        url: str = request.getfixturevalue("gradio_url")
        return url
    return serve(build(porch)) + "/"


def test_a_loaded_app_answers_as_the_remote_one(remote: str, serve: Callable[..., str],
                                                tmp_path: Path) -> None:
    loaded = porch.load(remote)
    assert loaded.title == "remote"
    url = serve(loaded)
    client = Client(url, verbose=False, download_files=str(tmp_path))
    assert client.predict("hi", 3, api_name="/shout") == "HI!HI!HI!"
    job = client.submit(3, api_name="/count")
    job.result()
    assert job.outputs()[-1] == "step 3"
    written = client.predict("from afar", api_name="/write")
    assert Path(written).read_text() == "from afar"


def test_each_visitor_gets_their_own_remote_state(remote: str,
                                                  serve: Callable[..., str]) -> None:
    url = serve(porch.load(remote))
    ada, bob = Client(url, verbose=False), Client(url, verbose=False)
    assert ada.predict("a", api_name="/remember") == "a"
    assert bob.predict("b", api_name="/remember") == "b"
    assert ada.predict("c", api_name="/remember") == "a c"


def test_the_loaded_page_shows_the_remote_layout(remote: str,
                                                 serve: Callable[..., str]) -> None:
    config = httpx.get(serve(porch.load(remote)) + "/config").json()
    types = [c["type"] for c in config["components"]]
    assert types.count("textbox") == 2 and "number" in types and "file" in types
    assert "row" in types and types.count("button") == 4


def test_models_from_the_hub_are_a_clear_error() -> None:
    with pytest.raises(porch.errors.ConfigError, match="Inference API"):
        porch.load("models/gpt2")
