"""The scenario app served by the real Gradio, for tests/compat/test_client_vs_gradio.py.

    python -m tests.compat.gradio_app PORT GUARDED_PORT     (from the repository root)

PORT serves the scenario app as is. GUARDED_PORT serves it again behind a login
(alice / s3cret), with max_file_size="1kb" and show_error=True.
"""

from __future__ import annotations

import sys

import gradio as gr

from tests.client.scenario_app import build

USER = ("alice", "s3cret")


def main() -> None:
    port, guarded_port = int(sys.argv[1]), int(sys.argv[2])
    common = {"server_name": "127.0.0.1", "quiet": True, "ssr_mode": False}
    build(gr).launch(server_port=guarded_port, auth=USER, max_file_size="1kb",
                     show_error=True, prevent_thread_lock=True, **common)
    build(gr).launch(server_port=port, **common)


if __name__ == "__main__":
    main()
