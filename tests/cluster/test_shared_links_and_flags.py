"""Deep links and flagging with replicas: a DeepLinkButton's link made through one replica
opens through another, with the outputs whichever replica ran the session's events sent;
the Redis store keeps the in-memory store's rules and bounds; and replicas flagging into one
folder at once write one header and whole rows, counted across all of them (real porch
processes, one real redis-server, no mocks)."""

from __future__ import annotations

import csv
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from porch.cluster.deep_link_store import RedisDeepLinks
from porch.cluster.signing import Signer
from porch.server.deep_links import LINK_ID
from tests.cluster.conftest import RedisProcess
from tests.cluster.replicas import Replica, balancer, cluster_env, replicas
from tests.cluster.test_shared_queue import completed, join, read

P = "porch:links-app"
FILE = {"path": "/etc/passwd", "url": None, "meta": {"_type": "gradio.FileData"}}


def store(client: redis.Redis, **bounds: Any) -> RedisDeepLinks:
    return RedisDeepLinks(client, P, Signer(b"k" * 32), **bounds)


# ---- the Redis store, seen from two replicas' objects ----------------------------------------
def test_inputs_from_the_page_outputs_from_any_replica(redis_client: redis.Redis) -> None:
    a, b = store(redis_client), store(redis_client)
    a.sent("s1", [(2, "server said"), (3, {"__type__": "update", "value": "upd"}),
                  (4, {"__type__": "update", "visible": False})])
    link = b.create("s1", {1: "typed", 2: "faked answer", 5: "not linkable"},
                    inputs={1}, linkable={1, 2, 3, 4})
    assert LINK_ID.fullmatch(link) and len(link) >= 21  # 128 random bits
    assert a.load(link) == {1: "typed", 2: "server said", 3: "upd"}
    assert b.load(b.create("s2", {}, inputs=set(), linkable={1, 2, 3})) == {}
    # A later output replaces the earlier; one a link cannot carry removes it.
    b.sent("s1", [(2, "again"), (3, FILE)])
    assert a.load(a.create("s1", {}, inputs=set(), linkable={2, 3})) == {2: "again"}


def test_files_and_oversized_values_stay_out(redis_client: redis.Redis) -> None:
    links = store(redis_client, max_value_bytes=100)
    links.sent("s", [(2, FILE), (3, [{"image": FILE}]), (4, "x" * 500)])
    link = links.create("s", {1: {"nested": [FILE]}, 5: 7}, inputs={1, 5},
                        linkable={1, 2, 3, 4, 5})
    assert links.load(link) == {5: 7}


def test_links_are_bounded_per_session_and_overall(redis_client: redis.Redis) -> None:
    a, b = store(redis_client, per_session=2, capacity=3), \
        store(redis_client, per_session=2, capacity=3)
    made = [(a, b)[i % 2].create("a", {1: i}, inputs={1}, linkable={1}) for i in range(3)]
    assert b.load(made[0]) is None and a.load(made[2]) == {1: 2}
    theirs = [b.create(f"s{i}", {}, inputs=set(), linkable=set()) for i in range(3)]
    assert a.load(made[1]) is None and a.load(made[2]) is None
    assert all(a.load(t) == {} for t in theirs)
    assert redis_client.zcard(f"{P}:dl:all") == 3


def test_memory_is_bounded_in_bytes(redis_client: redis.Redis) -> None:
    links = store(redis_client, max_value_bytes=1000, sent_bytes=2500, link_bytes=1500,
                  links_bytes=3500)
    big = "x" * 900  # 902 bytes as JSON
    for session in ("a", "b", "c"):
        links.sent(session, [(1, big)])
    # Three sessions' outputs do not fit in 2500 bytes: the least recent one went.
    assert links.load(links.create("a", {}, inputs=set(), linkable={1})) == {}
    assert links.load(links.create("c", {}, inputs=set(), linkable={1})) == {1: big}
    assert int(redis_client.get(f"{P}:dl:ototal") or 0) == 2 * 902
    one = links.create("d", {1: big, 2: big}, inputs={1, 2}, linkable={1, 2})
    assert links.load(one) == {1: big}
    made = [links.create(f"e{i}", {1: big}, inputs={1}, linkable={1}) for i in range(4)]
    assert links.load(made[0]) is None and links.load(made[3]) == {1: big}
    assert int(redis_client.get(f"{P}:dl:bytes") or 0) <= 3500


def test_expired_keys_give_their_bytes_back(redis_client: redis.Redis) -> None:
    links = store(redis_client, link_ttl=0.2, sent_ttl=0.2, sessions=5)
    links.sent("old", [(1, "v")])
    old = links.create("old", {}, inputs=set(), linkable={1})
    assert links.load(old) == {1: "v"}
    time.sleep(0.4)
    assert links.load(old) is None
    assert links.load(links.create("old", {}, inputs=set(), linkable={1})) == {}
    links.sent("new", [(1, "w")])
    # The expired link and the expired session were noticed and their bytes given back.
    assert redis_client.zcard(f"{P}:dl:all") == 1
    assert int(redis_client.get(f"{P}:dl:bytes") or 0) == 0
    assert redis_client.zrange(f"{P}:dl:active", 0, -1) != [] and \
        int(redis_client.get(f"{P}:dl:ototal") or 0) == 3


