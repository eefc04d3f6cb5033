"""`gr.Header` as a parameter's type: the function gets that header of the request that ran
the event (underscores stand for hyphens), or None."""

from __future__ import annotations

from collections.abc import Callable

import httpx

import porch as gr


def test_a_header_parameter_gets_the_requests_header(serve: Callable[..., str]) -> None:
    def greet(name: str, x_api_token: gr.Header) -> str:
        return f"{name}:{x_api_token}"

    with gr.Blocks() as demo:
        gr.Button().click(greet, gr.Textbox(), gr.Textbox(), api_name="greet")
    url = serve(demo)
    with_token = httpx.post(url + "/gradio_api/run/greet", json={"data": ["ada"]},
                            headers={"X-Api-Token": "s3cret"})
    assert with_token.json()["data"] == ["ada:s3cret"]
    without = httpx.post(url + "/gradio_api/run/greet", json={"data": ["bob"]})
    assert without.json()["data"] == ["bob:None"]
