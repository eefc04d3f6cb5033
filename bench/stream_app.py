"""The streaming benchmark's app, built by the same Gradio-shaped code on porch or on Gradio.

Usage: python bench/stream_app.py porch|gradio PORT

One endpoint, fn_index 0: `tokens(n)`, a plain `def` generator that yields the text so far
after each of `n` tokens (as a chat model's stream does), Number -> Textbox, with unlimited
concurrency so that the figures measure the server, not a queue limit of 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator


def tokens(n: float) -> Iterator[str]:
    text = ""
    for i in range(int(n)):
        text += f"t{i} "
        yield text


def expected(n: int) -> str:
    """The final output of `tokens(n)` (the client checks every result against it)."""
    return "".join(f"t{i} " for i in range(n))


def main() -> None:
    framework, port = sys.argv[1], int(sys.argv[2])
    if framework == "porch":
        import porch as gr
    elif framework == "gradio":
        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        os.environ.setdefault("GRADIO_SSR_MODE", "False")
        import gradio as gr
    else:
        raise SystemExit(f"unknown framework {framework!r} (porch or gradio)")

    with gr.Blocks() as demo:
        n = gr.Number(label="n", value=10)
        out = gr.Textbox(label="out")
        button = gr.Button("Stream")
        button.click(tokens, n, out, api_name="tokens", concurrency_limit=None)

    # Blocks until SIGINT (KeyboardInterrupt), which is how bench/procs.py stops servers.
    demo.launch(server_name="127.0.0.1", server_port=port, quiet=True, share=False,
                ssr_mode=False)


if __name__ == "__main__":
    main()
