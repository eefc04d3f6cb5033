"""`launch(mcp_server=True)`: the app's public named endpoints as MCP tools, driven by the
official MCP SDK's own client over streamable HTTP against a real server."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from typing import Any

import httpx
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

import porch as gr


def app() -> gr.Blocks:
    with gr.Blocks(title="tools") as demo:
        a, b, out, file = gr.Number(), gr.Number(), gr.Number(), gr.File()
        text = gr.Textbox()

        def add(x: float, y: float) -> float:
            """Add two numbers."""
            return x + y

        def fail(x: str) -> str:
            raise gr.Error(f"no {x}")

        def write(x: str) -> str:
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
                handle.write(x)
            return handle.name

        gr.Button().click(add, [a, b], out, api_name="add")
        gr.Button().click(fail, text, text, api_name="fail")
        gr.Button().click(write, text, file, api_name="write")
        gr.Button().click(lambda x: x, text, text, api_name="secret", api_visibility="private")
        gr.Button().click(lambda x: x, text, text, api_name=False)
    return demo


async def session_calls(url: str, work: Callable[[ClientSession], Any]) -> Any:
    async with streamable_http_client(url + "/gradio_api/mcp/") as (read, write, *_):
        async with ClientSession(read, write) as session:
            await session.initialize()
            return await work(session)


def test_tools_are_listed_and_called(serve: Callable[..., str]) -> None:
    url = serve(app(), mcp_server=True)

    async def work(session: ClientSession) -> Any:
        tools = await session.list_tools()
        by_name = {tool.name: tool for tool in tools.tools}
        assert set(by_name) == {"add", "fail", "write"}  # private and unnamed are not tools
        assert by_name["add"].description == "Add two numbers."
        assert set(by_name["add"].input_schema["properties"]) == {"x", "y"}
        added = await session.call_tool("add", {"x": 2, "y": 3})
        assert not added.is_error and float(added.content[0].text) == 5.0
        failed = await session.call_tool("fail", {"x": "luck"})
        assert failed.is_error and "no luck" in failed.content[0].text
        # The server goes on serving after a failure.
        again = await session.call_tool("add", {"x": 1, "y": 1})
        return await session.call_tool("write", {"x": "from a tool"}), again

    written, again = asyncio.run(session_calls(url, work))
    assert float(again.content[0].text) == 2.0
    file_url = written.content[0].text
    assert file_url.startswith(url + "/gradio_api/file=")
    assert httpx.get(file_url).text == "from a tool"  # served from the cache, by the gate


def test_a_file_input_must_be_a_url_not_a_host_path(serve: Callable[..., str]) -> None:
    with gr.Blocks() as demo:
        gr.Button().click(lambda path: open(path).read(), gr.File(), gr.Textbox(),
                          api_name="read")
    url = serve(demo, mcp_server=True)

    async def work(session: ClientSession) -> Any:
        return await session.call_tool("read", {"path": "/etc/passwd"})

    result = asyncio.run(session_calls(url, work))
    assert result.is_error and "root:" not in result.content[0].text


def test_without_the_option_there_is_no_mcp_endpoint(serve: Callable[..., str]) -> None:
    url = serve(app())
    assert httpx.post(url + "/gradio_api/mcp/", json={}).status_code == 404