def test_values_no_replica_signed_are_refused(redis_client: redis.Redis) -> None:
    links = store(redis_client)
    links.sent("s", [(2, "real")])
    link = links.create("s", {}, inputs=set(), linkable={2})
    key = f"{P}:dl:l:{link}"
    redis_client.set(key, redis_client.get(key)[:-3] + b'"}}')  # type: ignore[index]
    assert links.load(link) is None
    # Another session's recorded output copied into this one's record is not shown.
    links.sent("t", [(2, "theirs")])
    (mine,) = [k for k in redis_client.keys(f"{P}:dl:o:*")
               if redis_client.hget(k, "v2").endswith(b'"real"')]  # type: ignore[union-attr]
    (theirs,) = [k for k in redis_client.keys(f"{P}:dl:o:*") if k != mine]
    redis_client.hset(mine, "v2", redis_client.hget(theirs, "v2"))  # type: ignore[arg-type]
    assert links.load(links.create("s", {}, inputs=set(), linkable={2})) == {}
    # Another app's links are not this one's.
    assert RedisDeepLinks(redis_client, "porch:other", Signer(b"k" * 32)).load(
        links.create("s", {}, inputs=set(), linkable=set())) is None


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=200))
def test_an_unknown_id_names_nothing(redis_server: RedisProcess, guess: str) -> None:
    client = redis.Redis.from_url(redis_server.url)
    links = RedisDeepLinks(client, "porch:guess-app", Signer(b"k" * 32))
    made = links.create("s", {1: "v"}, inputs={1}, linkable={1})
    assert links.load(guess) is None or guess == made
    client.close()


# ---- replicas ----------------------------------------------------------------------------
APP = '''
import os

import porch as gr

logger = gr.CSVLogger()
files_logger = gr.CSVLogger(dataset_file_name="files.csv")

def flag(name, out):
    return logger.flag([name, out])

def flag_file(name, doc):
    return files_logger.flag([name, doc])

with gr.Blocks(title="links-and-flags") as demo:
    name = gr.Textbox(label="Name")
    out = gr.Textbox(label="Out")
    shouted = gr.Textbox(label="Shouted")  # an output only: links take it from the server
    count = gr.Number(label="Rows")
    name.submit(lambda n: n.upper(), name, shouted, api_name="shout")
    # No concurrency limit: the replicas really flag at the same time.
    gr.Button("Flag").click(flag, [name, out], count, api_name="flag", concurrency_limit=None)
    doc = gr.File(label="Doc")
    gr.Button("Flag file").click(flag_file, [name, doc], count, api_name="flag_file",
                                 concurrency_limit=None)
    gr.DeepLinkButton()
    logger.setup([name, out], os.environ["FLAG_DIR"])
    files_logger.setup([name, doc], os.environ["FLAG_DIR"])

demo.launch(quiet=True)
'''
SHOUT, FLAG, FLAG_FILE = 0, 1, 2


@pytest.fixture(scope="module")
def three(redis_server: RedisProcess, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[list[Replica], Path]]:
    folder = tmp_path_factory.mktemp("links-and-flags")
    flags = folder / "flags"
    env = cluster_env(redis_server.url, folder, FLAG_DIR=str(flags))
    with replicas(APP, 3, env, folder) as started:
        yield started, flags


def ids(client: httpx.Client, url: str) -> tuple[int, int]:
    components = client.get(f"{url}/config").json()["components"]
    by_label = {c["props"].get("label"): c["id"] for c in components}
    return by_label["Name"], by_label["Shouted"]


def opened(client: httpx.Client, url: str, link: str) -> dict[str, Any]:
    config: dict[str, Any] = client.get(f"{url}/config", params={"deep_link": link}).json()
    return config


