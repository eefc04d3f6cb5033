"""porch's frontend benchmark: porch vs Gradio 6.31.0 in a real browser (issue 14).

    python bench/frontend.py [--gradio-python PATH] [--repeats N] [--json OUT]

Each app of bench/_frontend_apps.py is served by its own framework in its own process on
127.0.0.1, and Debian's Chromium (headless, through Playwright; never a downloaded browser)
measures, with a fresh browser context (cold cache) each time:
* page load of a small Interface: bytes transferred (encoded, as on the wire) and requests
  up to interactive, and the time from navigation start until the first text input is
  visible and enabled;
* one click updating 100 Textboxes: click until all 100 show the new value;
* a 500-token Chatbot stream: click until the last token is in the page;
* a 10,000 x 5 Dataframe: navigation start until its first cell is drawn, and how many
  table rows the page holds then (a windowed table draws only those in view).

Times are taken inside the page (performance.now()), so Playwright's own round trips are not
in them. Figures are medians of --repeats runs, porch and Gradio alternating in one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright
from procs import ProcessGroup, Server, Timer, free_port, sigterm_as_interrupt
from run import Target, find_gradio_python, machine_state

BENCH = Path(__file__).resolve().parent
APPS = str(BENCH / "_frontend_apps.py")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WAIT_MS = 120_000
# The same input both frameworks draw for a Textbox.
TEXT_INPUT = "textarea, input[type=text]"

JS_INTERACTIVE = """() => {
  const el = document.querySelector('TEXT_INPUT');
  if (!el || el.disabled || el.readOnly) return false;
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0 ? performance.now() : false;
}""".replace("TEXT_INPUT", TEXT_INPUT)
JS_ALL_DONE = """() => {
  let n = 0;
  for (const el of document.querySelectorAll('TEXT_INPUT')) if (el.value === 'done') n++;
  return n >= 100 ? performance.now() - window.__benchClick : false;
}""".replace("TEXT_INPUT", TEXT_INPUT)
JS_CHAT_DONE = """() => document.body.textContent.includes('w499 FIN')
  ? performance.now() - window.__benchClick : false"""
# Framework-neutral: Gradio 6 draws body cells without <td>, so cells are found by their text
# (every cell's text node is "r<row>c<col>"); a drawn row is one whose "r<row>c0" is in the DOM.
JS_CELL_TEXTS = """(() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  while (walker.nextNode()) {
    const text = walker.currentNode.nodeValue.trim();
    if (/^r\\d+c0$/.test(text)) found.push(text);
  }
  return found;
})()"""
JS_TABLE_DRAWN = "() => " + JS_CELL_TEXTS + ".includes('r0c0') ? performance.now() : false"
JS_TABLE_ROWS = "() => " + JS_CELL_TEXTS + ".length"
# Clock start in the page at the click itself (capture phase, before any app handler).
JS_ARM_CLICK = """() => document.addEventListener('click', () => {
  window.__benchClick = performance.now(); }, { capture: true, once: true })"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_targets(gradio_python: str | None) -> list[Target]:
    targets = [Target("porch", sys.executable, [APPS, "porch"], "import porch",
                      "import porch; print(porch.__version__)")]
    if gradio_python is not None:
        targets.append(Target("gradio", gradio_python, [APPS, "gradio"], "import gradio",
                              "import gradio; print(gradio.__version__)"))
    return targets


class Meter:
    """Counts requests and encoded bytes of one page through the DevTools protocol."""

    def __init__(self, page: Page) -> None:
        self.requests = 0
        self.bytes = 0
        session = page.context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.loadingFinished", self._finished)
        session.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        self.requests += 1

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes += int(event.get("encodedDataLength", 0))


def fresh_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    return context.new_page()


def page_load(browser: Browser, url: str) -> dict[str, float]:
    page = fresh_page(browser)
    try:
        meter = Meter(page)
        page.goto(url, wait_until="commit")
        tti = page.wait_for_function(JS_INTERACTIVE, timeout=WAIT_MS, polling=10).json_value()
        # Let what the page asks for on its own just after interactive (fonts, icons) land.
        page.wait_for_timeout(500)
        return {"tti_ms": float(tti), "requests": meter.requests,
                "kib": meter.bytes / 1024}
    finally:
        page.context.close()


def after_click(browser: Browser, url: str, done_js: str) -> dict[str, float]:
    page = fresh_page(browser)
    try:
        page.goto(url)
        button = page.get_by_role("button", name="Go", exact=True)
        button.wait_for(state="visible", timeout=WAIT_MS)
        page.wait_for_load_state("load")
        page.evaluate(JS_ARM_CLICK)
        button.click()
        ms = page.wait_for_function(done_js, timeout=WAIT_MS, polling=10).json_value()
        return {"ms": float(ms)}
    finally:
        page.context.close()


