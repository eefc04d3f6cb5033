"""Per-request upload caps (files, bytes, non-file fields) and upload-progress bookkeeping,
over HTTP against a real server."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import porch as gr
from porch.errors import ConfigError
from porch.server.routes.files import UploadTracker
from porch.server.settings import Settings
from tests.conftest import free_port

MAX_FILES = 5
MAX_BYTES = 20 * 1024
MAX_FIELD = 1024
MAX_FILE = 8 * 1024


@dataclass
class Server:
    url: str
    port: int
    cache: Path
    app: Any

    @property
    def tracker(self) -> UploadTracker:
        tracker: UploadTracker = self.app.state.uploads
        return tracker

    def stored(self) -> set[Path]:
        return {p for p in self.cache.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    cache = tmp_path_factory.mktemp("limits-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORCH_TEMP_DIR", str(cache))
        with gr.Blocks() as demo:
            box_in, box_out = gr.File(), gr.File()
            gr.Button().click(lambda f: f, box_in, box_out, api_name="echo_file")
        port = free_port()
        app, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_port=port,
                                  max_file_size=MAX_FILE, max_upload_files=MAX_FILES,
                                  max_upload_size=MAX_BYTES, max_upload_field_size=MAX_FIELD)
        try:
            yield Server(url, port, cache, app)
        finally:
            demo.close()


def post(server: Server, files: list[tuple[str, bytes]], fields: dict[str, str] | None = None,
         **params: str) -> httpx.Response:
    request = httpx.Request("POST", f"{server.url}/gradio_api/upload", params=params,
                            files=[("files", (name, data)) for name, data in files],
                            data=fields or {})
    request.read()  # so that the test can weigh the body it sent
    with httpx.Client(timeout=30) as client:
        return client.send(request)


def assert_refused(response: httpx.Response, *words: str) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/json"
    detail = response.json()["detail"]
    for word in words:
        assert word in detail


def test_too_many_files(server: Server) -> None:
    before = server.stored()
    response = post(server, [(f"f{i}.txt", b"x") for i in range(MAX_FILES + 1)])
    assert_refused(response, "Too many files", str(MAX_FILES))
    assert server.stored() == before
    assert len(post(server, [(f"f{i}.txt", b"x") for i in range(MAX_FILES)]).json()) \
        == MAX_FILES


def test_too_many_bytes_in_one_request(server: Server) -> None:
    before = server.stored()
    files = [(f"f{i}.bin", b"y" * (MAX_FILE - 100)) for i in range(3)]  # each under its cap
    assert_refused(post(server, files), "per request", str(MAX_BYTES))
    assert server.stored() == before


def test_a_declared_oversize_body_is_refused_before_it_is_read(server: Server) -> None:
    boundary = uuid.uuid4().hex
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall((f"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                      f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                      f"Content-Length: {MAX_BYTES + 1}\r\n\r\n").encode())
        answer = b""  # no byte of the body is sent; the answer may come in several segments
        while True:
            head, _, payload = answer.partition(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            if length and len(payload) >= int(length.group(1)):
                break
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert "per request" in json.loads(payload)["detail"]


def test_a_long_non_file_field(server: Server) -> None:
    before = server.stored()
    response = post(server, [("a.txt", b"a")], fields={"note": "n" * (MAX_FIELD + 1)})
    assert_refused(response, "Form field", str(MAX_FIELD))
    assert server.stored() == before
    assert post(server, [("a.txt", b"a")], fields={"note": "n" * MAX_FIELD}).status_code == 200


def test_an_oversize_file_is_json_too(server: Server) -> None:
    assert_refused(post(server, [("big.bin", b"z" * (MAX_FILE + 1))]),
                   f"maximum allowed size of {MAX_FILE} bytes")


def test_the_server_keeps_serving_after_refusals(server: Server) -> None:
    for _ in range(3):
        post(server, [(f"f{i}.txt", b"x") for i in range(MAX_FILES + 1)])
    (reference,) = post(server, [("ok.txt", b"fine")]).json()
    echoed = httpx.post(f"{server.url}/gradio_api/run/echo_file", json={"data": [
        {"path": reference, "meta": {"_type": "gradio.FileData"}}]}).json()["data"][0]
    assert httpx.get(echoed["url"]).text == "fine"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25,
          deadline=None)
@given(files=st.lists(st.integers(min_value=0, max_value=MAX_FILE), min_size=1,
                     max_size=MAX_FILES + 2),
       field=st.integers(min_value=0, max_value=MAX_FIELD + 200))
def test_caps_property_over_http(server: Server, files: list[int], field: int) -> None:
    """Over any cap: 413 JSON and the cache unchanged; under all: every file stored."""
    before = server.stored()
    response = post(server, [(f"f{i}.bin", b"q" * n) for i, n in enumerate(files)],
                    fields={"note": "n" * field})
    body = len(response.request.content)
    over = len(files) > MAX_FILES or body > MAX_BYTES or field > MAX_FIELD
    if over:
        assert_refused(response)
        assert server.stored() == before
    else:
        assert response.status_code == 200, response.text
        references = response.json()
        assert len(references) == len(files)
        assert all(not r.startswith("/") and str(server.cache) not in r for r in references)
        assert len(server.stored()) == len(before) + len(files)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30,
          deadline=None)
@given(name=st.text(min_size=1, max_size=40))
def test_no_upload_answer_names_a_host_path(server: Server, name: str) -> None:
    response = post(server, [(name, b"x")])
    if response.status_code != 200:
        assert response.status_code == 400
        return
    (reference,) = response.json()
    assert not reference.startswith("/")
    assert str(server.cache) not in response.text and str(server.cache.resolve()) \
        not in response.text
    assert httpx.get(f"{server.url}/gradio_api/file={reference}").content == b"x"


# ---- upload progress ---------------------------------------------------------------------


def test_progress_entries_of_unwatched_uploads_expire(server: Server,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server.tracker, "ttl", 0.0)
    for i in range(20):
        assert post(server, [("p.txt", b"x")], upload_id=f"unread-{i}").status_code == 200
    # Each new upload drops the finished ones nobody read: only the last is left.
    assert len(server.tracker) <= 1
    monkeypatch.setattr(server.tracker, "ttl", 3600.0)
    post(server, [("p.txt", b"x")], upload_id="kept")
    post(server, [("p.txt", b"x")], upload_id="kept-too")
    assert server.tracker.get("kept") is not None  # within its TTL a late reader finds it


def test_a_read_progress_entry_is_freed_at_once(server: Server) -> None:
    upload_id = f"read-{uuid.uuid4().hex}"
    frames: list[dict[str, Any]] = []

    def read() -> None:
        with httpx.stream("GET", f"{server.url}/gradio_api/upload_progress",
                          params={"upload_id": upload_id}, timeout=30) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    frames.append(json.loads(line[5:]))

    reader = threading.Thread(target=read)
    reader.start()
    data = b"r" * 6000
    assert post(server, [("r.bin", data)], upload_id=upload_id).status_code == 200
    reader.join(timeout=30)
    assert not reader.is_alive()
    assert frames[-1] == {"msg": "done"}
    assert sum(f["chunk_size"] for f in frames if f["msg"] == "update") == len(data)
    assert {f["orig_name"] for f in frames if f["msg"] == "update"} == {"r.bin"}
    assert server.tracker.get(upload_id) is None


def test_a_late_reader_still_gets_done(server: Server) -> None:
    upload_id = f"late-{uuid.uuid4().hex}"
    assert post(server, [("l.txt", b"late")], upload_id=upload_id).status_code == 200
    response = httpx.get(f"{server.url}/gradio_api/upload_progress",
                         params={"upload_id": upload_id}, timeout=30)
    lines = [json.loads(line[5:]) for line in response.text.splitlines()
             if line.startswith("data:")]
    assert lines == [{"msg": "update", "orig_name": "l.txt", "chunk_size": 4}, {"msg": "done"}]
    assert server.tracker.get(upload_id) is None


def test_an_overlong_upload_id_is_refused(server: Server) -> None:
    response = post(server, [("a.txt", b"a")], upload_id="i" * 129)
    assert response.status_code == 400 and "upload_id" in response.json()["detail"]


def test_tracker_forgets_only_its_own_entry() -> None:
    async def scenario() -> None:
        clock = [0.0]
        tracker = UploadTracker(ttl=10, clock=lambda: clock[0])
        first = tracker.start("same")
        second = tracker.start("same")  # the id was reused by a newer upload
        tracker.forget("same", first)
        assert tracker.get("same") is second
        tracker.finish(second)
        clock[0] = 5.0
        tracker.start("other")
        assert tracker.get("same") is second
        clock[0] = 11.0
        tracker.start("other")
        assert tracker.get("same") is None

    asyncio.run(scenario())


# ---- settings ------------------------------------------------------------------------------


def test_upload_caps_default_and_come_from_the_environment() -> None:
    default = Settings.build(environ={})
    assert (default.max_upload_files, default.max_upload_size, default.max_upload_field_size) \
        == (1000, 5 * 1024**3, 64 * 1024)
    env = Settings.build(environ={"PORCH_MAX_UPLOAD_FILES": "20", "PORCH_MAX_UPLOAD_SIZE": "1gb",
                                  "PORCH_MAX_UPLOAD_FIELD_SIZE": "2kb"})
    assert (env.max_upload_files, env.max_upload_size, env.max_upload_field_size) \
        == (20, 1024**3, 2048)
    explicit = Settings.build(max_upload_files=3, max_upload_size="10mb",
                              max_upload_field_size=100,
                              environ={"PORCH_MAX_UPLOAD_FILES": "20"})
    assert (explicit.max_upload_files, explicit.max_upload_size,
            explicit.max_upload_field_size) == (3, 10 * 1024**2, 100)


@pytest.mark.parametrize("options", [
    {"max_upload_files": 0}, {"max_upload_files": True}, {"max_upload_size": 0},
    {"max_upload_size": "lots"}, {"max_upload_field_size": -1},
    {"environ": {"PORCH_MAX_UPLOAD_FILES": "many"}},
])
def test_bad_upload_caps_name_the_option(options: dict[str, Any]) -> None:
    options.setdefault("environ", {})
    with pytest.raises(ConfigError, match="(?i)max_upload|size"):
        Settings.build(**options)


def test_slow_reader_does_not_hold_the_upload(server: Server) -> None:
    """Progress is summed while nobody reads: a long upload holds numbers, not messages."""
    upload_id = f"slow-{uuid.uuid4().hex}"
    data = b"s" * (MAX_FILE - 1)
    assert post(server, [("s.bin", data)], upload_id=upload_id).status_code == 200
    progress = server.tracker.get(upload_id)
    assert progress is not None and progress.finished_at is not None
    assert len(progress._pending) == 1 and progress._pending[0][1] == len(data)
