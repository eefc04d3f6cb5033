"""`launch(mcp_server=True)`: the app's named endpoints as MCP tools, for LLM clients.

Served at `/gradio_api/mcp/` over MCP's streamable HTTP transport (Gradio's path), by the
official `mcp` SDK (the optional extra `porch[mcp]`, imported only when this is on). A tool
call is an event like any other: it joins the queue (concurrency limits hold), runs as a
session of its own, and its inputs and outputs pass the same conversions and file gate.
A file input is given as an http(s) URL, which porch fetches through its SSRF-safe fetcher
(never a host path); a file output comes back as the URL the app serves it at.

Listed: every endpoint with an API name that is public (not `api_visibility="private"` or
"undocumented", not an unload event, not `requires_login=True`: an MCP client cannot sign
in). A function that raises gives an error result
(`isError`), and the server goes on serving.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from porch import protocol
from porch.blocks.context import EventContext
from porch.blocks.events import Dependency
from porch.errors import ConfigError, PorchError
from porch.server.runtime import AppRuntime
from porch.server.urls import public_root

MCP_PATH = protocol.API_PREFIX + "/mcp"
# A tool call waits at most this long for its event (a queued event may wait its turn).
CALL_TIMEOUT_S = 600.0


def _sdk() -> Any:
    try:
        import mcp.types
        from mcp.server.lowlevel import Server
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    except ImportError as exc:
        raise ConfigError("launch(mcp_server=True) needs the MCP SDK: "
                          "pip install 'porch[mcp]'.") from exc
    return mcp.types, Server, StreamableHTTPSessionManager


def _public(runtime: AppRuntime) -> list[Dependency]:
    unload = set(runtime.blocks.unload_events())
    return [dep for dep in runtime.blocks.dependencies
            if dep.fn is not None and dep.api_name and dep not in unload
            and dep.api_visibility == "public" and not dep.requires_login]


def _kind(dep: Dependency) -> str:
    """"tool", "resource" or "prompt", as porch.mcp's (or Gradio's) decorators marked it."""
    return str(getattr(dep.fn, "_mcp_type", "tool"))


def tool_endpoints(runtime: AppRuntime) -> dict[str, Dependency]:
    """Tool name -> the endpoint it runs (the API name, unless @mcp.tool renamed it)."""
    return {getattr(dep.fn, "_mcp_name", None) or dep.api_name: dep
            for dep in _public(runtime) if _kind(dep) == "tool"}


def resource_endpoints(runtime: AppRuntime) -> dict[str, Dependency]:
    """URI template -> the endpoint that reads it."""
    return {str(getattr(dep.fn, "_mcp_uri_template", "")): dep
            for dep in _public(runtime) if _kind(dep) == "resource"}


def prompt_endpoints(runtime: AppRuntime) -> dict[str, Dependency]:
    return {str(getattr(dep.fn, "_mcp_name", None) or dep.api_name): dep
            for dep in _public(runtime) if _kind(dep) == "prompt"}


def _template_match(template: str, uri: str) -> dict[str, str] | None:
    """The `{name}` parts of `template` as `uri` fills them, or None if it does not fit."""
    pattern = "".join(f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
                      for part in re.split(r"(\{[A-Za-z_][A-Za-z0-9_]*\})", template))
    found = re.fullmatch(pattern, uri)
    return None if found is None else found.groupdict()


def _input_schema(runtime: AppRuntime, name: str) -> tuple[dict[str, Any], list[str]]:
    info = runtime.api_info(True)["named_endpoints"].get("/" + name, {})
    params = info.get("parameters", [])
    properties: dict[str, Any] = {}
    order: list[str] = []
    required: list[str] = []
    for index, param in enumerate(params):
        key = param.get("parameter_name") or f"input_{index}"
        schema = dict(param.get("type") or {})
        if protocol.FILE_DATA_TYPE in str(schema) or param.get("component") in (
                "File", "Image", "Audio", "Video", "Gallery", "Model3D"):
            schema = {"type": "string", "format": "uri",
                      "description": "an http(s) URL of the file"}
        if param.get("label"):
            schema.setdefault("title", param["label"])
        properties[key] = schema
        order.append(key)
        if not param.get("parameter_has_default"):
            required.append(key)
        else:
            properties[key]["default"] = param.get("parameter_default")
    return {"type": "object", "properties": properties, "required": required}, order


def _as_input(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return {"path": value, "url": value, "meta": {"_type": protocol.FILE_DATA_TYPE}}
    return value


def _absolute(value: Any, root: str) -> Any:
    """Output payloads with each file's URL made absolute (a client outside the page)."""
    if protocol.is_file_data(value):
        url = value.get("url") or ""
        return root.rstrip("/") + url if url.startswith("/") else url
    if isinstance(value, dict):
        return {k: _absolute(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_absolute(v, root) for v in value]
    return value


class McpEndpoint:
    """The MCP server of one app, and the ASGI app that serves it."""

    def __init__(self, runtime: AppRuntime) -> None:
        types, server_class, manager_class = _sdk()
        self.types = types
        self.runtime = runtime
        server = server_class(
            str(runtime.blocks.title or "porch app"), on_list_tools=self._list_tools,
            on_call_tool=self._call_tool, on_list_resources=self._list_resources,
            on_list_resource_templates=self._list_resource_templates,
            on_read_resource=self._read_resource, on_list_prompts=self._list_prompts,
            on_get_prompt=self._get_prompt)
        self.manager = manager_class(app=server, stateless=True, json_response=True)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with self.manager.run():
            yield

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.manager.handle_request(scope, receive, send)

    # ---- MCP handlers -------------------------------------------------------------------
    async def _list_tools(self, ctx: Any, params: Any) -> Any:
        tools = []
        for name, dep in tool_endpoints(self.runtime).items():
            schema, _ = _input_schema(self.runtime, dep.api_name)
            tools.append(self.types.Tool(name=name, description=_description(dep),
                                         input_schema=schema))
        return self.types.ListToolsResult(tools=tools)

    async def _call_tool(self, ctx: Any, params: Any) -> Any:
        text = self.types.TextContent
        dep = tool_endpoints(self.runtime).get(params.name)
        if dep is None:
            return self.types.CallToolResult(
                content=[text(type="text", text=f"No tool named {params.name!r}.")],
                isError=True)
        root = self._root(ctx)
        output = await self._call(dep, dict(params.arguments or {}), root)
        if "error" in output:
            message = output.get("error") or "The function failed."
            return self.types.CallToolResult(content=[text(type="text", text=str(message))],
                                             is_error=True)
        values = _absolute(output.get("data", []), root)
        content = [text(type="text", text=_as_text(v)) for v in values]
        structured = {"result": values[0] if len(values) == 1 else values} \
            if getattr(dep.fn, "_mcp_structured_output", False) else None
        return self.types.CallToolResult(content=content, structured_content=structured)

    async def _list_resources(self, ctx: Any, params: Any) -> Any:
        return self.types.ListResourcesResult(resources=[
            self.types.Resource(name=dep.api_name, uri=uri, description=_description(dep),
                                mime_type=getattr(dep.fn, "_mcp_mime_type", "text/plain"))
            for uri, dep in resource_endpoints(self.runtime).items() if "{" not in uri])

    async def _list_resource_templates(self, ctx: Any, params: Any) -> Any:
        return self.types.ListResourceTemplatesResult(resource_templates=[
            self.types.ResourceTemplate(
                name=dep.api_name, uri_template=uri, description=_description(dep),
                mime_type=getattr(dep.fn, "_mcp_mime_type", "text/plain"))
            for uri, dep in resource_endpoints(self.runtime).items() if "{" in uri])

    async def _read_resource(self, ctx: Any, params: Any) -> Any:
        uri = str(params.uri)
        for template, dep in resource_endpoints(self.runtime).items():
            arguments = _template_match(template, uri)
            if arguments is None:
                continue
            output = await self._call(dep, arguments, self._root(ctx))
            if "error" in output:
                raise ValueError(str(output.get("error") or "The function failed."))
            values = output.get("data", [])
            return self.types.ReadResourceResult(contents=[self.types.TextResourceContents(
                uri=uri, mime_type=getattr(dep.fn, "_mcp_mime_type", "text/plain"),
                text=_as_text(values[0] if len(values) == 1 else values))])
        raise ValueError(f"No resource at {uri}.")

    async def _list_prompts(self, ctx: Any, params: Any) -> Any:
        prompts = []
        for name, dep in prompt_endpoints(self.runtime).items():
            schema, order = _input_schema(self.runtime, dep.api_name)
            prompts.append(self.types.Prompt(
                name=name, description=_description(dep),
                arguments=[self.types.PromptArgument(
                    name=key, required=key in schema["required"]) for key in order]))
        return self.types.ListPromptsResult(prompts=prompts)

    async def _get_prompt(self, ctx: Any, params: Any) -> Any:
        dep = prompt_endpoints(self.runtime).get(params.name)
        if dep is None:
            raise ValueError(f"No prompt named {params.name!r}.")
        output = await self._call(dep, dict(params.arguments or {}), self._root(ctx))
        if "error" in output:
            raise ValueError(str(output.get("error") or "The function failed."))
        values = output.get("data", [])
        message = self.types.PromptMessage(role="user", content=self.types.TextContent(
            type="text", text=_as_text(values[0] if len(values) == 1 else values)))
        return self.types.GetPromptResult(description=_description(dep), messages=[message])

    # ---- running an endpoint ------------------------------------------------------------
    def _root(self, ctx: Any) -> str:
        """The app's root, as the client reached it (the mount adds this endpoint's path)."""
        scope = getattr(getattr(ctx, "request", None), "scope", None)
        if not scope:
            return ""
        root = public_root(scope, self.runtime.settings.root_path).rstrip("/")
        return root.removesuffix(MCP_PATH)

    async def _call(self, dep: Dependency, arguments: dict[str, Any],
                    root: str) -> dict[str, Any]:
        _, order = _input_schema(self.runtime, dep.api_name)
        data = [_as_input(arguments.get(key)) for key in order]
        try:
            return await self._run(dep, data, root)
        except PorchError as exc:
            return {"error": str(exc)}

    async def _run(self, dep: Dependency, data: list[Any], root: str) -> dict[str, Any]:
        """Queue the event as a call of its own and wait for its final message."""
        runtime = self.runtime
        session = runtime.call_session()
        event_id = runtime.join(dep, data, session, root, simple=True,
                                context=EventContext())
        channel = runtime.bus.get(f"call:{event_id}")
        assert channel is not None, "join opens the call's channel"
        channel.reader_joined()
        try:
            with contextlib.suppress(TimeoutError):
                async with _deadline(CALL_TIMEOUT_S):
                    while True:
                        message = await channel.next(timeout=1.0)
                        if message is not None and message.get("msg") == \
                                protocol.MSG_COMPLETED:
                            output: dict[str, Any] = message.get("output") or {}
                            return output
            runtime.scheduler.cancel(event_id)
            return {"error": f"/{dep.api_name} did not finish within {CALL_TIMEOUT_S:.0f} s."}
        finally:
            channel.reader_left(closed=False)
            runtime.bus.drop(f"call:{event_id}")


def _description(dep: Dependency) -> str:
    given = getattr(dep.fn, "_mcp_description", None)
    doc = (dep.fn.__doc__ or "").strip() if dep.fn is not None else ""
    return str(given or doc or f"Runs /{dep.api_name}.")


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else protocol.dumps(value)


@contextlib.asynccontextmanager
async def _deadline(seconds: float) -> AsyncIterator[None]:
    import anyio

    with anyio.fail_after(seconds):
        yield


def mcp_app(runtime: AppRuntime) -> ASGIApp:
    return McpEndpoint(runtime)
