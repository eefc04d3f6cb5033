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


def test_marked_endpoints_become_renamed_tools_resources_and_prompts(
        serve: Callable[..., str]) -> None:
    with gr.Blocks() as demo:
        text, out = gr.Textbox(), gr.Textbox()

        @gr.mcp.tool(name="shout", description="Says it louder.", structured_output=True)
        def loud(word: str) -> str:
            return word.upper()

        @gr.mcp.resource("greeting://{name}", mime_type="text/plain")
        def greeting(name: str) -> str:
            """A greeting for someone."""
            return f"Hello, {name}!"

        @gr.mcp.resource("about://app")
        def about() -> str:
            return "porch tools"

        @gr.mcp.prompt(description="Ask for a haiku.")
        def haiku(topic: str) -> str:
            return f"Write a haiku about {topic}."

        gr.Button().click(loud, text, out, api_name="loud")
        gr.Button().click(greeting, text, out, api_name="greeting")
        gr.Button().click(about, None, out, api_name="about")
        gr.Button().click(haiku, text, out, api_name="haiku")
    url = serve(demo, mcp_server=True)

    async def work(session: ClientSession) -> Any:
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert set(tools) == {"shout"} and tools["shout"].description == "Says it louder."
        shouted = await session.call_tool("shout", {"word": "hi"})
        assert shouted.content[0].text == "HI" and shouted.structured_content == {"result": "HI"}
        resources = (await session.list_resources()).resources
        assert [str(r.uri) for r in resources] == ["about://app"]
        templates = (await session.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == ["greeting://{name}"]
        read = await session.read_resource("greeting://Ada")
        assert read.contents[0].text == "Hello, Ada!"
        prompts = (await session.list_prompts()).prompts
        assert [(p.name, [a.name for a in p.arguments or []]) for p in prompts] == [
            ("haiku", ["topic"])]
        got = await session.get_prompt("haiku", {"topic": "rain"})
        return got.messages[0].content.text

    assert asyncio.run(session_calls(url, work)) == "Write a haiku about rain."

