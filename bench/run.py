"""porch's benchmark: porch vs a bare Starlette floor vs Gradio 6.31.0, in one run.

    python bench/run.py [--gradio-python PATH] [--json OUT]

Gradio is used when --gradio-python is given, else $GRADIO_PYTHON, else
/tmp/porch-bench-gradio/bin/python (made by bench/setup_gradio.sh); otherwise skipped.
See bench/README.md for what each figure means.

Every phase runs the targets one after another in turn (porch, floor, gradio, porch, ...),
not target by target, so a burst of load from elsewhere on the machine spreads over all of
them instead of skewing one; the ratios are what the issue's targets are about.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procs import ProcessGroup, Server, Timer, free_port, sigterm_as_interrupt
from report import TargetResult, Throughput, as_json, render_table, render_targets

BENCH = Path(__file__).resolve().parent
DEFAULT_GRADIO_PYTHON = Path("/tmp/porch-bench-gradio/bin/python")
# Settling time before reading idle RSS: lets lazy start-up work (Gradio's) finish.
SETTLE_S = 1.0
IMPORT_TIMEOUT_S = 120.0
CLIENT_TIMEOUT_S = 120.0

# Timed inside the child, so interpreter start-up is not part of the figure.
_IMPORT_PROBE = (
    "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
)


@dataclass
class Target:
    name: str
    python: str
    app_args: list[str]  # the server command after the interpreter, without the port
    import_stmt: str
    version_stmt: str

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        # Gradio: no analytics, no SSR (no Node server), no update check, no HF telemetry.
        env.update(GRADIO_ANALYTICS_ENABLED="False", GRADIO_SSR_MODE="False",
                   HF_HUB_DISABLE_TELEMETRY="1", HF_HUB_OFFLINE="1", DO_NOT_TRACK="1")
        # Installed packages import from their bytecode (pip compiles it): with
        # PYTHONDONTWRITEBYTECODE a checkout's porch would be compiled on every import while
        # Gradio's site-packages bytecode is used, which measures the compiler, not porch.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("PORCH_SERVER_PORT", None)  # each server gets its port on the command line
        env.pop("GRADIO_SERVER_PORT", None)
        return env

    def server_cmd(self, port: int) -> list[str]:
        return [self.python, *self.app_args, str(port)]


def find_gradio_python(option: str | None) -> str | None:
    for candidate in (option, os.environ.get("GRADIO_PYTHON"), str(DEFAULT_GRADIO_PYTHON)):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    if option:
        raise SystemExit(f"--gradio-python {option}: not an executable file")
    return None


def make_targets(gradio_python: str | None) -> list[Target]:
    echo = str(BENCH / "echo_app.py")
    targets = [
        Target("porch", sys.executable, [echo, "porch"], "import porch",
               "import porch; print(porch.__version__)"),
        Target("floor", sys.executable, [str(BENCH / "floor_app.py")],
               "import uvicorn, starlette.applications",
               "import starlette, uvicorn; "
               "print(f'starlette {starlette.__version__}, uvicorn {uvicorn.__version__}')"),
    ]
    if gradio_python is not None:
        targets.append(Target("gradio", gradio_python, [echo, "gradio"], "import gradio",
                              "import gradio; print(gradio.__version__)"))
    return targets


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- phases ------------------------------------------------------------------------------------
def measure_imports(group: ProcessGroup, targets: list[Target],
                    results: dict[str, TargetResult], runs: int) -> None:
    log(f"import time: {runs} runs each (+1 unmeasured, which also warms the bytecode cache)")
    for round_ in range(runs + 1):
        for target in targets:
            code = _IMPORT_PROBE.format(stmt=target.import_stmt)
            out = group.run([target.python, "-c", code], IMPORT_TIMEOUT_S, env=target.env())
            if round_ > 0:
                results[target.name].import_s.append(float(out.strip().splitlines()[-1]))


def measure_launches(group: ProcessGroup, targets: list[Target],
                     results: dict[str, TargetResult], runs: int) -> dict[str, Server]:
    """Launch each target `runs` times; the last launch of each stays up for the load phases."""
    log(f"launch -> /config: {runs} launches each")
    servers: dict[str, Server] = {}
    for round_ in range(runs):
        for target in targets:
            port = free_port()
            server, seconds = group.start_server(target.name, target.server_cmd(port), port,
                                                 env=target.env())
            results[target.name].launch_s.append(seconds)
            if round_ < runs - 1:
                group.stop(server.proc)
            else:
                servers[target.name] = server
    return servers


def run_client(group: ProcessGroup, server: Server, args: list[str]) -> dict[str, Any]:
    """Run bench/client.py against `server`; on failure, say what the server logged."""
    try:
        out = group.run([sys.executable, str(BENCH / "client.py"), *args], CLIENT_TIMEOUT_S)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n--- {server.name} server log (tail) ---\n"
                           f"{server.log_tail(40)}") from None
    result: dict[str, Any] = json.loads(out)
    return result


def measure_latency(group: ProcessGroup, servers: dict[str, Server],
                    results: dict[str, TargetResult], calls: int) -> None:
    log(f"latency: {calls} sequential calls each")
    for name, server in servers.items():
        data = run_client(group, server, ["latency", server.url, "--calls", str(calls),
                                          "--warmup", "20"])
        results[name].latency_s = data["samples_s"]


def measure_throughput(group: ProcessGroup, servers: dict[str, Server],
                       results: dict[str, TargetResult], concurrency: int, duration: float,
                       warmup: float, rounds: int) -> None:
    """`rounds` interleaved runs per target; the best one is kept, since load from elsewhere
    on the machine can only ever make a run slower."""
    log(f"throughput: {concurrency} clients, {rounds} x ({warmup:g}s warm-up + {duration:g}s)"
        " each")
    runs: dict[str, list[Throughput]] = {name: [] for name in servers}
    for _ in range(rounds):
        for name, server in servers.items():
            cpu_before = server.cpu_seconds()
            data = run_client(group, server, ["throughput", server.url,
                                              "--concurrency", str(concurrency),
                                              "--duration", str(duration),
                                              "--warmup", str(warmup)])
            runs[name].append(Throughput(
                concurrency=concurrency, calls_per_s=data["calls_per_s"],
                errors=data["measured_errors"], total_calls=data["total_calls"],
                client_cpu_frac=data["client_cpu_frac"],
                server_cpu_s=server.cpu_seconds() - cpu_before,
                first_error=data["first_error"]))
    for name, measured in runs.items():
        best = max(measured, key=lambda t: t.calls_per_s)
        best.errors = sum(t.errors for t in measured)
        best.rounds = [t.calls_per_s for t in measured]
        results[name].throughput[concurrency] = best


def describe_machine(group: ProcessGroup, targets: list[Target],
                     results: dict[str, TargetResult]) -> list[str]:
    for target in targets:
        out = group.run([target.python, "-c", target.version_stmt], IMPORT_TIMEOUT_S,
                        env=target.env())
        results[target.name].version = out.strip()
    lines = [f"python {platform.python_version()} on {platform.machine()}, "
             f"{os.cpu_count()} CPUs",
             f"before: {machine_state()}"]
    lines += [f"{t.name}: {results[t.name].version}" for t in targets]
    return lines


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _cpu_idle(seconds: float = 1.0) -> float:
    """Share of the machine's CPU time left idle over `seconds` (/proc/stat)."""
    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total

    idle0, total0 = sample()
    time.sleep(seconds)
    idle1, total1 = sample()
    return (idle1 - idle0) / max(1, total1 - total0)