def test_a_link_made_on_one_replica_opens_on_another(
        three: tuple[list[Replica], Path]) -> None:
    (a, b, c), _ = three
    session = uuid.uuid4().hex
    # One browser (one cookie jar) whose requests reach different replicas.
    with httpx.Client(timeout=30) as page:
        name_id, out_id = ids(page, a.url)
        # The event joined on A and read from C (it ran on any of them); the link made on B.
        join(page, a.url, SHOUT, ["ada"], session)
        assert completed(read(page, c.url, session))["output"]["data"] == ["ADA"]
        made = page.post(f"{b.url}/gradio_api/deep_link", json={
            "session_hash": session, "values": {str(name_id): "grace", str(out_id): "fake"}})
        assert made.status_code == 200, made.text
        link = made.json()
        for replica in (a, c):
            config = opened(page, replica.url, link)
            assert config["deep_link_state"] == "valid"
            values = {x["id"]: x["props"].get("value") for x in config["components"]}
            assert values[name_id] == "grace" and values[out_id] == "ADA"
        # Gradio's GET form, through the third replica.
        again = page.get(f"{c.url}/gradio_api/deep_link", params={"session_hash": session})
        values = {x["id"]: x["props"].get("value")
                  for x in opened(page, a.url, again.json())["components"]}
        assert values[out_id] == "ADA"
        assert opened(page, b.url, "nothing-here")["deep_link_state"] == "invalid"
    # The session stays its own client's on every replica.
    with httpx.Client(timeout=30) as stranger:
        stranger.get(f"{c.url}/config")
        refused = stranger.post(f"{c.url}/gradio_api/deep_link",
                                json={"session_hash": session, "values": {}})
        assert refused.status_code == 403


def test_links_through_a_round_robin_balancer(three: tuple[list[Replica], Path],
                                              tmp_path: Path) -> None:
    started, _ = three
    with balancer([r.port for r in started], tmp_path / "nginx") as url, \
            httpx.Client(base_url=url, timeout=30) as page:
        name_id, out_id = ids(page, url.rstrip("/"))
        session = uuid.uuid4().hex
        join(page, url.rstrip("/"), SHOUT, ["lin"], session)
        completed(read(page, url.rstrip("/"), session))
        links = [page.post("/gradio_api/deep_link", json={
            "session_hash": session, "values": {str(name_id): f"n{i}"}}).json()
            for i in range(3)]
        # Each link, opened three times: every replica in turn answers "valid".
        for i, link in enumerate(links):
            for _ in range(3):
                config = opened(page, url.rstrip("/"), link)
                values = {x["id"]: x["props"].get("value") for x in config["components"]}
                assert config["deep_link_state"] == "valid"
                assert values[name_id] == f"n{i}" and values[out_id] == "LIN"


def test_replicas_flagging_at_once_write_whole_rows(three: tuple[list[Replica], Path]) -> None:
    started, flags = three
    assert not (flags / "dataset.csv").exists()  # no replica has flagged yet
    text = 'row {}\nline two, "quoted"'

    def flag(i: int) -> int:
        session = uuid.uuid4().hex
        with httpx.Client(timeout=60) as client:
            join(client, started[i % 3].url, FLAG, [text.format(i), f"o{i}"], session)
            done = completed(read(client, started[(i + 1) % 3].url, session))
        assert done["success"], done
        return int(done["output"]["data"][0])

    with ThreadPoolExecutor(max_workers=12) as pool:
        counts = list(pool.map(flag, range(60)))
    # Each flag counted every replica's rows, its own last: 60 different counts.
    assert sorted(counts) == list(range(1, 61))
    rows = dataset_rows(flags)
    assert rows[0] == ["Name", "Out", "flag", "timestamp"]  # one header, written once
    body = rows[1:]
    assert len(body) == 60 and all(len(r) == 4 for r in body)
    assert sorted(r[0] for r in body) == sorted(text.format(i) for i in range(60))
    assert all(r[1] == "o" + r[0].split()[1] for r in body)  # no row mixes two flags
    assert not (flags / "dataset_2.csv").exists()


def test_files_flagged_on_different_replicas_do_not_collide(
        three: tuple[list[Replica], Path]) -> None:
    started, flags = three

    def flag(i: int) -> int:
        # The same file name from every flag: uploaded to one replica, flagged through the
        # next, the answer read from the third.
        session = uuid.uuid4().hex
        with httpx.Client(timeout=60) as client:
            uploaded = client.post(f"{started[i % 3].url}/gradio_api/upload",
                                   files={"files": ("same.txt", f"body {i}".encode())})
            assert uploaded.status_code == 200, uploaded.text
            doc = {"path": uploaded.json()[0], "orig_name": "same.txt",
                   "meta": {"_type": "gradio.FileData"}}
            join(client, started[(i + 1) % 3].url, FLAG_FILE, [f"n{i}", doc], session)
            done = completed(read(client, started[(i + 2) % 3].url, session))
        assert done["success"], done
        return int(done["output"]["data"][0])

    with ThreadPoolExecutor(max_workers=9) as pool:
        assert sorted(pool.map(flag, range(9))) == list(range(1, 10))
    rows = dataset_rows(flags, "files.csv")
    assert rows[0] == ["Name", "Doc", "flag", "timestamp"] and len(rows) == 10
    copies = {row[0]: row[1] for row in rows[1:]}
    assert len(set(copies.values())) == 9  # nine copies, none overwriting another
    for name, copy in copies.items():
        assert Path(copy).name == "same.txt"
        assert (flags / copy).read_text() == f"body {name[1:]}"


def dataset_rows(flags: Path, name: str = "dataset.csv") -> list[list[str]]:
    path = flags / name
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))
