"""A session hash is a client's choice, so it may not spell the name of another stream on the
message bus (`call:<event id>`, a plain-HTTP call's results; `upload:<id>`, an upload's
progress): any hash with ':' is refused before anything is opened, and any other is a
session like before."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import porch as gr
from tests.conftest import launched

MODULE_FIXTURE = [HealthCheck.function_scoped_fixture]  # the server is the module's, shared


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with gr.Blocks() as demo:
        box = gr.Textbox()
        box.submit(lambda text: text, box, box, api_name="echo")
    with launched(demo) as found:
        yield found


@settings(max_examples=60, deadline=None, suppress_health_check=MODULE_FIXTURE)
@given(before=st.text(max_size=20), after=st.text(max_size=20))
def test_any_session_hash_with_a_colon_is_refused(url: str, before: str, after: str) -> None:
    name = f"{before}:{after}"
    joined = httpx.post(f"{url}/gradio_api/queue/join", timeout=10,
                        json={"data": ["x"], "fn_index": 0, "session_hash": name})
    assert joined.status_code == 400
    assert joined.json()["detail"] == "A session hash may not contain ':'."
    read = httpx.get(f"{url}/gradio_api/queue/data", params={"session_hash": name},
                     timeout=10)
    assert read.status_code == 400


@settings(max_examples=30, deadline=None, suppress_health_check=MODULE_FIXTURE)
@given(name=st.text(alphabet=st.characters(blacklist_characters=":",
                                             blacklist_categories=["Cs"]),
                    min_size=1, max_size=30))
def test_other_session_hashes_still_join(url: str, name: str) -> None:
    joined = httpx.post(f"{url}/gradio_api/queue/join", timeout=10,
                        json={"data": ["x"], "fn_index": 0, "session_hash": name})
    assert joined.status_code == 200, joined.text


def test_a_plain_calls_stream_cannot_be_read_as_a_session(url: str) -> None:
    posted = httpx.post(f"{url}/gradio_api/call/echo", json={"data": ["secret"]}, timeout=10)
    event_id = posted.json()["event_id"]
    stolen = httpx.get(f"{url}/gradio_api/queue/data",
                       params={"session_hash": f"call:{event_id}"}, timeout=10)
    assert stolen.status_code == 400 and "secret" not in stolen.text
    mine = httpx.get(f"{url}/gradio_api/call/echo/{event_id}", timeout=10)
    assert "secret" in mine.text
