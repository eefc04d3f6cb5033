"""Malformed requests get a clear 4xx, and the server keeps serving everyone else."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.integration import apps


@pytest.fixture
def url(serve: Callable[..., str]) -> str:
    return serve(apps.kitchen_sink())


@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [
        ("/gradio_api/queue/join", {"data": [], "session_hash": "s"}, 400,
         "No function index provided."),
        ("/gradio_api/queue/join", {"data": [], "fn_index": 0}, 400, "Session hash not found."),
        ("/gradio_api/queue/join", {"data": [], "fn_index": 999, "session_hash": "s"}, 404,
         "No function with fn_index 999."),
        ("/gradio_api/queue/join", {"fn_index": 0, "session_hash": "s"}, 422, None),
        ("/gradio_api/queue/join", [1, 2], 422, None),
        ("/gradio_api/call/nope", {"data": []}, 404, "No API endpoint named /nope."),
        ("/gradio_api/run/nope", {"data": []}, 404, "No API endpoint named /nope."),
        ("/gradio_api/call/v2/add", {"c": 1}, 422, "/add has no parameter(s): c."),
        ("/gradio_api/cancel", {"event_id": "x"}, 422, None),
    ],
)
def test_bad_request_gets_a_clear_4xx(url: str, path: str, body: object, status: int,
                                      detail: str | None) -> None:
    response = httpx.post(url + path, json=body)
    assert response.status_code == status
    if detail is not None:
        assert response.json()["detail"] == detail
    else:
        assert isinstance(response.json()["detail"], list)
    # ... and the server still answers a good call.
    good = httpx.post(url + "/gradio_api/run/greet", json={"data": ["still here"]})
    assert good.json()["data"] == ["Hello still here!"]


def test_invalid_json_body(url: str) -> None:
    response = httpx.post(url + "/gradio_api/queue/join", content=b"{not json",
                          headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Request body is not valid JSON."


def test_deeply_nested_json_is_refused_not_crashing(url: str) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = httpx.post(url + "/gradio_api/queue/join", content=body,
                          headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_too_few_inputs_fail_the_event_clearly(url: str) -> None:
    response = httpx.post(url + "/gradio_api/run/add", json={"data": [1]})
    assert response.status_code == 500
    assert response.json()["error"] == "/add takes 2 input(s), got 1."
