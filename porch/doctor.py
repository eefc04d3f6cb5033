"""`porch doctor URL`: check a deployed app through its proxy, as a user's browser meets it.

Each check prints `ok`, `warn` or `FAIL` and, when something is wrong, what to change. The
checks that need the far side's view (streams, uploads, origin) use the app's probes
(server/routes/doctor.py); a Gradio app, or an older porch, has none, and those checks say
they were skipped. Exit status 1 when a check failed.
"""

from __future__ import annotations

import datetime
import json
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlsplit

import httpx

PROBES = "gradio_api/doctor"
STREAM_SPREAD_S = 0.8  # what the stream probe's messages span when nothing holds them back
UPLOAD_SIZES = (1024 * 1024, 10 * 1024 * 1024)
EXPIRY_WARN_DAYS = 14


@dataclass
class Finding:
    verdict: str  # "ok" | "warn" | "FAIL" | "skip"
    check: str
    detail: str
    fix: str | None = None


@dataclass
class Doctor:
    url: str  # the app's public URL, ending in "/"
    client: httpx.Client
    upload_size: int
    ca_file: str | None = None
    findings: list[Finding] = field(default_factory=list)
    probes: dict[str, Any] | None = None  # the echo probe's answer (None: not a porch app)

    def note(self, verdict: str, check: str, detail: str, fix: str | None = None) -> None:
        self.findings.append(Finding(verdict, check, detail, fix))

    # ---- checks ---------------------------------------------------------------------------
    def reachable(self) -> bool:
        started = time.perf_counter()
        try:
            page = self.client.get(self.url)
        except httpx.ConnectError as exc:
            reason = str(exc)
            if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate" in reason.lower():
                self.note("FAIL", "TLS", f"the certificate is not trusted: {reason}",
                          "serve a certificate from a public CA (e.g. Let's Encrypt) with its "
                          "full chain; for a private CA, pass --ca-file")
            else:
                self.note("FAIL", "reachable", f"could not connect: {reason}",
                          "check the URL, DNS and that the proxy listens on that port")
            return False
        except httpx.HTTPError as exc:
            self.note("FAIL", "reachable", f"{type(exc).__name__}: {exc}")
            return False
        took = (time.perf_counter() - started) * 1000
        if page.status_code >= 400:
            self.note("FAIL", "reachable", f"the page answered {page.status_code}",
                      "the proxy's location may not reach the app (check its path prefix)")
            return False
        try:
            answer = self.client.get(self.url + f"{PROBES}/echo")
            probes = answer.json() if answer.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            probes = None
        self.probes = probes if isinstance(probes, dict) and "porch" in probes else None
        kind = f"porch {self.probes['porch']}" if self.probes else "not porch (no probes)"
        self.note("ok", "reachable", f"{kind}, page in {took:.0f} ms")
        return True

    def tls(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme != "https":
            if parts.hostname in ("127.0.0.1", "localhost", "::1"):
                self.note("ok", "TLS", "plain HTTP on this machine only")
            else:
                self.note("warn", "TLS", "plain HTTP: logins and files cross the network "
                          "in the clear", "put TLS in front (nginx, Caddy, a load balancer)")
            return
        context = ssl.create_default_context(cafile=self.ca_file)
        host, port = parts.hostname or "", parts.port or 443
        try:
            with socket.create_connection((host, port), timeout=10) as raw, \
                    context.wrap_socket(raw, server_hostname=host) as wrapped:
                cert = wrapped.getpeercert() or {}
        except (OSError, ssl.SSLError) as exc:
            self.note("FAIL", "TLS", f"handshake failed: {exc}")
            return
        expires = datetime.datetime.fromtimestamp(
            ssl.cert_time_to_seconds(str(cert.get("notAfter"))), tz=datetime.timezone.utc)
        days = (expires - datetime.datetime.now(datetime.timezone.utc)).days
        if days < EXPIRY_WARN_DAYS:
            self.note("warn", "TLS", f"the certificate expires in {days} days ({expires:%Y-%m-%d})",
                      "renew it (and automate renewal)")
        else:
            self.note("ok", "TLS", f"certificate trusted, valid until {expires:%Y-%m-%d}")

    def root_path(self) -> None:
        """The root the app puts in its links must be the URL the user reached."""
        wanted = self.url.rstrip("/")
        try:
            config = self.client.get(self.url + "config").json()
            root = str(config.get("root") or "").rstrip("/")
        except (httpx.HTTPError, ValueError, AttributeError):
            root = ""
        if self.probes is not None:
            root = str(self.probes.get("root") or root).rstrip("/")
        if not root:
            self.note("skip", "root path", "the app did not say its root (a login may hide "
                      "it: pass --auth)")
            return
        if root == wanted:
            self.note("ok", "root path", f"the app's links point at {root}/")
            return
        got, want = urlsplit(root), urlsplit(wanted)
        fixes = []
        if got.scheme != want.scheme:
            fixes.append(f"the app sees {got.scheme}: have the proxy send X-Forwarded-Proto "
                         "and list it in launch(trusted_proxies=[...])")
        if got.netloc != want.netloc:
            fixes.append(f"the app sees host {got.netloc}: have the proxy send Host "
                         "(proxy_set_header Host $host) or X-Forwarded-Host with "
                         "trusted_proxies")
        if got.path != want.path:
            fixes.append(f"the app thinks it lives at {got.path or '/'}: "
                         f"launch(root_path=\"{want.path}\") or X-Forwarded-Prefix")
        self.note("FAIL", "root path", f"the app's links point at {root}/, not {wanted}/",
                  "; ".join(fixes) or None)

    def streams(self) -> None:
        if self.probes is None:
            self.note("skip", "streams", "no probe on this app")
            return
        arrivals: list[float] = []
        encoding = None
        try:
            with self.client.stream("GET", self.url + f"{PROBES}/stream",
                                    headers={"Accept": "text/event-stream"}) as answer:
                encoding = answer.headers.get("content-encoding")
                started = time.perf_counter()
                for line in answer.iter_lines():
                    if line.startswith("data:"):
                        arrivals.append(time.perf_counter() - started)
        except httpx.HTTPError as exc:
            self.note("FAIL", "streams", f"the stream broke: {exc}",
                      "the proxy must pass long responses through (HTTP/1.1 to the app)")
            return
        if len(arrivals) < 2:
            self.note("FAIL", "streams", f"{len(arrivals)} of 5 messages arrived")
            return
        spread = arrivals[-1] - arrivals[0]
        if spread < STREAM_SPREAD_S / 2:
            fix = "nginx: proxy_buffering off (or honour X-Accel-Buffering)"
            if encoding:
                fix = f"do not compress text/event-stream (it came {encoding}-encoded); " + fix
            self.note("FAIL", "streams", f"messages sent {STREAM_SPREAD_S:.1f} s apart in all "
                      f"arrived within {spread * 1000:.0f} ms: the proxy buffers streams, so "
                      "progress and generators show only at the end", fix)
            return
        self.note("ok", "streams", f"{len(arrivals)} messages arrived as sent "
                  f"(over {spread:.2f} s)")

    def uploads(self) -> None:
        if self.probes is None:
            self.note("skip", "uploads", "no probe on this app")
            return
        limit = self.probes.get("max_file_size")
        sizes = sorted({*UPLOAD_SIZES, self.upload_size})
        if limit:
            sizes = [s for s in sizes if s <= limit] or [min(sizes)]
        largest = 0
        for size in sizes:
            try:
                answer = self.client.post(self.url + f"{PROBES}/upload", content=b"\0" * size,
                                          headers={"Content-Type": "application/octet-stream",
                                                   "Origin": _origin(self.url)})
            except httpx.HTTPError as exc:
                self.note("FAIL", "uploads", f"{_size(size)} broke the connection: {exc}",
                          "raise the proxy's body size and timeout limits")
                return
            if answer.status_code == 413 and not _is_json(answer):
                server = answer.headers.get("server", "the proxy")
                self.note("FAIL", "uploads", f"{server} refused {_size(size)} "
                          f"(413), the app takes {_size(limit) if limit else 'any size'}",
                          f"nginx: client_max_body_size {_nginx_size(limit or size)};")
                return
            if answer.status_code != 200:
                self.note("FAIL", "uploads", f"{_size(size)} got {answer.status_code}")
                return
            largest = size
        self.note("ok", "uploads", f"{_size(largest)} went through"
                  + (f" (the app's limit is {_size(limit)})" if limit else ""))

    def origin(self) -> None:
        if self.probes is None:
            self.note("skip", "origin", "no probe on this app")
            return
        origin = _origin(self.url)
        answer = self.client.post(self.url + f"{PROBES}/origin", headers={"Origin": origin})
        if answer.status_code == 200:
            self.note("ok", "origin", f"a POST from {origin} is taken as the app's own")
            return
        self.note("FAIL", "origin", f"a POST from {origin} was refused ({answer.status_code}): "
                  "buttons and uploads will fail in the browser",
                  "the proxy must pass the public Host (proxy_set_header Host $host), or "
                  "X-Forwarded-Host/-Proto with launch(trusted_proxies=[...])")

    def run(self) -> list[Finding]:
        if self.reachable():
            for check in (self.tls, self.root_path, self.streams, self.uploads, self.origin):
                check()
        return self.findings


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _is_json(answer: httpx.Response) -> bool:
    try:
        json.loads(answer.content)
    except ValueError:
        return False
    return True


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _nginx_size(n: int) -> str:
    return f"{-(-n // (1024 * 1024))}m"


def login(client: httpx.Client, url: str, user: str, password: str) -> bool:
    answer = client.post(url + "login", data={"username": user, "password": password},
                         headers={"Origin": _origin(url)})
    return answer.status_code < 400


def diagnose(url: str, *, auth: tuple[str, str] | None = None, ca_file: str | None = None,
             upload_size: int = 32 * 1024 * 1024, timeout: float = 30.0,
             ) -> list[Finding]:
    url = url if url.endswith("/") else url + "/"
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_file) \
        if ca_file else True
    with httpx.Client(timeout=timeout, verify=verify, follow_redirects=True) as client:
        doctor = Doctor(url, client, upload_size, ca_file)
        if auth is not None and not login(client, url, *auth):
            doctor.note("FAIL", "login", "the user name or password was refused")
            return doctor.findings
        return doctor.run()


def report(findings: list[Finding], out: TextIO) -> int:
    """Print `findings`; returns how many failed."""
    for finding in findings:
        out.write(f"  {finding.verdict:<5} {finding.check}: {finding.detail}\n")
        if finding.fix:
            out.write(f"        fix: {finding.fix}\n")
    failed = sum(f.verdict == "FAIL" for f in findings)
    out.write(f"{failed} problem(s) found.\n" if failed else "No problems found.\n")
    return failed
