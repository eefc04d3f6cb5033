"""The official gradio_client 2.7.2 drives porch exactly as it drives Gradio 6."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration import apps

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

pytestmark = pytest.mark.compat


@pytest.fixture
def client(serve: Callable[..., str], tmp_path: Path) -> Client:
    return Client(serve(apps.kitchen_sink()), verbose=False, download_files=str(tmp_path))


def test_predict_interface(serve: Callable[..., str], tmp_path: Path) -> None:
    client = Client(serve(apps.greet_app()), verbose=False, download_files=str(tmp_path))
    assert client.predict("x", api_name="/greet") == "Hello x!"


def test_keyword_arguments_with_defaults(client: Client) -> None:
    assert client.predict(b=5, api_name="/add") == 6
    assert client.predict(a=2, b=5, api_name="/add") == 7


def test_submit_and_iterate_a_generator(client: Client) -> None:
    job = client.submit(4, api_name="/count")
    seen = list(job)
    assert seen[-1] == "0 1 2 3 "
    assert "0 " in seen
    assert job.result() == "0 1 2 3 "
    assert job.outputs()[-1] == "0 1 2 3 "


def test_error_becomes_app_error_with_message(client: Client) -> None:
    with pytest.raises(AppError) as caught:
        client.predict("x", api_name="/fail")
    assert caught.value.message == "Custom failure: x"
    assert caught.value.title == "Bad input"


def test_internal_exception_is_hidden(client: Client) -> None:
    with pytest.raises(AppError) as caught:
        client.predict("x", api_name="/crash")
    assert "secret" not in str(caught.value)
    assert "show_error=True" in str(caught.value)


def test_internal_exception_shown_with_show_error(serve: Callable[..., str],
                                                  tmp_path: Path) -> None:
    client = Client(serve(apps.kitchen_sink(), show_error=True), verbose=False,
                    download_files=str(tmp_path))
    with pytest.raises(AppError, match="secret internal detail x"):
        client.predict("x", api_name="/crash")


def test_state_across_calls(client: Client) -> None:
    assert client.predict("one", api_name="/remember") == "one"
    assert client.predict("two", api_name="/remember") == "one, two"
    client.reset_session()
    assert client.predict("three", api_name="/remember") == "three"


def test_two_jobs_overlap_under_concurrency_limit_two(client: Client) -> None:
    apps.slow_calls.clear()
    jobs = [client.submit(0.5, api_name="/slow") for _ in range(2)]
    assert [job.result(timeout=10) for job in jobs] == [0.5, 0.5]
    assert apps.overlapped(apps.slow_calls)


def test_cancel_a_running_job(client: Client) -> None:
    job = client.submit(500, api_name="/count")
    deadline = time.monotonic() + 10
    while not job.outputs() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.cancel() is True or job.status().code.name in ("CANCELLED", "FINISHED")
    deadline = time.monotonic() + 10
    while not job.done() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.status().code.name == "CANCELLED"
    assert len(job.outputs()) < 500
    # The client (and its stream) keep working for the next call.
    assert client.predict("after", api_name="/greet") == "Hello after!"


def test_view_api_lists_named_endpoints(client: Client) -> None:
    info = client.view_api(print_info=False, return_format="dict")
    assert "/greet" in info["named_endpoints"]
    assert info["named_endpoints"]["/add"]["parameters"][0]["parameter_name"] == "a"
