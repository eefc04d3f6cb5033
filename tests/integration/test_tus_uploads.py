"""Resumable uploads (tus 1.0) on a real server, the protocol driven by hand with httpx."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import porch

from ..conftest import launched
from .sse import call_events

V = {"Tus-Resumable": "1.0.0"}
PATCH = {**V, "Content-Type": "application/offset+octet-stream"}
LIMIT = 256 * 1024


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    os.environ["PORCH_TEMP_DIR"] = str(tmp_path_factory.mktemp("tus-cache"))

    def digest(file: str) -> str:
        with open(file, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    with porch.Blocks() as demo:
        inp = porch.File()
        out = porch.Textbox()
        porch.Button().click(digest, inp, out, api_name="digest")
    with launched(demo, max_file_size=LIMIT) as served:
        yield served


@contextmanager
def client(url: str) -> Iterator[httpx.Client]:
    """A client with its own cookie, as a browser or gradio_client gets from /config."""
    with httpx.Client(base_url=url, timeout=20) as c:
        assert c.get("/config").status_code == 200
        yield c


def create(c: httpx.Client, length: int, name: str = "data.bin") -> str:
    meta = "filename " + base64.b64encode(name.encode()).decode()
    r = c.post("/gradio_api/upload/tus", headers={**V, "Upload-Length": str(length),
                                                  "Upload-Metadata": meta})
    assert r.status_code == 201, r.text
    assert r.headers["Tus-Resumable"] == "1.0.0"
    return "/gradio_api/upload/" + r.headers["Location"]


def offset(c: httpx.Client, location: str) -> int:
    r = c.head(location, headers=V)
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    return int(r.headers["Upload-Offset"])


def fetch(c: httpx.Client, reference: str) -> bytes:
    r = c.get(f"/gradio_api/file={reference}")
    assert r.status_code == 200
    return r.content


def test_options_advertise_the_protocol(url: str) -> None:
    r = httpx.options(f"{url}/gradio_api/upload/tus")
    assert r.status_code == 204
    assert r.headers["Tus-Version"] == "1.0.0"
    assert "creation" in r.headers["Tus-Extension"].split(",")
    assert r.headers["Tus-Max-Size"] == str(LIMIT)


def test_resume_after_a_dropped_connection_gives_the_exact_bytes(url: str) -> None:
    data = os.urandom(100_000)
    with client(url) as c:
        location = create(c, len(data))
        assert offset(c, location) == 0
        # The first request dies after 30 000 bytes: a body shorter than its Content-Length.
        def cut() -> Iterator[bytes]:
            yield data[:30_000]
            raise ConnectionError("network gone")
        with pytest.raises(ConnectionError):
            c.patch(location, headers={**PATCH, "Upload-Offset": "0",
                                       "Content-Length": str(len(data))}, content=cut())
        resume_at = offset(c, location)
        assert 0 <= resume_at <= 30_000
        r = c.patch(location, headers={**PATCH, "Upload-Offset": str(resume_at)},
                    content=data[resume_at:])
        assert r.status_code == 204, r.text
        assert r.headers["Upload-Offset"] == str(len(data))
        reference = r.headers["Porch-File-Path"]
        assert fetch(c, reference) == data
        assert c.head(location, headers=V).headers["Porch-File-Path"] == reference


def test_wrong_offset_is_409_and_changes_nothing(url: str) -> None:
    with client(url) as c:
        location = create(c, 10)
        assert c.patch(location, headers={**PATCH, "Upload-Offset": "0"},
                       content=b"abcd").status_code == 204
        for wrong in ("0", "2", "9"):
            r = c.patch(location, headers={**PATCH, "Upload-Offset": wrong}, content=b"zz")
            assert r.status_code == 409
            assert offset(c, location) == 4
        r = c.patch(location, headers={**PATCH, "Upload-Offset": "4"}, content=b"efghij")
        assert fetch(c, r.headers["Porch-File-Path"]) == b"abcdefghij"


def test_over_max_file_size_is_413_before_any_byte(url: str, ) -> None:
    with client(url) as c:
        r = c.post("/gradio_api/upload/tus", headers={**V, "Upload-Length": str(LIMIT + 1)})
        assert r.status_code == 413
        assert "Location" not in r.headers
        # A body past the declared length is refused too, and the upload keeps its offset.
        location = create(c, 5)
        r = c.patch(location, headers={**PATCH, "Upload-Offset": "0"}, content=b"123456")
        assert r.status_code == 413
        assert offset(c, location) == 0


def test_another_clients_id_and_unknown_ids_are_404(url: str) -> None:
    with client(url) as owner, client(url) as other:
        location = create(owner, 4)
        for method in ("HEAD", "PATCH", "DELETE"):
            headers = {**PATCH, "Upload-Offset": "0"}
            assert other.request(method, location, headers=headers,
                                 content=b"evil" if method == "PATCH" else None
                                 ).status_code == 404
        assert offset(owner, location) == 0
        for unknown in ("0" * 32, "nothex", "../../config"):
            assert owner.head(f"/gradio_api/upload/tus/{unknown}", headers=V
                              ).status_code == 404


def test_missing_tus_resumable_is_412(url: str) -> None:
    with client(url) as c:
        r = c.post("/gradio_api/upload/tus", headers={"Upload-Length": "3"})
        assert r.status_code == 412
        location = create(c, 3)
        r = c.patch(location, headers={"Content-Type": "application/offset+octet-stream",
                                       "Upload-Offset": "0", "Tus-Resumable": "0.2.2"},
                    content=b"abc")
        assert r.status_code == 412
        assert offset(c, location) == 0


def test_termination_forgets_the_upload(url: str) -> None:
    with client(url) as c:
        location = create(c, 3)
        assert c.delete(location, headers=V).status_code == 204
        assert c.head(location, headers=V).status_code == 404


def test_partial_upload_is_never_served(url: str) -> None:
    with client(url) as c:
        location = create(c, 8)
        c.patch(location, headers={**PATCH, "Upload-Offset": "0"}, content=b"half")
        upload_id = location.rsplit("/", 1)[1]
        for guess in (upload_id, f"{upload_id}/data.bin", f".porch-partial-{upload_id}"):
            assert c.get(f"/gradio_api/file={guess}").status_code == 403


def test_finished_upload_is_an_event_input(url: str) -> None:
    data = os.urandom(50_000)
    with client(url) as c:
        location = create(c, len(data), "input.bin")
        r = c.patch(location, headers={**PATCH, "Upload-Offset": "0"}, content=data)
        reference = r.headers["Porch-File-Path"]
        assert reference.endswith("/input.bin")
        call = c.post("/gradio_api/call/digest", json={"data": [
            {"path": reference, "meta": {"_type": "gradio.FileData"}}]})
        assert call.status_code == 200, call.text
        frames = call_events(url, "digest", call.json()["event_id"])
    assert frames[-1] == ("complete", [hashlib.sha256(data).hexdigest()])


@hsettings(max_examples=25, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=1, max_size=2000),
       cuts=st.lists(st.integers(0, 2000), max_size=6),
       wrong=st.lists(st.integers(0, 4000), max_size=4))
def test_any_split_and_wrong_offsets_give_the_same_bytes(
        url: str, data: bytes, cuts: list[int], wrong: list[int]) -> None:
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    with client(url) as c:
        location = create(c, len(data))
        reference = None
        for i, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
            if i < len(wrong) and wrong[i] != start:
                r = c.patch(location, headers={**PATCH, "Upload-Offset": str(wrong[i])},
                            content=data[:5])
                assert r.status_code == 409
                assert offset(c, location) == start
            r = c.patch(location, headers={**PATCH, "Upload-Offset": str(start)},
                        content=data[start:end])
            assert r.status_code == 204, r.text
            reference = r.headers.get("Porch-File-Path")
        assert reference is not None
        assert fetch(c, reference) == data
