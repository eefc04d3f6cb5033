"""Durable jobs over real HTTP (docs/durable-jobs.md): a client whose stream dropped reattaches
with the last message id it saw and gets every message it missed, once and in order."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

import porch as gr
from porch import protocol
from tests.conftest import launched

TOKENS = 30


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        n, out = gr.Number(), gr.Textbox()

        def count(n: float) -> Iterator[str]:
            text = ""
            for i in range(int(n)):
                time.sleep(0.03)
                text += f"t{i} "
                yield text

        gr.Button().click(count, n, out, api_name="count")
    return demo


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with launched(app()) as url:
        yield url


@pytest.fixture(scope="module")
def short_url() -> Iterator[str]:
    """An app whose results are kept half a second."""
    with launched(app(), result_ttl=0.5) as url:
        yield url


@contextmanager
def client(url: str) -> Iterator[httpx.Client]:
    """A client with its own client cookie, as gradio_client and the page have."""
    with httpx.Client(base_url=url, timeout=20) as session:
        assert session.get("/config").status_code == 200
        yield session


def join(http: httpx.Client, session: str, n: int = TOKENS) -> str:
    response = http.post("/gradio_api/queue/join",
                         json={"data": [n], "fn_index": 0, "session_hash": session})
    assert response.status_code == 200, response.text
    event_id: str = response.json()["event_id"]
    return event_id


def read(http: httpx.Client, session: str, cursor: int | None, *, stop_after: int | None = None,
         header: bool = True) -> list[tuple[int | None, dict[str, Any]]]:
    """(id, message) frames of the session's stream from `cursor`, until close_stream, or
    until `stop_after` messages have come (then the connection is dropped)."""
    params: dict[str, Any] = {"session_hash": session}
    headers = {}
    if cursor is not None:
        if header:
            headers["Last-Event-ID"] = str(cursor)
        else:
            params["last_event_id"] = cursor
    frames: list[tuple[int | None, dict[str, Any]]] = []
    with http.stream("GET", "/gradio_api/queue/data", params=params,
                     headers=headers) as response:
        assert response.status_code == 200, response.read()
        ident: int | None = None
        for line in response.iter_lines():
            if line.startswith("id: "):
                ident = int(line[4:])
            elif line.startswith("data: "):
                message = json.loads(line[6:])
                if message["msg"] != "heartbeat":
                    frames.append((ident, message))
                ident = None
                if message["msg"] == "close_stream":
                    break
                if stop_after is not None and len(frames) >= stop_after:
                    break  # leaving the block closes the connection mid-stream
    return frames


def final_text(messages: list[dict[str, Any]]) -> str:
    """What a client shows after applying every message (diffs included)."""
    value: Any = None
    for message in messages:
        if message["msg"] == "process_generating":
            data = message["output"]["data"][0]
            value = data if value is None else protocol.apply_diff(value, data)
        elif message["msg"] == "process_completed":
            value = message["output"]["data"][0]
    return str(value)


def test_a_dropped_stream_resumes_with_every_missed_message_once_in_order(url: str) -> None:
    with client(url) as http:
        session = uuid.uuid4().hex
        join(http, session)
        first = read(http, session, 0, stop_after=5)
        assert [i for i, _ in first] == [1, 2, 3, 4, 5]
        time.sleep(0.3)  # messages go on while the client is away
        rest = read(http, session, first[-1][0])
        assert rest[-1][1]["msg"] == "close_stream" and rest[-1][0] is None
        ids = [i for i, _ in first + rest[:-1]]
        assert ids == list(range(1, len(ids) + 1))  # each once, in order, none skipped
        whole = read(http, session, 0)  # the full log, kept after the end
        assert [m for _, m in first + rest] == [m for _, m in whole]
        text = final_text([m for _, m in first + rest])
        assert text == "".join(f"t{i} " for i in range(TOKENS))


def test_the_query_parameter_works_as_the_header(url: str) -> None:
    with client(url) as http:
        session = uuid.uuid4().hex
        join(http, session, 3)
        first = read(http, session, 0, stop_after=2, header=False)
        rest = read(http, session, first[-1][0], header=False)
        assert [i for i, _ in first + rest[:-1]] == list(range(1, len(first) + len(rest)))


def test_a_finished_event_can_be_read_again_while_kept(url: str) -> None:
    with client(url) as http:
        session = uuid.uuid4().hex
        event_id = join(http, session, 3)
        plain = read(http, session, None)  # the protocol's own read: no ids
        assert all(i is None for i, _ in plain)
        again = read(http, session, 0)
        assert [m for _, m in again] == [m for _, m in plain]
        assert again[-2][1] == {**again[-2][1], "msg": "process_completed", "event_id": event_id}


def test_after_the_retention_a_reattach_is_refused_clearly(short_url: str) -> None:
    with client(short_url) as http:
        session = uuid.uuid4().hex
        join(http, session, 2)
        assert read(http, session, None)[-1][1]["msg"] == "close_stream"
        time.sleep(0.8)
        response = http.get("/gradio_api/queue/data", params={"session_hash": session},
                            headers={"Last-Event-ID": "0"})
        assert response.status_code in (404, 410)
        assert "no longer kept" in response.json()["detail"]


def test_another_clients_session_or_event_is_refused_and_the_owner_goes_on(url: str) -> None:
    with client(url) as owner, client(url) as stranger:
        session = uuid.uuid4().hex
        event_id = join(owner, session, 10)
        first = read(owner, session, 0, stop_after=3)
        # Another client (another cookie) naming the owner's session: 403, nothing changes.
        refused = stranger.get("/gradio_api/queue/data", headers={"Last-Event-ID": "0"},
                               params={"session_hash": session})
        assert refused.status_code == 403 and "another client" in refused.json()["detail"]
        # Nor may it read the session's stream without a cursor (it would take its messages).
        plain = stranger.get("/gradio_api/queue/data", params={"session_hash": session})
        assert plain.status_code == 403
        # Its own session, but the owner's event: 404.
        own = uuid.uuid4().hex
        join(stranger, own, 1)
        wrong = stranger.get("/gradio_api/queue/data", headers={"Last-Event-ID": "0"},
                             params={"session_hash": own, "event_id": event_id})
        assert wrong.status_code == 404 and event_id in wrong.json()["detail"]
        unknown = stranger.get("/gradio_api/queue/data", headers={"Last-Event-ID": "0"},
                               params={"session_hash": uuid.uuid4().hex})
        assert unknown.status_code == 404
        ahead = owner.get("/gradio_api/queue/data", headers={"Last-Event-ID": "99999"},
                          params={"session_hash": session})
        assert ahead.status_code == 400
        bad = owner.get("/gradio_api/queue/data", headers={"Last-Event-ID": "x"},
                        params={"session_hash": session})
        assert bad.status_code == 400
        # The owner's event ran on, whole.
        rest = read(owner, session, first[-1][0])
        messages = [m for _, m in first + rest]
        assert final_text(messages) == "".join(f"t{i} " for i in range(10))
        assert [i for i, _ in first + rest[:-1]] == list(range(1, len(messages)))


def call_frames(http: httpx.Client, event_id: str, cursor: int | None = None,
                stop_after: int | None = None) -> list[tuple[int | None, str, Any]]:
    headers = {} if cursor is None else {"Last-Event-ID": str(cursor)}
    frames: list[tuple[int | None, str, Any]] = []
    ident, event = None, ""
    with http.stream("GET", f"/gradio_api/call/count/{event_id}", headers=headers) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("id: "):
                ident = int(line[4:])
            elif line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                frames.append((ident, event, json.loads(line[6:])))
                if event in ("complete", "error") or (stop_after and len(frames) >= stop_after):
                    break
    return frames


def test_a_call_result_can_be_fetched_again_after_a_disconnect(url: str) -> None:
    with client(url) as http:
        event_id = http.post("/gradio_api/call/count", json={"data": [6]}).json()["event_id"]
        first = call_frames(http, event_id, stop_after=2)
        assert [e for _, e, _ in first] == ["generating", "generating"]
        rest = call_frames(http, event_id, cursor=first[-1][0])
        assert rest[-1][1:] == ("complete", ["t0 t1 t2 t3 t4 t5 "])
        assert len(first) + len(rest) == 7  # six yields and the result, none twice
        again = call_frames(http, event_id)  # repeatable while kept
        assert again[-1][1:] == ("complete", ["t0 t1 t2 t3 t4 t5 "])
        gone = http.get("/gradio_api/call/count/" + uuid.uuid4().hex,
                        headers={"Last-Event-ID": "0"})
        assert gone.status_code == 404


def test_a_stream_that_stays_away_past_the_grace_is_cancelled() -> None:
    with launched(app(), reattach_grace=0.3) as url, client(url) as http:
        session = uuid.uuid4().hex
        join(http, session, 100)
        read(http, session, 0, stop_after=3)
        time.sleep(1.0)
        rest = read(http, session, 3)
        done = [m for _, m in rest if m["msg"] == "process_completed"]
        assert done and done[0]["output"] == {}  # cancelled, as Gradio answers a cancel
        assert len(rest) < 100


def test_gradio_client_reads_the_stream_as_before(url: str) -> None:
    from gradio_client import Client

    stock = Client(url, verbose=False)
    try:
        # Its stream carries no id: lines (it refuses any frame but a lone data: line).
        assert stock.predict(3, api_name="/count") == "t0 t1 t2 "
        job = stock.submit(4, api_name="/count")
        assert list(job)[-1] == "t0 t1 t2 t3 "
        assert stock.predict(2, api_name="/count") == "t0 t1 "  # a later stream, as before
    finally:
        stock.close()
