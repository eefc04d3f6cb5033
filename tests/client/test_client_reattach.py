"""porch.Client and durable jobs (docs/durable-jobs.md): a stream cut mid-job is reattached
without the job noticing, and a job is followed again by id from another Client."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import porch
from porch.errors import RemoteError
from tests.conftest import launched
from tests.integration.test_durable_jobs import app
from tests.relay import CuttingProxy


@pytest.fixture(scope="module")
def proxy() -> Iterator[CuttingProxy]:
    with launched(app()) as url:
        relay = CuttingProxy(int(url.rsplit(":", 1)[1]))
        try:
            yield relay
        finally:
            relay.close()


@pytest.fixture
def proxy_url(proxy: CuttingProxy) -> str:
    return f"http://127.0.0.1:{proxy.port}"


def test_a_cut_stream_is_reattached_and_the_job_sees_every_output_once(
        proxy: CuttingProxy, proxy_url: str) -> None:
    with porch.Client(proxy_url, verbose=False) as client:
        job = client.submit(30, api_name="/count")
        deadline = time.monotonic() + 10
        while len(job.outputs()) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        proxy.cut()  # the stream, and the heartbeat, drop mid-job
        expected = ["".join(f"t{i} " for i in range(n)) for n in range(1, 31)]
        assert job.result(timeout=20) == expected[-1]
        assert job.outputs() == expected  # no output twice, none missing


def test_another_client_with_the_cookie_follows_a_job_by_its_id(proxy_url: str) -> None:
    with porch.Client(proxy_url, verbose=False) as first:
        job = first.submit(8, api_name="/count")
        while job.event_id is None:
            time.sleep(0.01)
        saved = (job.event_id, job.session_hash, first.cookies)
    # "After a restart": a new client, with the saved cookie, session and event id.
    event_id, session, cookies = saved
    with porch.Client(proxy_url, verbose=False, httpx_kwargs={"cookies": cookies}) as again:
        followed = again.reattach(event_id, api_name="/count", session_hash=session)
        assert followed.result(timeout=20) == "t0 t1 t2 t3 t4 t5 t6 t7 "
        assert followed.outputs()[0] == "t0 "
    with porch.Client(proxy_url, verbose=False) as stranger:
        refused = stranger.reattach(event_id, api_name="/count", session_hash=session)
        with pytest.raises(RemoteError, match="403"):
            refused.result(timeout=20)
