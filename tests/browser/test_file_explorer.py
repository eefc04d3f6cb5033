"""gr.FileExplorer in the page: the folder's tree, opened on demand, files chosen by checkbox,
and the function gets their paths; dot-files and links do not appear."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def test_choosing_files_in_the_tree(open_app: Callable[[Any], Page], tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("milk")
    (tmp_path / "readme.txt").write_text("hello")
    (tmp_path / ".env").write_text("secret")
    os.symlink("/etc", tmp_path / "etc")
    with gr.Blocks() as demo:
        explorer = gr.FileExplorer(root_dir=tmp_path, label="files")
        out = gr.Textbox(label="out")
        gr.Button("Read").click(
            lambda paths: " + ".join(Path(p).read_text() for p in paths), explorer, out)
    page = open_app(demo)
    tree = page.locator(".porch-file-tree")
    expect(tree.get_by_role("button", name="▸ notes")).to_be_visible()
    expect(tree.get_by_label("readme.txt")).to_be_visible()
    assert tree.get_by_text(".env").count() == 0 and tree.get_by_text("etc").count() == 0
    tree.get_by_role("button", name="▸ notes").click()
    tree.get_by_label("todo.txt").check()
    tree.get_by_label("readme.txt").check()
    page.get_by_role("button", name="Read").click()
    expect(page.get_by_label("out")).to_have_value("milk + hello")
