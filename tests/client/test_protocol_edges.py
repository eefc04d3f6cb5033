"""The client against a scripted server: the protocol's rarer turns, each on purpose."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import http.server
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse

from porch import protocol
from porch.client import (
    AppError,
    AuthenticationError,
    Client,
    QueueFull,
    RemoteError,
    Status,
    UploadRejected,
    ValidationError,
    handle_file,
)
from tests.client.fake_server import FakeServer, Frames


def completed(event_id: str, output: dict[str, Any]) -> dict[str, Any]:
    return protocol.completed(event_id, output, success="error" not in output)


def test_predict_sends_the_documented_request() -> None:
    fake = FakeServer()
    with fake.client() as client:
        assert client.predict("hi", api_name="/echo") == "echo:hi"
        assert client.predict(text="kw") == "echo:kw"  # the only endpoint needs no name
    assert fake.joins[0] == {"data": ["hi"], "fn_index": 0,
                             "session_hash": client.session_hash}


def test_state_inputs_get_null_and_state_outputs_are_dropped() -> None:
    fake = FakeServer()
    fake.config["components"].append({"id": 3, "type": "state", "skip_api": True})
    fake.config["dependencies"][0].update(inputs=[1, 3], outputs=[2, 3])

    def script(event_id: str, data: list[Any]) -> Frames:
        return [completed(event_id, {"data": [f"echo:{data[0]}", None]})]

    fake.script = script
    with fake.client() as client:
        assert client.predict("x", api_name="/echo") == "echo:x"
    assert fake.joins[0]["data"] == ["x", None]


def test_generator_diffs_are_applied_to_nested_values() -> None:
    steps = [{"items": ["a"], "n": 1}, {"items": ["a", "b"], "n": 2},
             {"items": ["b"], "n": 2, "done": True}]

    def script(event_id: str, data: list[Any]) -> Frames:
        frames: Frames = [protocol.generating(event_id, {"data": [steps[0]]})]
        for old, new in zip(steps, steps[1:], strict=False):
            frames.append(protocol.generating(event_id, {"data": [protocol.diff(old, new)]}))
        frames.append(completed(event_id, {"data": [steps[-1]]}))
        return frames

    fake = FakeServer()
    fake.script = script
    with fake.client() as client:
        job = client.submit("x", api_name="/echo")
        assert job.result(timeout=5) == steps[-1]
        assert job.outputs() == steps


def test_sse_comments_fields_and_crlf_are_tolerated() -> None:
    def script(event_id: str, data: list[Any]) -> Frames:
        done = protocol.dumps(completed(event_id, {"data": ["ok"]}))
        return [b": keep-alive\r\n\r\n", b"event: message\r\nid: 7\r\n",
                f"data: {done}\r\n\r\n".encode()]

    fake = FakeServer()
    fake.script = script
    with fake.client() as client:
        assert client.predict("x", api_name="/echo") == "ok"


def test_error_is_decided_by_the_error_key_and_extra_keys_are_ignored() -> None:
    def script(event_id: str, data: list[Any]) -> Frames:
        output = {"error": "boom", "title": "Oops", "duration": None, "newer_key": 1}
        # `success: true` must not win over the presence of `error`.
        return [protocol.completed(event_id, output, success=True)]

    fake = FakeServer()
    fake.script = script
    with fake.client() as client:
        job = client.submit("x", api_name="/echo")
        with pytest.raises(AppError) as caught:
            job.result(timeout=5)
    assert (caught.value.message, caught.value.title, caught.value.duration) == (
        "boom", "Oops", None)
    assert job.status().code is Status.FINISHED and job.status().success is False


def test_hidden_error_names_show_error() -> None:
    fake = FakeServer()
    fake.script = lambda event_id, data: [completed(event_id, {"error": None})]
    with fake.client() as client, pytest.raises(AppError, match="show_error=True"):
        client.predict("x", api_name="/echo")


def test_empty_output_means_the_server_cancelled_the_event() -> None:
    fake = FakeServer()
    fake.script = lambda event_id, data: [protocol.completed(event_id, {}, success=True)]
    with fake.client() as client:
        job = client.submit("x", api_name="/echo")
        with pytest.raises(concurrent.futures.CancelledError):
            job.result(timeout=5)
        assert job.status().code is Status.CANCELLED


def test_stream_closed_before_the_job_finished_fails_it_clearly() -> None:
    fake = FakeServer()
    fake.script = lambda event_id, data: [protocol.estimation(event_id, 0, 1, None)]
    with fake.client() as client, pytest.raises(RemoteError, match="before the job finished"):
        client.predict("x", api_name="/echo")


def test_unexpected_error_fails_pending_jobs() -> None:
    fake = FakeServer()
    fake.close_stream = False
    fake.script = lambda event_id, data: [{
        "msg": "unexpected_error", "event_id": None, "message": "Server stopped unexpectedly.",
        "success": False}]
    with fake.client() as client, pytest.raises(RemoteError, match="Server stopped"):
        client.predict("x", api_name="/echo")


def test_a_job_joined_while_the_stream_was_closing_gets_a_new_reader() -> None:
    """The server sent close_stream for job A after job B had joined on its side, but before
    B was known to the reader: B must still get its result (through a fresh reader)."""
    fake = FakeServer()
    held: list[tuple[str, list[Any]]] = []

    async def before_stream(number: int) -> None:
        if number == 1:
            while len(fake.joins) < 2:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)  # B's join reply reaches the client meanwhile
            held.extend(fake._unsent[1:])
            fake._unsent = fake._unsent[:1]  # this stream carries only A, then closes
        else:
            fake._unsent = held + fake._unsent

    fake.before_stream = before_stream
    with fake.client() as client:
        first = client.submit("a", api_name="/echo")
        deadline = time.monotonic() + 5
        while not fake.joins and time.monotonic() < deadline:
            time.sleep(0.01)
        second = client.submit("b", api_name="/echo")
        assert first.result(timeout=5) == "echo:a"
        assert second.result(timeout=5) == "echo:b"


def test_join_refusals_become_typed_errors() -> None:
    fake = FakeServer()
    replies = {
        "full": JSONResponse({"detail": "Queue is full. Max size is 1 and size is 1."}, 503),
        "invalid": JSONResponse({"detail": [
            {"__type__": "validate", "is_valid": False, "message": "too short",
             "parameter_name": "text"},
            {"__type__": "validate", "is_valid": True, "message": ""}]}, 422),
        "schema": JSONResponse({"detail": [
            {"type": "missing", "loc": ["body", "data"], "msg": "Field required"}]}, 422),
        "broken": JSONResponse({"detail": "No function with fn_index 0."}, 404),
    }
    fake.join_reply = lambda body: replies[body["data"][0]]
    with fake.client() as client:
        job = client.submit("full", api_name="/echo")
        with pytest.raises(QueueFull, match="full"):
            job.result(timeout=5)
        assert job.status().code is Status.FINISHED
        with pytest.raises(ValidationError) as caught:
            client.predict("invalid", api_name="/echo")
        assert caught.value.messages == ["- text: too short"]
        assert str(caught.value).startswith("1 parameter(s) failed validation:")
        with pytest.raises(ValidationError, match="body.data: Field required"):
            client.predict("schema", api_name="/echo")
        with pytest.raises(RemoteError, match="HTTP 404.*fn_index 0"):
            client.predict("broken", api_name="/echo")


def test_login_keeps_its_cookie_for_later_requests() -> None:
    fake = FakeServer()
    fake.password = "s3cret"
    with pytest.raises(AuthenticationError, match="needs a login"):
        fake.client()
    with pytest.raises(AuthenticationError, match="Incorrect credentials"):
        fake.client(auth=("alice", "wrong"))
    with fake.client(auth=("alice", "s3cret")) as client:
        assert client.predict("x", api_name="/echo") == "echo:x"


def test_heartbeat_follows_the_config_and_the_session() -> None:
    quiet = FakeServer(connect_heartbeat=False)
    with quiet.client():
        time.sleep(0.2)
    assert quiet.heartbeats == []

    fake = FakeServer()
    del fake.config["connect_heartbeat"]  # absent means true, as in gradio_client
    with fake.client() as client:
        deadline = time.monotonic() + 5
        while not fake.heartbeats and time.monotonic() < deadline:
            time.sleep(0.02)
        assert fake.heartbeats[0] == client.session_hash
        client.reset_session()
        while client.session_hash not in fake.heartbeats and time.monotonic() < deadline:
            time.sleep(0.02)
        assert client.session_hash in fake.heartbeats


def test_files_go_up_by_marker_and_come_down_by_path(tmp_path: Path) -> None:
    source = tmp_path / "note.txt"
    source.write_text("hello")

    def script(event_id: str, data: list[Any]) -> Frames:
        # On sse_v3 a bare {"path": ...} (no meta) is an output file too.
        return [completed(event_id, {"data": [[data[0], {"path": "/uploaded/note.txt"}]]})]

    fake = FakeServer()
    fake.script = script
    with fake.client(download_files=str(tmp_path / "dl")) as client:
        result = client.predict(handle_file(source), api_name="/echo")
    local = Path(result[1])
    assert local.read_text() == "hello"
    assert local.parent.parent == (tmp_path / "dl").resolve()
    assert result[0] == str(local)  # the echoed FileData is downloaded as well
    assert fake.uploads == ["/uploaded/note.txt"]
    assert fake.joins[0]["data"] == [{"path": "/uploaded/note.txt", "orig_name": "note.txt",
                                      "meta": {"_type": "gradio.FileData"}}]


def test_url_inputs_are_not_uploaded_and_url_outputs_are_fetched_where_they_are(
        tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "cat.txt").write_text("meow")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(tmp_path / "site"))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    link = f"http://127.0.0.1:{site.server_address[1]}/cat.txt"
    fake = FakeServer()
    fake.script = lambda event_id, data: [completed(event_id, {"data": [
        {"path": link, "meta": {"_type": "gradio.FileData"}}]})]
    try:
        with fake.client(download_files=str(tmp_path / "dl")) as client:
            result = client.predict(handle_file("https://example.org/a/b.png"),
                                    api_name="/echo")
    finally:
        site.shutdown()
        site.server_close()
    assert Path(result).read_text() == "meow" and Path(result).name == "cat.txt"
    assert fake.uploads == []
    assert fake.joins[0]["data"][0]["path"] == "https://example.org/a/b.png"


def test_download_files_false_returns_the_file_data(tmp_path: Path) -> None:
    fake = FakeServer()
    output = protocol.file_data("/uploaded/x.bin", "http://127.0.0.1/gradio_api/file=x")
    fake.script = lambda event_id, data: [completed(event_id, {"data": [output]})]
    with fake.client(download_files=False) as client:
        assert client.predict("x", api_name="/echo") == output


def test_max_file_size_is_checked_before_uploading(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 11)
    fake = FakeServer(max_file_size=10)
    with fake.client() as client, pytest.raises(UploadRejected, match="max_file_size of 10"):
        client.predict(handle_file(big), api_name="/echo")
    assert fake.uploads == [] and fake.joins == []


def test_handle_file_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="neither a file"):
        handle_file(tmp_path / "missing.txt")
    marked = handle_file("https://example.org/x/cat.png?size=2")
    assert marked["orig_name"] == "cat.png" and marked["url"].startswith("https://")


def test_cancel_during_the_join_cancels_on_the_server() -> None:
    fake = FakeServer()
    fake.join_delay = 0.3
    with fake.client() as client:
        job = client.submit("x", api_name="/echo")
        deadline = time.monotonic() + 5
        while not fake.joins and time.monotonic() < deadline:
            time.sleep(0.01)
        assert job.cancel() is True
        assert job.status().code is Status.CANCELLED
        with pytest.raises(concurrent.futures.CancelledError):
            job.result(timeout=5)
        while not fake.cancels and time.monotonic() < deadline:
            time.sleep(0.01)
        assert fake.cancels[0] == {"fn_index": 0, "session_hash": client.session_hash,
                                   "event_id": "e1"}
        fake.join_delay = 0
        assert client.predict("y", api_name="/echo") == "echo:y"


# ---- bad addresses ----------------------------------------------------------------------------


def test_not_a_url_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="full address"):
        Client("127.0.0.1:7860", verbose=False)
    with pytest.raises(ValueError, match="full address"):
        Client("abidlabs/whisper", verbose=False)


def test_nothing_listening_fails_fast() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(RemoteError, match="Could not connect"):
        Client(f"http://127.0.0.1:{port}/", verbose=False)
    assert time.monotonic() - started < 5


def test_a_silent_server_times_out() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)  # accepts connections, never answers
        port = sock.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(RemoteError, match="Could not connect"):
            Client(f"http://127.0.0.1:{port}/", verbose=False,
                   httpx_kwargs={"timeout": httpx.Timeout(0.5)})
        assert time.monotonic() - started < 5


def test_a_server_that_is_not_an_app_is_named() -> None:
    fake = FakeServer()
    app = fake.app()
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", "") != "/config"]
    with pytest.raises(RemoteError, match="does not look like a porch or Gradio app"):
        Client("http://127.0.0.1/", transport=httpx.ASGITransport(app=app), verbose=False)


def test_an_old_protocol_is_refused() -> None:
    fake = FakeServer(protocol="ws")
    with pytest.raises(RemoteError, match="protocol 'ws'"):
        fake.client()
