"""The apps of the load and fault benchmarks (endurance, sessions, drops, faults, soak),
built by the same Gradio-shaped code on porch or on Gradio.

Usage: python bench/load_apps.py porch|gradio APP PORT

APP is one of:

* ``mixed``: the soak's app. fn 0 ``size(file) -> "name:bytes"`` (File -> Textbox);
  fn 1 ``tokens(tag, n)``, a generator yielding ``"<tag>:<i>"`` n times (every message says
  which session asked for it, so a misrouted one is seen); fn 2 ``remember(x, state)``,
  which appends x to the session's State list and answers its length and total size;
  fn 3 ``atokens(tag, n)``, an ``async def`` generator like ``tokens`` that waits
  ``$BENCH_TOKEN_DELAY_S`` seconds (0.05 by default) before each yield, so that a thousand
  streams are really open at once (no worker thread is held while it waits).
* ``slow``: fn 0 ``nap(x)``, an ``async def`` that sleeps ``$BENCH_NAP_S`` seconds (0.3 by
  default) with ``concurrency_limit=$BENCH_LIMIT`` (8 by default) and answers x.

With ``$BENCH_DELETE_CACHE=FREQ,AGE`` the app is built with ``Blocks(delete_cache=(FREQ,
AGE))``: cached files older than AGE seconds are removed every FREQ seconds.

Each function is a plain ``def`` unless said otherwise: both frameworks run those in a
worker thread, which is what real apps hit.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any


def size(path: Any) -> str:
    file = Path(path if isinstance(path, str) else path.name)
    return f"{file.name}:{file.stat().st_size}"


def tokens(tag: str, n: float) -> Iterator[str]:
    for i in range(int(n)):
        yield f"{tag}:{i}"


async def atokens(tag: str, n: float) -> AsyncIterator[str]:
    delay = float(os.environ.get("BENCH_TOKEN_DELAY_S", "0.05"))
    for i in range(int(n)):
        await asyncio.sleep(delay)
        yield f"{tag}:{i}"


def remember(x: str, state: list[str] | None) -> tuple[str, list[str]]:
    kept = list(state or [])
    kept.append(x)
    return f"{len(kept)}:{sum(len(v) for v in kept)}", kept


async def nap(x: str) -> str:
    await asyncio.sleep(float(os.environ.get("BENCH_NAP_S", "0.3")))
    return x


def build(gr: Any, app: str) -> Any:
    raw = os.environ.get("BENCH_DELETE_CACHE")
    options = {"delete_cache": tuple(float(v) for v in raw.split(","))} if raw else {}
    with gr.Blocks(**options) as demo:
        if app == "mixed":
            file = gr.File(label="file")
            tag = gr.Textbox(label="tag")
            n = gr.Number(label="n", value=5)
            text = gr.Textbox(label="text")
            out = gr.Textbox(label="out")
            state = gr.State([])
            gr.Button("size").click(size, file, out, api_name="size", concurrency_limit=None)
            gr.Button("tokens").click(tokens, [tag, n], out, api_name="tokens",
                                      concurrency_limit=None)
            gr.Button("remember").click(remember, [text, state], [out, state],
                                        api_name="remember", concurrency_limit=None)
            gr.Button("atokens").click(atokens, [tag, n], out, api_name="atokens",
                                       concurrency_limit=None)
        elif app == "slow":
            box = gr.Textbox()
            limit = int(os.environ.get("BENCH_LIMIT", "8"))
            gr.Button().click(nap, box, box, api_name="nap", concurrency_limit=limit)
        else:
            raise SystemExit(f"unknown app {app!r} (mixed or slow)")
    return demo


def import_framework(framework: str) -> Any:
    """`porch` or `gradio` (quiet: no analytics, no SSR), as the bench's app files take it."""
    if framework == "porch":
        import porch

        return porch
    if framework == "gradio":
        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        os.environ.setdefault("GRADIO_SSR_MODE", "False")
        import gradio

        return gradio
    raise SystemExit(f"unknown framework {framework!r} (porch or gradio)")


def main() -> None:
    framework, app, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    gr = import_framework(framework)
    # Blocks until SIGINT (KeyboardInterrupt), which is how bench/procs.py stops servers.
    options = {}
    if framework == "porch" and os.environ.get("BENCH_SESSION_BURST"):
        # sessions.py --repeat opens 1,000 new sessions per run from one address: more than
        # porch's per-client flood bound lets one client open at once (by design).
        options["session_burst"] = int(os.environ["BENCH_SESSION_BURST"])
    build(gr, app).launch(server_name="127.0.0.1", server_port=port, quiet=True, share=False,
                          ssr_mode=False, **options)


if __name__ == "__main__":
    main()