def big_table(browser: Browser, url: str) -> dict[str, float]:
    page = fresh_page(browser)
    try:
        page.goto(url, wait_until="commit")
        ms = page.wait_for_function(JS_TABLE_DRAWN, timeout=WAIT_MS, polling=20).json_value()
        return {"ms": float(ms), "rows": float(page.evaluate(JS_TABLE_ROWS))}
    finally:
        page.context.close()


Case = Callable[[Browser, str], dict[str, float]]
CASES: list[tuple[str, Case]] = [
    ("interface", page_load),
    ("outputs", lambda browser, url: after_click(browser, url, JS_ALL_DONE)),
    ("chat", lambda browser, url: after_click(browser, url, JS_CHAT_DONE)),
    ("table", big_table),
]
ROWS: list[tuple[str, str, str, str]] = [  # label, app, figure, unit
    ("page load: bytes", "interface", "kib", "KiB"),
    ("page load: requests", "interface", "requests", ""),
    ("page load: time to interactive", "interface", "tti_ms", "ms"),
    ("1 click -> 100 outputs", "outputs", "ms", "ms"),
    ("500-token chat stream", "chat", "ms", "ms"),
    ("10k-row Dataframe: first draw", "table", "ms", "ms"),
    ("10k-row Dataframe: rows in DOM", "table", "rows", ""),
]


def measure(group: ProcessGroup, browser: Browser, targets: list[Target], app: str,
            case: Case, repeats: int) -> dict[str, dict[str, float]]:
    servers: dict[str, Server] = {}
    for target in targets:
        port = free_port()
        servers[target.name], _ = group.start_server(
            f"{target.name}-{app}", [target.python, *target.app_args, app, str(port)], port,
            target.env())
    samples: dict[str, list[dict[str, float]]] = {t.name: [] for t in targets}
    try:
        case(browser, servers[targets[0].name].url)  # warm-up: both servers' first request
        for _ in range(repeats):
            for target in targets:  # alternate, so a busy moment hits both
                server = servers[target.name]
                try:
                    samples[target.name].append(case(browser, server.url))
                except Exception as exc:
                    raise RuntimeError(f"{target.name}/{app}: {exc}\n--- server log ---\n"
                                       f"{server.log_tail(30)}") from None
    finally:
        for server in servers.values():
            group.stop(server.proc)
    return {name: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
            for name, runs in samples.items()}


def report(results: dict[str, dict[str, dict[str, float]]], names: list[str]) -> str:
    head = f"{'':34}" + "".join(f"{n:>12}" for n in names)
    if "gradio" in names:
        head += f"{'porch/gradio':>14}"
    lines = [head]
    for label, app, key, unit in ROWS:
        if app not in results:
            continue
        values = [results[app][n][key] for n in names]
        line = f"{label + (f' ({unit})' if unit else ''):34}"
        line += "".join(f"{v:>12.1f}" if unit != "" else f"{v:>12.0f}" for v in values)
        if "gradio" in names:
            gradio = results[app]["gradio"][key]
            line += f"{results[app]['porch'][key] / gradio:>14.2f}" if gradio else f"{'-':>14}"
        lines.append(line)
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gradio-python", help="python of a venv with gradio==6.31.0 "
                        "(default: $GRADIO_PYTHON, the bench venv, else this python)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=[app for app, _ in CASES], action="append")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    return parser.parse_args(argv)


def gradio_python(option: str | None) -> str | None:
    found = find_gradio_python(option)
    if found is not None:
        return found
    # The CI venv holds gradio next to porch: use it when it imports.
    try:
        import gradio  # noqa: F401
    except ImportError:
        return None
    return sys.executable


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    targets = make_targets(gradio_python(args.gradio_python))
    names = [t.name for t in targets]
    timer = Timer()
    log(f"machine: {machine_state()}")
    results: dict[str, dict[str, dict[str, float]]] = {}
    with sigterm_as_interrupt(), ProcessGroup() as group, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            for app, case in CASES:
                if args.only and app not in args.only:
                    continue
                log(f"{app}: {args.repeats} repeats x {', '.join(names)}")
                results[app] = measure(group, browser, targets, app, case, args.repeats)
        finally:
            browser.close()
    print(report(results, names))
    log(f"wall time {timer.elapsed():.0f}s; machine after: {machine_state()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
