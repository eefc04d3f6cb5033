"""A file-echo app for the kill -9 test: `PORT` and `PORCH_TEMP_DIR` come from the test."""

from __future__ import annotations

import os

import porch as gr

with gr.Blocks() as demo:
    given, echoed = gr.File(), gr.File()
    gr.Button().click(lambda path: path, given, echoed, api_name="echo_file")

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1", server_port=int(os.environ["PORT"]), quiet=True)
