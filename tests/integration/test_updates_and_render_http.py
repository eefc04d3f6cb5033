"""Updates, injected Request/EventData, @render and the look, over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import porch as gr
from tests.conftest import free_port
from tests.integration.sse import queue_messages


def app() -> gr.Blocks:
    with gr.Blocks(theme="monochrome", css=".mine { color: red; }",
                   head='<meta name="porch-test" content="yes">') as demo:
        text = gr.Textbox(label="text")
        choice = gr.Dropdown(["x", "y"], label="choice")
        box = gr.Accordion("box", open=False)
        with box:
            gr.Markdown("inside")
        picked = gr.Textbox(label="picked")
        count = gr.Number(value=1, label="count")

        def relabel() -> tuple[Any, Any, Any]:
            return (gr.Textbox(label="renamed", interactive=False),
                    gr.update(choices=["p", ("Q", "q")], value="q"),
                    gr.Accordion(open=True))

        gr.Button("relabel").click(relabel, None, [text, choice, box], api_name="relabel")
        gr.Button("echo").click(lambda c: c, choice, picked, api_name="echo")

        def select(value: str, evt: gr.SelectData, request: gr.Request) -> str:
            target = type(evt.target).__name__ if evt.target is not None else None
            return (f"{value}|{evt.index}|{evt.value}|{evt.selected}|{target}|"
                    f"{request.headers.get('x-probe')}|{request.query_params.get('who')}|"
                    f"{request.session_hash}|{request.client.host}")

        choice.select(select, choice, picked, api_name="select")

        def partial(value: str) -> dict[Any, Any]:
            return {picked: f"only {value}"}

        gr.Button("partial").click(partial, text, [text, picked], api_name="partial")

        @gr.render(inputs=count)
        def boxes(n: float) -> None:
            made = [gr.Textbox(label=f"box {i}", key=i) for i in range(int(n or 0))]
            gr.Button("join").click(lambda *v: "+".join(v), made, picked, api_name="join")
    return demo


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    demo = app()
    _, address, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                                server_port=free_port(), quiet=True)
    yield address
    demo.close()


def config(url: str) -> dict[str, Any]:
    result: dict[str, Any] = httpx.get(url + "/config").json()
    return result


def fn_index(url: str, api_name: str) -> int:
    return next(int(d["id"]) for d in config(url)["dependencies"] if d["api_name"] == api_name)


def call(url: str, index: int, data: list[Any], session: str | None = None,
         **extra: Any) -> dict[str, Any]:
    session = session or uuid.uuid4().hex
    response = httpx.post(f"{url}/gradio_api/queue/join?who=page-user",
                          json={"data": data, "fn_index": index, "session_hash": session,
                                **extra}, headers={"x-probe": "probe-value"})
    assert response.status_code == 200, response.text
    event_id = response.json()["event_id"]
    done = [m for m in queue_messages(url, session)
            if m["msg"] == "process_completed" and m["event_id"] == event_id]
    return done[0]


def test_updates_carry_normalised_props(url: str) -> None:
    done = call(url, fn_index(url, "relabel"), [])
    assert done["success"] is True
    assert done["output"]["data"] == [
        {"__type__": "update", "label": "renamed", "interactive": False},
        {"__type__": "update", "choices": [["p", "p"], ["Q", "q"]], "value": "q"},
        {"__type__": "update", "open": True},
    ]


def test_new_choices_hold_for_the_session_that_got_them(url: str) -> None:
    session = uuid.uuid4().hex
    call(url, fn_index(url, "relabel"), [], session)
    assert call(url, fn_index(url, "echo"), ["q"], session)["output"]["data"] == ["q"]
    refused = call(url, fn_index(url, "echo"), ["q"])
    assert refused["success"] is False


def test_a_dict_return_skips_the_outputs_it_leaves_out(url: str) -> None:
    done = call(url, fn_index(url, "partial"), ["hey"])
    assert done["output"]["data"] == [{"__type__": "update"}, "only hey"]


def test_select_data_and_request_are_injected(url: str) -> None:
    session = uuid.uuid4().hex
    choice_id = next(c["id"] for c in config(url)["components"]
                     if c["props"].get("label") == "choice")
    done = call(url, fn_index(url, "select"), ["y"], session,
                event_data={"index": 1, "value": "y", "selected": True}, trigger_id=choice_id)
    assert done["output"]["data"] == [
        f"y|1|y|True|Dropdown|probe-value|page-user|{session}|127.0.0.1"]
    # A client that sends no event data (gradio_client) still gets a SelectData.
    bare = call(url, fn_index(url, "select"), ["x"], session)
    assert bare["output"]["data"][0].startswith("x|None|None|True|None|")
    bad = call(url, fn_index(url, "select"), ["x"], session, event_data="not an object")
    assert bad["success"] is False


def test_injected_parameters_are_not_in_info(url: str) -> None:
    info = httpx.get(url + "/gradio_api/info").json()["named_endpoints"]["/select"]
    assert [p["parameter_name"] for p in info["parameters"]] == ["value"]
    dep = next(d for d in config(url)["dependencies"] if d["api_name"] == "select")
    assert dep["collects_event_data"] is True


def test_render_sends_its_config_and_its_events_run_in_that_session(url: str) -> None:
    session = uuid.uuid4().hex
    render = next(d for d in config(url)["dependencies"] if d["render_id"] is not None)
    done = call(url, render["id"], [2], session)
    rendered = done["output"]["render_config"]
    assert done["output"]["data"] == [None]
    assert rendered["render_id"] == render["render_id"]
    assert rendered["layout"]["id"] == render["outputs"][0]
    labels = [c["props"].get("label") for c in rendered["components"][1:]]
    assert labels == ["box 0", "box 1", None]
    join_dep = rendered["dependencies"][0]
    assert join_dep["rendered_in"] == render["render_id"]
    result = call(url, join_dep["id"], ["a", "b"], session)
    assert result["output"]["data"] == ["a+b"]
    # Another session never drew it: its fn_index is unknown there.
    other = httpx.post(f"{url}/gradio_api/queue/join", json={
        "data": ["a", "b"], "fn_index": join_dep["id"], "session_hash": uuid.uuid4().hex})
    assert other.status_code == 404


def test_theme_css_and_head_reach_the_page(url: str) -> None:
    page_config = config(url)
    assert page_config["theme"] == "monochrome"
    assert "--porch-accent:#18181b" in page_config["theme_css"]
    assert page_config["css"] == ".mine { color: red; }"
    html = httpx.get(url + "/").text
    assert '<meta name="porch-test" content="yes">\n</head>' in html


def test_launch_applies_theme_and_css(serve: Any) -> None:
    with gr.Blocks() as demo:
        gr.Textbox()
    address = serve(demo, theme=gr.themes.Soft(primary_hue="green"), css="p { x: y; }")
    page_config = httpx.get(address + "/config").json()
    assert page_config["theme"] == "soft" and "--porch-accent:#16a34a" in page_config[
        "theme_css"]
    assert page_config["css"] == "p { x: y; }"
