"""`%load_ext porch`: the `%%blocks` cell magic, which (re)launches the app a cell defines.

Gradio swaps the new blocks into the running server; porch stops the old server and starts
the new app on the same port, so the browser tab only needs a reload.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from porch.errors import ConfigError

if TYPE_CHECKING:
    import argparse


def _arguments(line: str) -> argparse.Namespace:
    import argparse  # only when the magic runs: not part of `import porch`

    parser = argparse.ArgumentParser(prog="%%blocks", add_help=False)
    parser.add_argument("--demo-name", default="demo")
    parser.add_argument("--share", default=False, const=True, nargs="?")
    return parser.parse_args(shlex.split(line))


def load_ipython_extension(ipython: Any) -> None:
    """Register `%%blocks [--demo-name NAME] [--share]` with an IPython shell."""
    running: dict[str, Any] = {}

    def blocks(line: str, cell: str) -> Any:
        from porch.blocks.blocks import Blocks

        args = _arguments(line)
        ipython.run_cell(cell)
        demo = ipython.user_ns.get(args.demo_name)
        if not isinstance(demo, Blocks):
            raise ConfigError(f"%%blocks: the cell defines no porch app named "
                              f"{args.demo_name!r} (use --demo-name).")
        port = None
        previous = running.get(args.demo_name)
        if previous is not None and previous.server is not None:
            port = int(previous.server.url.rstrip("/").rsplit(":", 1)[1])
            previous.close()
        running[args.demo_name] = demo
        return demo.launch(share=args.share, server_port=port, prevent_thread_lock=True)

    ipython.register_magic_function(blocks, magic_kind="cell", magic_name="blocks")
