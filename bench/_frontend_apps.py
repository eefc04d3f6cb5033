"""The frontend benchmark's apps, built by the same Gradio-shaped code on porch or on Gradio.

Usage: python bench/_frontend_apps.py porch|gradio interface|outputs|chat|table PORT

* interface: a small Interface, Textbox -> Textbox (page weight, time to interactive);
* outputs: one button whose event sets 100 Textboxes to "done";
* chat: a Chatbot fed by a generator that grows one assistant message over 500 tokens and
  ends it with "FIN" (so the page knows the last token arrived);
* table: a 10,000 x 5 read-only Dataframe.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from load_apps import import_framework  # bench/ is on the path: these run as scripts

OUTPUTS = 100
CHAT_TOKENS = 500
TABLE_ROWS = 10_000
TABLE_COLS = 5


def chat_stream() -> Iterator[list[dict[str, str]]]:
    text = ""
    for i in range(CHAT_TOKENS):
        text += f"w{i} "
        if i == CHAT_TOKENS - 1:
            text += "FIN"
        yield [{"role": "user", "content": "go"}, {"role": "assistant", "content": text}]


def build(gr: Any, app: str) -> Any:
    if app == "interface":
        return gr.Interface(lambda s: s[::-1], gr.Textbox(label="in"), gr.Textbox(label="out"))
    with gr.Blocks() as demo:
        if app == "outputs":
            boxes = [gr.Textbox(label=f"o{i}", value="start") for i in range(OUTPUTS)]
            button = gr.Button("Go")
            button.click(lambda: ["done"] * OUTPUTS, None, boxes)
        elif app == "chat":
            bot = gr.Chatbot(label="bot")
            button = gr.Button("Go")
            button.click(chat_stream, None, bot)
        elif app == "table":
            rows = [[f"r{r}c{c}" for c in range(TABLE_COLS)] for r in range(TABLE_ROWS)]
            gr.Dataframe(rows, headers=[f"h{c}" for c in range(TABLE_COLS)], label="big",
                         interactive=False, type="array")
        else:
            raise SystemExit(f"unknown app {app!r}")
    return demo


def main() -> None:
    framework, app, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    gr = import_framework(framework)
    # Blocks until SIGINT (KeyboardInterrupt), which is how bench/procs.py stops servers.
    build(gr, app).launch(server_name="127.0.0.1", server_port=port, quiet=True, share=False,
                          ssr_mode=False)


if __name__ == "__main__":
    main()
