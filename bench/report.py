"""The benchmark's figures and how they are printed: one table, ratios, and the issue's targets."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

# A client process above this share of one core may be what limits the throughput figure.
CLIENT_SATURATED = 0.90


@dataclass
class Throughput:
    concurrency: int
    calls_per_s: float
    errors: int
    total_calls: int
    client_cpu_frac: float
    server_cpu_s: float
    first_error: str | None = None
    rounds: list[float] = field(default_factory=list)  # calls/s of every round run

    @property
    def server_cpu_us_per_call(self) -> float | None:
        # CPU over the whole client run (warm-up included) / every call of that run.
        return self.server_cpu_s / self.total_calls * 1e6 if self.total_calls else None

    @property
    def client_bound(self) -> bool:
        return self.client_cpu_frac >= CLIENT_SATURATED


@dataclass
class TargetResult:
    name: str
    version: str = ""
    import_s: list[float] = field(default_factory=list)
    launch_s: list[float] = field(default_factory=list)
    rss_idle_mib: float | None = None
    rss_loaded_mib: float | None = None
    rss_peak_mib: float | None = None
    latency_s: list[float] = field(default_factory=list)
    throughput: dict[int, Throughput] = field(default_factory=dict)

    def figures(self) -> dict[str, float | None]:
        """Every figure of the table, in display units (ms, MiB, calls/s, µs)."""
        out: dict[str, float | None] = {
            "import": _median_ms(self.import_s),
            "launch": _median_ms(self.launch_s),
            "rss_idle": self.rss_idle_mib,
            "rss_loaded": self.rss_loaded_mib,
            "p50": _percentile_ms(self.latency_s, 50),
            "p99": _percentile_ms(self.latency_s, 99),
        }
        for conc, tp in sorted(self.throughput.items()):
            out[f"tput{conc}"] = tp.calls_per_s
            out[f"cpu{conc}"] = tp.server_cpu_us_per_call
            out[f"client{conc}"] = tp.client_cpu_frac * 100
        return out


def _median_ms(samples: list[float]) -> float | None:
    return statistics.median(samples) * 1000 if samples else None


def _percentile_ms(samples: list[float], pct: int) -> float | None:
    """Nearest-rank percentile: the value at or below which pct% of samples lie."""
    if not samples:
        return None
    ordered = sorted(samples)
    rank = max(1, -(-pct * len(ordered) // 100))  # ceil(pct * n / 100)
    return ordered[rank - 1] * 1000


# (key, label, lower is better?) in display order; throughput rows are added per concurrency.
_ROWS: list[tuple[str, str, bool]] = [
    ("import", "import time, ms (median)", True),
    ("launch", "launch -> first /config 200, ms (median)", True),
    ("rss_idle", "idle server RSS, MiB", True),
    ("rss_loaded", "server RSS after the load, MiB", True),
    ("p50", "echo latency p50, ms (sequential)", True),
    ("p99", "echo latency p99, ms (sequential)", True),
]


def _rows(concurrencies: list[int]) -> list[tuple[str, str, bool]]:
    rows = list(_ROWS)
    for conc in concurrencies:
        rows.append((f"tput{conc}", f"throughput @{conc} clients, calls/s", False))
    for conc in concurrencies:
        rows.append((f"cpu{conc}", f"server CPU per call @{conc}, us", True))
    for conc in concurrencies:
        rows.append((f"client{conc}", f"client CPU @{conc}, % of a core", True))
    return rows


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x"


@dataclass
class Check:
    """One of the issue's targets: porch's figure `key` over a reference's, against a goal."""

    key: str
    label: str
    reference: str
    goal: str
    value: float | None  # the ratio porch / reference, None when a figure is missing
    met: bool | None

    def status(self) -> str:
        if self.met is None:
            return "n/a (gradio skipped)" if self.reference == "gradio" else "n/a"
        return "met" if self.met else "NOT MET"


def checks(results: dict[str, TargetResult], concurrencies: list[int]) -> list[Check]:
    figures = {name: r.figures() for name, r in results.items()}
    porch = figures.get("porch", {})

    def check(key: str, label: str, reference: str, goal: str, below: float | None,
              at_least: float | None) -> Check:
        a, b = porch.get(key), figures.get(reference, {}).get(key)
        value = a / b if a is not None and b else None
        met = None
        if value is not None:
            met = value < below if below is not None else value >= (at_least or 0.0)
        return Check(key, label, reference, goal, value, met)

    out = [check("import", "import porch < 10% of import gradio", "gradio", "< 0.10x",
                 0.10, None)]
    p50 = check("p50", "latency p50 within 2x of the floor", "floor", "<= 2.00x", None, None)
    p50.met = None if p50.value is None else p50.value <= 2.0
    out.append(p50)
    for conc in concurrencies:
        out.append(check(f"tput{conc}", f"throughput @{conc} at least 3x Gradio's", "gradio",
                         ">= 3.00x", None, 3.0))
    return out


def render_table(results: dict[str, TargetResult], concurrencies: list[int]) -> str:
    figures = {name: r.figures() for name, r in results.items()}
    porch, floor, gradio = (figures.get(n, {}) for n in ("porch", "floor", "gradio"))
    targets = {c.key: c for c in checks(results, concurrencies)}
    header = ["figure", "porch", "floor", "gradio", "porch/floor", "porch/gradio", "target"]
    lines: list[list[str]] = [header]
    for key, label, _ in _rows(concurrencies):
        target = targets.get(key)
        lines.append([label, _fmt(porch.get(key)), _fmt(floor.get(key)), _fmt(gradio.get(key)),
                      _ratio(porch.get(key), floor.get(key)),
                      _ratio(porch.get(key), gradio.get(key)),
                      "" if target is None else
                      f"{target.goal} {target.reference}: {target.status()}"])
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = []
    for index, row in enumerate(lines):
        numbers = [c.rjust(w) for c, w in zip(row[1:-1], widths[1:-1], strict=True)]
        cells = [row[0].ljust(widths[0]), *numbers, row[-1]]
        out.append("  ".join(cells).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    out.append("(floor's import row is `import uvicorn, starlette.applications`.)")
    notes = _notes(results, concurrencies)
    return "\n".join(out + notes)


def _notes(results: dict[str, TargetResult], concurrencies: list[int]) -> list[str]:
    notes = []
    for name, result in results.items():
        for conc in concurrencies:
            tp = result.throughput.get(conc)
            if tp is None:
                continue
            if tp.client_bound:
                notes.append(f"! {name} @{conc}: the client used {tp.client_cpu_frac:.0%} of a "
                             "core: client-bound, the server may be faster than shown.")
            if tp.errors:
                notes.append(f"! {name} @{conc}: {tp.errors} failed calls "
                             f"(first: {tp.first_error}).")
    return notes


def render_targets(results: dict[str, TargetResult], concurrencies: list[int]) -> str:
    """The issue's targets, each with porch's ratio and met / not met."""
    lines = ["Targets (from the issue):"]
    for check in checks(results, concurrencies):
        shown = "-" if check.value is None else f"{check.value:.2f}x"
        lines.append(f"  [{check.status()}] {check.label}: porch is {shown} "
                     f"(goal {check.goal})")
    return "\n".join(lines)


def as_json(results: dict[str, TargetResult]) -> dict[str, Any]:
    return {name: {"version": r.version, "figures": r.figures(), "import_s": r.import_s,
                   "launch_s": r.launch_s, "latency_s": r.latency_s,
                   "rss_peak_mib": r.rss_peak_mib,
                   "throughput": {c: vars(t) for c, t in r.throughput.items()}}
            for name, r in results.items()}
