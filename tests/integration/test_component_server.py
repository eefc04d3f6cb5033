"""`POST /gradio_api/component_server` (Gradio's route for a component's own server
functions), on a real server: only `@server` methods run, through the usual guard and caps;
and gr.FileExplorer's listing and selection through it, within its folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

import porch as gr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "files"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("A")
    (root / "sub" / "b.txt").write_text("B")
    (root / ".secret").write_text("S")
    (root / "blocked").mkdir()
    (root / "blocked" / "x.txt").write_text("X")
    os.symlink("/etc", root / "etc")
    return root


def app(folder: Path) -> tuple[gr.Blocks, gr.FileExplorer]:
    with gr.Blocks() as demo:
        explorer = gr.FileExplorer(root_dir=folder, glob="**/*.txt")
        out = gr.Textbox()
        gr.Button().click(lambda paths: "|".join(Path(p).read_text() for p in paths),
                          explorer, out, api_name="read")
    return demo, explorer


def call(client: httpx.Client, url: str, component: int, fn: str, data: object,
         **extra: object) -> httpx.Response:
    body = {"session_hash": uuid.uuid4().hex, "component_id": component, "fn_name": fn,
            "data": data, **extra}
    return client.post(url + "/gradio_api/component_server", json=body)


def test_the_explorer_lists_its_folder_and_nothing_around_it(
        serve: Callable[..., str], folder: Path) -> None:
    demo, explorer = app(folder)
    url = serve(demo, blocked_paths=[str(folder / "blocked")])
    with httpx.Client(timeout=30) as client:
        top = call(client, url, explorer.id, "ls", None).json()
        assert [(e["name"], e["type"]) for e in top] == [("sub", "folder"), ("a.txt", "file")]
        assert call(client, url, explorer.id, "ls", ["sub"]).json()[0]["name"] == "b.txt"
        for hostile in ([".."], ["etc"], ["blocked"], ["/etc"], [".secret"], "sub"):
            assert call(client, url, explorer.id, "ls", hostile).json() == []


def test_only_server_functions_run(serve: Callable[..., str], folder: Path) -> None:
    demo, explorer = app(folder)
    url = serve(demo)
    with httpx.Client(timeout=30) as client:
        for fn in ("preprocess", "_blocked", "__init__", "props", "nope"):
            assert call(client, url, explorer.id, fn, None).status_code == 404
        assert call(client, url, 999_999, "ls", None).status_code == 404
        assert client.post(url + "/gradio_api/component_server", json={}).status_code == 422
        assert call(client, url, explorer.id, "ls", "x" * (3 * 2**20)).status_code == 413
        cross_site = client.post(url + "/gradio_api/component_server",
                                 headers={"Origin": "https://evil.example"},
                                 json={"session_hash": "s", "component_id": explorer.id,
                                       "fn_name": "ls", "data": None})
        assert cross_site.status_code == 403


def test_a_selection_reaches_the_function_and_hostile_ones_are_refused(
        serve: Callable[..., str], folder: Path) -> None:
    demo, _ = app(folder)
    url = serve(demo)
    client = Client(url, verbose=False)
    assert client.predict([["a.txt"], ["sub", "b.txt"]], api_name="/read") == "A|B"
    for hostile in ([[".."]], [["etc", "passwd"]], [[".secret"]], [["/etc/passwd"]]):
        with pytest.raises(AppError, match="Not a name|No such"):
            client.predict(hostile, api_name="/read")
