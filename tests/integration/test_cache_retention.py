"""The cache cleans itself on a real server: past its cap the least recently used files go,
never one a live session (a page with its heartbeat open) still holds."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

import porch as gr


def build_app(tmp_dir: str) -> gr.Blocks:
    with gr.Blocks() as demo:
        name = gr.Textbox()
        out = gr.File()

        def make(label: str) -> str:
            path = f"{tmp_dir}/{label}.bin"
            with open(path, "wb") as file:
                file.write(label.encode() * (600 // len(label)))
            return path

        gr.Button().click(make, name, out, api_name="make")
    return demo


@contextmanager
def heartbeat(client: httpx.Client, url: str, session: str) -> Iterator[None]:
    with client.stream("GET", f"{url}/gradio_api/heartbeat/{session}") as stream:
        assert stream.status_code == 200
        # Keep the iterator: dropping it closes the generator, and with it the connection,
        # which ends the heartbeat a moment later (the page would look gone).
        frames = stream.iter_bytes()
        next(frames)  # the first ALIVE: the server counts the page as there
        yield


def make(client: httpx.Client, url: str, session: str, label: str) -> str:
    response = client.post(url + "/gradio_api/run/make",
                           json={"data": [label], "session_hash": session})
    assert response.status_code == 200, response.text
    file_url: str = response.json()["data"][0]["url"]
    return file_url


def test_past_the_cap_idle_files_go_and_a_live_pages_file_stays(
        serve: Callable[..., str], tmp_path_factory) -> None:
    written = tmp_path_factory.mktemp("written")
    url = serve(build_app(str(written)), cache_max_size=1000, allowed_paths=[str(written)])
    with httpx.Client(timeout=30) as page, httpx.Client(timeout=30) as visitor:
        page.get(url + "/config")
        visitor.get(url + "/config")
        live_session = uuid.uuid4().hex
        with heartbeat(page, url, live_session):
            mine = make(page, url, live_session, "alice")        # 600 B, held by a live page
            first = make(visitor, url, uuid.uuid4().hex, "bob")  # 1200 B: newest stays
            assert visitor.get(first).status_code == 200
            later = make(visitor, url, uuid.uuid4().hex, "carol")  # bob's goes, not alice's
            assert page.get(mine).status_code == 200 and page.get(mine).content[:5] == b"alice"
            assert visitor.get(first).status_code == 403  # no longer issued: refused
            assert visitor.get(later).status_code == 200
        # The page closed: alice's file is an ordinary entry, and the next file pushes it out.
        make(visitor, url, uuid.uuid4().hex, "dave")
        assert page.get(mine).status_code == 403
