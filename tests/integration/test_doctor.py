"""`porch doctor URL` against real deployments: porch behind Debian's nginx configured well
and badly, porch over HTTPS with a private CA, a login, and Gradio (which has no probes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

import porch as gr
from porch.cli import main
from porch.doctor import Finding, diagnose
from tests.compat.test_client_vs_gradio import GradioServers, gradio_servers  # noqa: F401
from tests.conftest import free_port
from tests.integration.test_tls import certs  # noqa: F401
from tests.proxies import behind_nginx


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        text, out = gr.Textbox(), gr.Textbox()
        gr.Button().click(lambda x: x[::-1], text, out, api_name="reverse")
    return demo


def verdicts(findings: list[Finding]) -> dict[str, str]:
    return {f.check: f.verdict for f in findings}


def finding(findings: list[Finding], check: str) -> Finding:
    return next(f for f in findings if f.check == check)


def test_a_well_configured_proxy_passes(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with behind_nginx(app(), tmp_path, max_file_size="20mb") as url:
        assert main(["doctor", url, "--upload-size", "12"]) == 0
    out = capsys.readouterr().out
    assert "No problems found." in out
    for check in ("reachable", "root path", "streams", "uploads", "origin"):
        assert f"ok    {check}:" in out, out
    assert "12 MiB went through (the app's limit is 20 MiB)" in out


def test_buffering_compression_and_a_small_body_limit_are_found(tmp_path: Path) -> None:
    broken = """
            proxy_ignore_headers X-Accel-Buffering;
            proxy_buffering on;
            gzip on;
            gzip_types text/event-stream;
            client_max_body_size 1m;
"""
    with behind_nginx(app(), tmp_path, extra=broken, max_file_size="50mb") as url:
        findings = diagnose(url, upload_size=4 * 1024 * 1024)
    assert verdicts(findings)["streams"] == "FAIL"
    streams = finding(findings, "streams")
    assert "buffers streams" in streams.detail and streams.fix is not None
    assert "gzip" in streams.fix and "proxy_buffering off" in streams.fix
    uploads = finding(findings, "uploads")
    assert uploads.verdict == "FAIL" and "nginx" in uploads.detail
    assert uploads.fix == "nginx: client_max_body_size 50m;"
    assert verdicts(findings)["origin"] == "ok"  # what is fine is not blamed


def test_a_proxy_that_drops_the_host_breaks_links_and_posts(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str],
                                                            ) -> None:
    with behind_nginx(app(), tmp_path, forwarding=False) as url:
        assert main(["doctor", url]) == 1
        findings = diagnose(url)
    root = finding(findings, "root path")
    assert root.verdict == "FAIL" and root.fix is not None and "Host" in root.fix
    origin = finding(findings, "origin")
    assert origin.verdict == "FAIL" and "403" in origin.detail
    assert "problem(s) found." in capsys.readouterr().out


def test_tls_with_a_private_ca(certs: Path) -> None:  # noqa: F811
    port = free_port()
    demo = app()
    demo.launch(prevent_thread_lock=True, server_port=port, quiet=True,
                ssl_certfile=str(certs / "cert.pem"), ssl_keyfile=str(certs / "key.pem"))
    try:
        url = f"https://127.0.0.1:{port}/"
        untrusted = diagnose(url)
        assert verdicts(untrusted) == {"TLS": "FAIL"}  # nothing else can be checked
        assert "not trusted" in untrusted[0].detail and "--ca-file" in str(untrusted[0].fix)
        trusted = diagnose(url, ca_file=str(certs / "ca.pem"))
        tls = finding(trusted, "TLS")
        # The test CA's certificate lives two days: doctor says renewal is due.
        assert tls.verdict == "warn" and "expires in" in tls.detail
        assert {f.verdict for f in trusted if f.check != "TLS"} == {"ok"}
    finally:
        demo.close()


def test_login_first_then_check(serve: Callable[..., str]) -> None:
    url = serve(app(), auth=("ann", "s3cret-pw")).rstrip("/") + "/"
    assert httpx.get(url + "gradio_api/doctor/echo").status_code == 401  # probes are gated
    findings = diagnose(url, auth=("ann", "s3cret-pw"))
    assert {f.verdict for f in findings} == {"ok"}, findings
    refused = diagnose(url, auth=("ann", "wrong"))
    assert verdicts(refused) == {"login": "FAIL"}


def test_a_gradio_app_gets_the_checks_that_need_no_probe(
        gradio_servers: GradioServers) -> None:  # noqa: F811
    findings = diagnose(gradio_servers.url)
    assert verdicts(findings)["reachable"] == "ok"
    assert "not porch" in finding(findings, "reachable").detail
    assert verdicts(findings)["root path"] == "ok"
    assert {verdicts(findings)[c] for c in ("streams", "uploads", "origin")} == {"skip"}


def test_the_probes_hold_the_apps_limits(serve: Callable[..., str]) -> None:
    url = serve(app(), max_file_size="1kb").rstrip("/") + "/"
    probe = url + "gradio_api/doctor/"
    assert httpx.post(probe + "upload", content=b"x" * 1000).json() == {"received": 1000}
    over = httpx.post(probe + "upload", content=b"x" * 5000)
    assert over.status_code == 413 and "1024 bytes" in over.json()["detail"]
    elsewhere = httpx.post(probe + "origin", headers={"Origin": "https://evil.example"})
    assert elsewhere.status_code == 403  # the guard's verdict, which the origin check reads
    echo = httpx.get(probe + "echo").json()
    assert echo["root"] == url.rstrip("/") and echo["max_file_size"] == 1024
    assert "cookie" not in str(echo).lower()
