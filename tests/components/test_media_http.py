"""Media components over real HTTP: upload, call, fetch the output through the file route."""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image as PILImage

import porch as gr
from tests.components.conftest import png_bytes
from tests.integration.sse import call_events

Serve = Callable[..., str]
PIXELS = np.arange(6 * 7 * 3, dtype=np.uint8).reshape(6, 7, 3)


def flip(image: np.ndarray) -> np.ndarray:
    return image[::-1]


def upload(url: str, name: str, data: bytes) -> dict[str, Any]:
    response = httpx.post(f"{url}/gradio_api/upload", files={"files": (name, data)})
    assert response.status_code == 200, response.text
    [path] = response.json()
    return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def call(url: str, api_name: str, *data: Any) -> tuple[str, Any]:
    response = httpx.post(f"{url}/gradio_api/call/{api_name}", json={"data": list(data)})
    assert response.status_code == 200, response.text
    return call_events(url, api_name, response.json()["event_id"])[-1]


def test_upload_flip_and_fetch_the_output_pixels(serve: Serve) -> None:
    url = serve(gr.Interface(flip, gr.Image(), gr.Image()))
    event, [output] = call(url, "flip", upload(url, "in.png", png_bytes(PIXELS)))
    assert event == "complete"
    assert output["orig_name"] == "image.webp"
    assert output["url"].startswith(f"{url}/gradio_api/file=")
    served = httpx.get(output["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    with PILImage.open(io.BytesIO(served.content)) as image:
        assert np.array_equal(np.asarray(image.convert("RGB")), PIXELS[::-1])


def test_image_api_info_and_config(serve: Serve) -> None:
    url = serve(gr.Interface(flip, gr.Image(label="photo"), gr.Image()))
    info = httpx.get(f"{url}/gradio_api/info").json()["named_endpoints"]["/flip"]
    assert info["parameters"][0]["component"] == "Image"
    assert info["parameters"][0]["python_type"]["type"] == "filepath"
    config = httpx.get(f"{url}/config").json()
    images = [c for c in config["components"] if c["type"] == "image"]
    assert len(images) == 2 and images[0]["api_info"]["title"] == "ImageData"


def test_a_data_url_image_is_accepted_over_http(serve: Serve) -> None:
    url = serve(gr.Interface(flip, gr.Image(), gr.Image(format="png")))
    data_url = "data:image/png;base64," + base64.b64encode(png_bytes(PIXELS)).decode()
    event, [output] = call(url, "flip", {"path": None, "url": data_url})
    assert event == "complete"
    with PILImage.open(io.BytesIO(httpx.get(output["url"]).content)) as image:
        assert np.array_equal(np.asarray(image), PIXELS[::-1])


def test_a_path_the_app_did_not_issue_is_refused(serve: Serve, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes(PIXELS))
    url = serve(gr.Interface(flip, gr.Image(), gr.Image()))
    event, data = call(url, "flip", {"path": str(secret), "meta": {"_type": "gradio.FileData"}})
    assert event == "error"
    assert "was not uploaded to this app" in data["error"]


def reverse(audio: tuple[int, np.ndarray]) -> tuple[int, np.ndarray]:
    rate, samples = audio
    return rate, samples[::-1]


def test_audio_numpy_round_trip_over_http(serve: Serve) -> None:
    samples = np.array([0, 1000, -1000, 32767], dtype=np.int16)
    with io.BytesIO() as out:
        with wave.open(out, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(16000)
            wav.writeframes(samples.tobytes())
        data = out.getvalue()
    url = serve(gr.Interface(reverse, "audio", "audio"))
    event, [output] = call(url, "reverse", upload(url, "in.wav", data))
    assert event == "complete" and output["orig_name"] == "audio.wav"
    served = httpx.get(output["url"])
    assert served.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(served.content)) as wav:
        assert wav.getframerate() == 16000
        assert np.frombuffer(wav.readframes(4), "<i2").tolist() == samples[::-1].tolist()


def test_gallery_output_over_http(serve: Serve) -> None:
    def tiles(image: np.ndarray) -> list[tuple[np.ndarray, str]]:
        return [(image, "original"), (image[::-1], "flipped")]

    url = serve(gr.Interface(tiles, gr.Image(), gr.Gallery(format="png")))
    event, [items] = call(url, "tiles", upload(url, "in.png", png_bytes(PIXELS)))
    assert event == "complete"
    assert [item["caption"] for item in items] == ["original", "flipped"]
    with PILImage.open(io.BytesIO(httpx.get(items[1]["image"]["url"]).content)) as image:
        assert np.array_equal(np.asarray(image), PIXELS[::-1])


def test_max_file_size_cuts_an_upload_off_with_413(serve: Serve) -> None:
    url = serve(gr.Interface(flip, gr.Image(), gr.Image()), max_file_size="1kb")
    assert httpx.get(f"{url}/config").json()["max_file_size"] == 1024
    response = httpx.post(f"{url}/gradio_api/upload", files={"files": ("big.png", b"x" * 2048)})
    assert response.status_code == 413
    assert "1024 bytes" in response.text
    assert upload(url, "small.png", png_bytes(PIXELS[:2, :2]))["path"]


@pytest.mark.compat
def test_gradio_client_uploads_and_downloads_images(serve: Serve, tmp_path: Path) -> None:
    from gradio_client import Client, handle_file

    source = tmp_path / "in.png"
    source.write_bytes(png_bytes(PIXELS))
    url = serve(gr.Interface(flip, gr.Image(), gr.Image(format="png")))
    client = Client(url + "/", verbose=False, download_files=str(tmp_path / "downloads"))
    assert "filepath" in client.view_api(print_info=False, return_format="str")
    result = client.predict(handle_file(str(source)), api_name="/flip")
    with PILImage.open(result) as image:
        assert np.array_equal(np.asarray(image), PIXELS[::-1])
