"""Discovery and the plain-HTTP ("curl") API over a real server."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.integration import apps
from tests.integration.sse import call_events


@pytest.fixture
def url(serve: Callable[..., str]) -> str:
    return serve(apps.kitchen_sink())


def test_config_speaks_gradio_6(url: str) -> None:
    config = httpx.get(url + "/config").json()
    assert config["version"] == "6.31.0" and config["protocol"] == "sse_v3"
    assert config["api_prefix"] == "/gradio_api"
    assert config["root"] == url
    ids = {c["id"] for c in config["components"]}
    for dep in config["dependencies"]:
        assert set(dep["inputs"]) <= ids and set(dep["outputs"]) <= ids
    state = [c for c in config["components"] if c["type"] == "state"]
    assert state and state[0]["skip_api"] is True
    assert config["connect_heartbeat"] is True  # the app has a State


def test_interface_endpoint_is_named_after_the_function(serve: Callable[..., str]) -> None:
    url = serve(apps.greet_app())
    info = httpx.get(url + "/gradio_api/info", params={"serialize": "False"}).json()
    assert info["unnamed_endpoints"] == {}
    greet = info["named_endpoints"]["/greet"]
    assert greet["parameters"][0]["parameter_name"] == "name"
    assert greet["parameters"][0]["python_type"]["type"] == "str"
    assert greet["returns"][0]["component"] == "Textbox"
    assert "/predict" not in info["named_endpoints"]


def test_info_marks_defaults(url: str) -> None:
    params = httpx.get(url + "/gradio_api/info").json()["named_endpoints"]["/add"]["parameters"]
    assert [(p["parameter_name"], p["parameter_has_default"], p["parameter_default"])
            for p in params] == [("a", True, 1.0), ("b", False, None)]


def test_call_then_stream_result(url: str) -> None:
    response = httpx.post(url + "/gradio_api/call/greet", json={"data": ["curl"]})
    event_id = response.json()["event_id"]
    assert call_events(url, "greet", event_id) == [("complete", ["Hello curl!"])]


def test_call_v2_named_arguments_use_defaults(url: str) -> None:
    event_id = httpx.post(url + "/gradio_api/call/v2/add", json={"b": 7}).json()["event_id"]
    assert call_events(url, "add", event_id) == [("complete", [8.0])]


def test_call_streams_full_generator_values(url: str) -> None:
    event_id = httpx.post(url + "/gradio_api/call/count", json={"data": [3]}).json()["event_id"]
    frames = call_events(url, "count", event_id)
    assert frames == [("generating", ["0 "]), ("generating", ["0 1 "]),
                      ("generating", ["0 1 2 "]), ("complete", ["0 1 2 "])]


def test_call_reports_errors(url: str) -> None:
    event_id = httpx.post(url + "/gradio_api/call/fail", json={"data": ["z"]}).json()["event_id"]
    frames = call_events(url, "fail", event_id)
    assert frames[-1][0] == "error"
    assert frames[-1][1]["error"] == "Custom failure: z"


def test_call_stream_of_unknown_event(url: str) -> None:
    assert call_events(url, "greet", "nope") == [("error", "404: Not Found")]


def test_call_fills_state_slots(url: str) -> None:
    event_id = httpx.post(url + "/gradio_api/call/remember",
                          json={"data": ["solo"]}).json()["event_id"]
    assert call_events(url, "remember", event_id) == [("complete", ["solo", None])]


def test_run_direct(url: str) -> None:
    response = httpx.post(url + "/gradio_api/run/greet", json={"data": ["direct"]})
    assert response.status_code == 200
    assert response.json()["data"] == ["Hello direct!"]
    first = httpx.post(url + "/gradio_api/run/count", json={"data": [3]}).json()
    assert first["data"] == ["0 "] and first["is_generating"] is True
    error = httpx.post(url + "/gradio_api/run/fail", json={"data": ["d"]})
    assert error.status_code == 500 and error.json()["title"] == "Bad input"


def test_page_and_assets_are_served(url: str) -> None:
    page = httpx.get(url + "/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    script = httpx.get(url + "/assets/porch.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
