"""HTTPS with `launch(ssl_certfile=, ssl_keyfile=, ssl_keyfile_password=)`, checked by clients
that trust only a certificate authority made for the test (with Debian's openssl CLI)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

import porch as gr
from porch.client import Client as PorchClient
from porch.errors import ConfigError
from tests.conftest import free_port

AUTH = ("ann", "s3cret-pw")
LEAF_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ca.pem, and cert.pem/key.pem (plus key-locked.pem, password 'pw') signed by it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is missing: apt-get install openssl (.ci/run does)")
    tmp = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=tmp, check=True, capture_output=True)

    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=porch test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", "key.pem", "-out", "leaf.csr", "-subj", "/CN=localhost")
    (tmp / "leaf.ext").write_text(LEAF_EXTENSIONS)
    run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "leaf.ext")
    run("pkey", "-in", "key.pem", "-aes256", "-passout", "pass:pw", "-out", "key-locked.pem")
    return tmp


def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        text, out = gr.Textbox(), gr.Textbox()
        gr.Button().click(lambda x: x[::-1], text, out, api_name="reverse")
    return demo


def trusting(certs: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certs / "ca.pem"))


def test_https_with_a_locked_key_and_secure_cookies(serve: Callable[..., str],
                                                    certs: Path) -> None:
    url = serve(app(), ssl_certfile=str(certs / "cert.pem"),
                ssl_keyfile=str(certs / "key-locked.pem"), ssl_keyfile_password="pw", auth=AUTH)
    assert url.startswith("https://127.0.0.1:")
    with httpx.Client(verify=trusting(certs)) as http:
        login = http.post(url + "/login", data={"username": AUTH[0], "password": AUTH[1]})
        flags = {f.strip().lower() for f in login.headers["set-cookie"].split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= flags
        config = http.get(url + "/config").json()
    assert config["root"] == url and config["username"] == "ann"


def test_clients_that_trust_the_ca(serve: Callable[..., str], certs: Path) -> None:
    url = serve(app(), ssl_certfile=str(certs / "cert.pem"), ssl_keyfile=str(certs / "key.pem"),
                auth=AUTH)
    with PorchClient(url, auth=AUTH, verbose=False,
                     httpx_kwargs={"verify": trusting(certs)}) as client:
        assert client.predict("abc", api_name="/reverse") == "cba"
    # A client that trusts only the system's authorities refuses the certificate.
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(url + "/config")
    with pytest.raises(httpx.HTTPError):
        httpx.get(url.replace("https://", "http://") + "/config")  # no plain HTTP on it


def test_a_wrong_key_password_is_a_clear_error(certs: Path) -> None:
    demo = app()
    with pytest.raises(ConfigError, match="TLS certificate/key"):
        demo.launch(prevent_thread_lock=True, quiet=True, server_port=free_port(),
                    ssl_certfile=str(certs / "cert.pem"),
                    ssl_keyfile=str(certs / "key-locked.pem"), ssl_keyfile_password="nope")
    assert demo.server is None


def test_a_key_without_a_certificate_is_refused(certs: Path) -> None:
    with pytest.raises(ConfigError, match="ssl_certfile"):
        app().launch(prevent_thread_lock=True, quiet=True, server_port=free_port(),
                     ssl_keyfile=str(certs / "key.pem"))


def test_an_oidc_sign_in_over_https_gets_a_secure_cookie(
        serve: Callable[..., str], certs: Path) -> None:
    from tests.oidc_issuer import CLIENT_ID, CLIENT_SECRET, running_issuer

    def whoami(profile: gr.OAuthProfile | None) -> str:
        return "nobody" if profile is None else profile.username

    with gr.Blocks() as demo:
        gr.LoginButton()
        gr.Button().click(whoami, None, gr.Textbox(), api_name="whoami")
    with running_issuer() as issuer:
        gr.oidc.configure(issuer=issuer.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        try:
            url = serve(demo, ssl_certfile=str(certs / "cert.pem"),
                        ssl_keyfile=str(certs / "key.pem"))
        finally:
            gr.oidc.configure()
        issuer.redirect_uris.add(url + "/login/callback")
        with httpx.Client(verify=trusting(certs), follow_redirects=True) as http:
            assert http.get(url + "/login/oidc").status_code == 200
            [cookie] = [c for c in http.cookies.jar if c.name.startswith("porch-oidc-")]
            assert cookie.secure and cookie.has_nonstandard_attr("HttpOnly")
            answer = http.post(url + "/gradio_api/run/whoami", json={"data": []})
            assert answer.json()["data"] == ["ada"]