def machine_state() -> str:
    idle = _cpu_idle()
    state = f"load average {_loadavg()}, CPU idle {idle:.0%} over 1 s"
    if idle < 0.5:
        state += " (BUSY: other work competes for the CPU; absolute figures are unreliable)"
    return state


# ---- main --------------------------------------------------------------------------------------
def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gradio-python", help="python of a venv with gradio==6.31.0")
    parser.add_argument("--import-runs", type=int, default=5)
    parser.add_argument("--launch-runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=200, help="sequential latency calls")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--duration", type=float, default=3.0,
                        help="seconds measured per throughput run")
    parser.add_argument("--rounds", type=int, default=2,
                        help="throughput runs per target and concurrency (the best is kept)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="seconds of unmeasured load before each throughput run")
    parser.add_argument("--json", type=Path, help="also write every raw figure here")
    args = parser.parse_args(argv)
    if min(args.import_runs, args.launch_runs, args.calls, args.rounds) < 1 \
            or args.duration <= 0:
        parser.error("run counts and durations must be positive")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    timer = Timer()
    gradio_python = find_gradio_python(args.gradio_python)
    targets = make_targets(gradio_python)
    results = {t.name: TargetResult(t.name) for t in targets}
    with sigterm_as_interrupt(), ProcessGroup() as group:
        header = describe_machine(group, targets, results)
        if gradio_python is None:
            header.append("gradio: not installed (skipped); run bench/setup_gradio.sh")
        for line in header:
            log(line)
        measure_imports(group, targets, results, args.import_runs)
        servers = measure_launches(group, targets, results, args.launch_runs)
        time.sleep(SETTLE_S)
        for name, server in servers.items():
            results[name].rss_idle_mib = server.rss_mib()
        measure_latency(group, servers, results, args.calls)
        for concurrency in args.concurrency:
            measure_throughput(group, servers, results, concurrency, args.duration,
                               args.warmup, args.rounds)
        for name, server in servers.items():
            results[name].rss_loaded_mib = server.rss_mib()
            results[name].rss_peak_mib = server.peak_rss_mib()
    # Every server is stopped here (ProcessGroup.__exit__), also on error or Ctrl-C.
    print()
    print("\n".join(header))
    print(f"after:  {machine_state()}")
    print()
    print(render_table(results, args.concurrency))
    print()
    print(render_targets(results, args.concurrency))
    print(f"\nbench run took {timer.elapsed():.0f}s")
    if args.json:
        args.json.write_text(json.dumps(as_json(results), indent=1))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("interrupted; every server was stopped", file=sys.stderr)
        sys.exit(130)
