"""A real app serves porch.media's samples as component values, wherever it runs from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

import porch as gr


@pytest.mark.parametrize("strict", [False, True])
def test_sample_values_are_served_through_the_file_gate(
        serve: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        strict: bool) -> None:
    # A working directory that grants nothing near the package.
    monkeypatch.chdir(tmp_path)
    with gr.Blocks() as demo:
        gr.Image(value=gr.get_image("house.png"), label="picture")
        gr.Model3D(value=gr.get_model3d("cube.obj"), label="cube")
        gr.Audio(value=gr.get_audio("tone.wav"), label="tone")
        out = gr.File(label="data")
        gr.Button().click(lambda: gr.get_file("rainfall.csv"), None, out, api_name="data")
    url = serve(demo, strict_files=strict)
    with httpx.Client(timeout=30) as client:
        config = client.get(url + "/config").json()
        values = {c["props"].get("label"): c["props"].get("value")
                  for c in config["components"]}
        for label, name in (("picture", "house.png"), ("cube", "cube.obj"),
                            ("tone", "tone.wav")):
            value = values[label]
            assert value["orig_name"] == name
            assert str(Path(gr.media.MEDIA_ROOT)) not in value["path"]  # a cache copy
            served = client.get(httpx.URL(url + "/").join(value["url"]))
            assert served.status_code == 200, (label, served.text)
            assert served.content == Path(gr.media.MEDIA_ROOT).joinpath(
                {"picture": "images", "cube": "models3d", "tone": "audio"}[label], name,
            ).read_bytes()
        reply = client.post(url + "/gradio_api/run/data", json={"data": []})
        assert reply.status_code == 200, reply.text
        data = reply.json()["data"][0]
        csv = client.get(httpx.URL(url + "/").join(data["url"])).text
        assert csv.startswith("month,city,rain_mm")
        # The package folder itself is not reachable through the file route.
        direct = client.get(url + "/gradio_api/file=" + gr.get_image("house.png"))
        assert direct.status_code in (403, 404)
