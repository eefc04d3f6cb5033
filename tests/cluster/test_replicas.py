"""Two replicas of one app (two real porch processes, one Redis): a login made on one is
accepted by the other, a State value set through one is read (and changed in place)
through the other, and a file uploaded to one is served by the other (test_shared_queue.py
has events whose join, run and stream are on different replicas)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cluster.replicas import Replica

APP = '''
import porch as gr

def remember(text, history):
    history.append(text)  # changed in place: the shared store must keep it
    return ", ".join(history)

def show(history):
    return ", ".join(history)

with gr.Blocks(title="replicas") as demo:
    box = gr.Textbox()
    history = gr.State([])
    out = gr.Textbox()
    box.submit(remember, [box, history], [out], api_name="remember")
    gr.Button().click(show, [history], [out], api_name="show")

demo.launch(auth=("ada", "lovelace"), quiet=True)
'''
REMEMBER, SHOW = 0, 1


@pytest.fixture
def replicas(redis_url: str, tmp_path: Path) -> Iterator[tuple[Replica, Replica]]:
    app = tmp_path / "app.py"
    app.write_text(APP)
    cache = tmp_path / "cache"  # one folder for both: shared storage, as on NFS
    env = {**os.environ, "PORCH_BACKEND": redis_url, "PORCH_CLUSTER_SECRET": "test-secret",
           "PORCH_TEMP_DIR": str(cache),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    a = Replica(app, env)
    try:
        b = Replica(app, env)
    except BaseException:
        a.stop()
        raise
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


def _run(client: httpx.Client, url: str, fn_index: int, data: list[Any],
         session: str) -> dict[str, Any]:
    """Join on `url` and read the session's stream there, to `process_completed`."""
    joined = client.post(f"{url}/gradio_api/queue/join",
                         json={"data": data, "fn_index": fn_index, "session_hash": session})
    assert joined.status_code == 200, joined.text
    with client.stream("GET", f"{url}/gradio_api/queue/data",
                       params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                message = json.loads(line[len("data: "):])
                if message["msg"] == "process_completed":
                    assert message["success"], message
                    output: dict[str, Any] = message["output"]
                    return output
    raise AssertionError("the stream ended without process_completed")


def test_a_login_on_one_replica_is_accepted_by_the_other(
        replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    with httpx.Client(timeout=30) as client:
        assert client.get(b.url + "/config").status_code == 401
        logged = client.post(a.url + "/login",
                             data={"username": "ada", "password": "lovelace"})
        assert logged.status_code in (200, 302, 303)
        assert client.get(b.url + "/config").status_code == 200
        assert client.post(b.url + "/logout").status_code in (200, 302, 303)
        assert client.get(a.url + "/config").status_code == 401  # out everywhere


def test_wrong_passwords_spent_on_one_replica_brake_the_other(
        replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    with httpx.Client(timeout=30) as client:
        for replica in (a, b, a):  # the three free checks, spread over both
            wrong = client.post(replica.url + "/login",
                                data={"username": "ada", "password": "guess"})
            assert wrong.status_code == 401, wrong.text
        braked = client.post(b.url + "/login", data={"username": "ada", "password": "guess"})
        assert braked.status_code == 429
        assert "retry-after" in braked.headers


def test_state_set_through_one_replica_is_read_through_the_other(
        replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as client:
        client.post(a.url + "/login", data={"username": "ada", "password": "lovelace"})
        client.get(a.url + "/config")  # the client cookie, good on both (one name)
        assert _run(client, a.url, REMEMBER, ["hi", None], session)["data"][0] == "hi"
        assert _run(client, b.url, SHOW, [None], session)["data"][0] == "hi"
        assert _run(client, b.url, REMEMBER, ["there", None], session)["data"][0] == \
            "hi, there"
        assert _run(client, a.url, SHOW, [None], session)["data"][0] == "hi, there"
        other = uuid.uuid4().hex  # another session starts from the initial value
        assert _run(client, b.url, SHOW, [None], other)["data"][0] == ""


def test_a_session_is_its_clients_on_every_replica(replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    session = uuid.uuid4().hex
    with httpx.Client(timeout=30) as owner, httpx.Client(timeout=30) as intruder:
        for client in (owner, intruder):
            client.post(a.url + "/login", data={"username": "ada", "password": "lovelace"})
            client.get(a.url + "/config")
        _run(owner, a.url, REMEMBER, ["mine", None], session)
        refused = intruder.post(f"{b.url}/gradio_api/queue/join",
                                json={"data": [None], "fn_index": SHOW,
                                      "session_hash": session})
        assert refused.status_code == 403


def test_a_file_uploaded_to_one_replica_is_served_by_the_other(
        replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    with httpx.Client(timeout=30) as client:
        client.post(a.url + "/login", data={"username": "ada", "password": "lovelace"})
        uploaded = client.post(a.url + "/gradio_api/upload",
                               files={"files": ("note.txt", b"shared bytes")})
        assert uploaded.status_code == 200, uploaded.text
        path = uploaded.json()[0]
        served = client.get(f"{b.url}/gradio_api/file={path}")
        assert served.status_code == 200 and served.content == b"shared bytes"
