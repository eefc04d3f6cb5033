"""An off-the-shelf tus client (tuspy) uploads to a real porch server; the file it made is
then an event input, by the reference the last PATCH answered (Porch-File-Path)."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable

import httpx
from tusclient.client import TusClient

import porch

from .sse import call_events

KIB = 1024


def test_tuspy_uploads_a_file_an_event_then_reads(serve: Callable[..., str]) -> None:
    def digest(file: str) -> str:
        with open(file, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    with porch.Blocks() as demo:
        given, out = porch.File(), porch.Textbox()
        porch.Button().click(digest, given, out, api_name="digest")
    url = serve(demo).rstrip("/")
    data = os.urandom(700 * KIB)
    with httpx.Client(base_url=url, timeout=20) as http:
        assert http.get("/config").status_code == 200
        # The page's client cookie, so the upload belongs to this client as a browser's does.
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        tus = TusClient(f"{url}/gradio_api/upload/tus", headers={"Cookie": cookie})
        uploader = tus.uploader(file_stream=io.BytesIO(data), chunk_size=256 * KIB,
                                metadata={"filename": "from-tuspy.bin"})
        uploader.upload()
        assert uploader.offset == len(data)
        assert uploader.url is not None and uploader.url.startswith(url + "/gradio_api/")
        reference = uploader.request.response_headers["porch-file-path"]
        assert reference.endswith("/from-tuspy.bin")
        call = http.post("/gradio_api/call/digest", json={"data": [
            {"path": reference, "meta": {"_type": "gradio.FileData"}}]})
        assert call.status_code == 200, call.text
        assert call_events(url, "digest", call.json()["event_id"])[-1] == (
            "complete", [hashlib.sha256(data).hexdigest()])
        assert http.get(f"/gradio_api/file={reference}").content == data
