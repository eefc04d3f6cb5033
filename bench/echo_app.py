"""The benchmark's echo app, built by the same Gradio-shaped code on porch or on Gradio.

Usage: python bench/echo_app.py porch|gradio PORT

One endpoint, fn_index 0: `echo(x) -> x`, Textbox -> Textbox, with unlimited concurrency so
that throughput measures the server, not a queue limit of 1 (both frameworks default to 1).
The function is a plain `def` on purpose: both frameworks run sync functions in a worker
thread, which is what real apps hit.
"""

from __future__ import annotations

import os
import sys


def echo(x: str) -> str:
    return x


def main() -> None:
    framework, port = sys.argv[1], int(sys.argv[2])
    if framework == "porch":
        import porch as gr
    elif framework == "gradio":
        # Set before the import: Gradio reads these at import and launch time.
        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        os.environ.setdefault("GRADIO_SSR_MODE", "False")
        import gradio as gr
    else:
        raise SystemExit(f"unknown framework {framework!r} (porch or gradio)")

    with gr.Blocks() as demo:
        inp = gr.Textbox(label="in")
        out = gr.Textbox(label="out")
        button = gr.Button("Echo")
        button.click(echo, inp, out, api_name="echo", concurrency_limit=None)

    # Blocks until SIGINT (KeyboardInterrupt), which is how bench/procs.py stops servers.
    # BENCH_MAX_FILE_SIZE: bench/oversize_upload.py's upload limit, the same on both.
    demo.launch(server_name="127.0.0.1", server_port=port, quiet=True, share=False,
                ssr_mode=False, max_file_size=os.environ.get("BENCH_MAX_FILE_SIZE"))


if __name__ == "__main__":
    main()
