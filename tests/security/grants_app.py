"""An app for the file-grant tests, started with cwd=/ (systemd's default): its functions
return a path the client chooses, or temp files they write. `PORT`, `ALLOWED` and `BLOCKED`
(os.pathsep-separated) come from the test."""

from __future__ import annotations

import os
import tempfile

import porch as gr


def by_path(path: str) -> str:
    return path  # the client picks the file: only the gate stands between it and the disk


def named_temp(text: str) -> str:
    with tempfile.NamedTemporaryFile("w", delete=False, suffix=".wav") as out:
        out.write(text)
    return out.name


def made_dir(text: str) -> str:
    path = os.path.join(tempfile.mkdtemp(), "made.txt")
    with open(path, "w") as out:
        out.write(text)
    return path


with gr.Blocks() as demo:
    text, out = gr.Textbox(), gr.File()
    gr.Button().click(by_path, text, out, api_name="by_path")
    gr.Button().click(named_temp, text, out, api_name="named_temp")
    gr.Button().click(made_dir, text, out, api_name="made_dir")

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1", server_port=int(os.environ["PORT"]),
                allowed_paths=[os.environ["ALLOWED"]],
                blocked_paths=os.environ["BLOCKED"].split(os.pathsep))
