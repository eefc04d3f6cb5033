"""One browser tab, without the browser: what porch's page (frontend/porch.js) knows and
does, in Python. It reads `/config`, keeps every component's props, sends an event's input
values through `queue/join` (or `run/` for queue=False) as the page does, follows the event's
messages and applies its outputs and `gr.update()`s, then runs the `.then()` chain and the
`change` events an output set off. Requests go through the whole ASGI app (guard, auth
gate, validation, file gate); the queue's messages are read from the session's channel,
each round-tripped through JSON as the SSE stream would carry it.
"""

from __future__ import annotations

import asyncio
import copy
import json
import mimetypes
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import httpx

from porch import protocol
from porch.queue.channels import MessageStream
from porch.server.runtime import AppRuntime
from porch.testing.results import HIDDEN_ERROR, Failure, Result, Run, Step, Toast

API = protocol.API_PREFIX
# The events a user's edit sets off in the page (a typed character, a moved slider).
EDIT_EVENTS = ("input", "change")


class RequestRefused(Exception):
    """The server refused a request the page would make (an upload, the config, a login)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


def as_the_page_holds(kind: str, value: Any) -> Any:
    """What a control gives back for `value` (its `value()` in frontend/components): an
    empty text box says "", not null; a checkbox, a boolean; a checkbox group, a list."""
    if kind in ("textbox", "code"):
        return "" if value is None else value if isinstance(value, str) else str(value)
    if kind == "checkbox":
        return bool(value)
    if kind == "checkboxgroup":
        return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]
    return value


def is_update(value: Any) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update"


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()
    if isinstance(body, dict):
        found = body.get("detail", body.get("error"))
        return found if isinstance(found, str) else json.dumps(found)
    return json.dumps(body)


class Action:
    """Everything one user action set off; `done` when the last of it has finished."""

    def __init__(self, on_step: Callable[[Step], None] | None = None) -> None:
        self.result = Result()
        self.on_step = on_step
        self.tasks: anyio.abc.TaskGroup | None = None

    def spawn(self, fn: Callable[..., Any], *args: Any) -> None:
        assert self.tasks is not None
        self.tasks.start_soon(fn, *args)


class Page:
    def __init__(self, app: Any, runtime: AppRuntime, base_url: str) -> None:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        self.client = httpx.AsyncClient(transport=transport, base_url=base_url)
        self.runtime = runtime
        self.root = base_url
        self.session_hash = secrets.token_hex(6)
        self.components: dict[int, dict[str, Any]] = {}
        self.dependencies: list[dict[str, Any]] = []
        self.triggers: dict[tuple[int, str], list[dict[str, Any]]] = {}
        self.renders: dict[int, tuple[list[int], list[int]]] = {}
        self.busy: dict[int, list[Run]] = {}  # fn_index -> its runs now (trigger_mode)
        self.again: dict[int, tuple[int | None, Any]] = {}  # always_last: one more run
        self.inboxes: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.heartbeat = False
        self.live: dict[str, tuple[int, Action]] = {}  # running event id -> (fn_index, action)

    # ---- opening and closing --------------------------------------------------------------
    async def open(self, login: tuple[str, str] | None) -> Action:
        """Load the page (its config, the client cookie), connect, run the load events."""
        if login is not None:
            answer = await self.client.post("/login", data={"username": login[0],
                                                            "password": login[1]})
            if answer.status_code >= 400:
                raise RequestRefused(answer.status_code, _detail(answer))
        answer = await self.client.get("/config")
        if answer.status_code != 200:
            raise RequestRefused(answer.status_code, _detail(answer))
        config = answer.json()
        for entry in config["components"]:
            self.components[entry["id"]] = {**entry, "props": dict(entry.get("props") or {})}
        self.dependencies = list(config["dependencies"])
        self.index()
        if config.get("connect_heartbeat"):
            # What the heartbeat stream's route does (a stream that ends only with the page).
            token = self.client.cookies.get(self.runtime.client_cookie)
            self.runtime.open_session(self.session_hash, owner=token,
                                      client=f"cookie:{token}")
            self.runtime.session_opened(self.session_hash)
            self.heartbeat = True
        loads = [dep for dep in self.dependencies
                 if any(event == "load" for _, event in dep.get("targets") or [])]

        def start(action: Action) -> None:
            for dep in loads:
                action.spawn(self.run, dep, None, None, action, "load")

        return await self.act(start)

    async def close(self) -> None:
        """The tab closes: the heartbeat ends (unload events run, and are waited for)."""
        if self.heartbeat:
            self.heartbeat = False
            self.runtime.session_closed(self.session_hash, self.root)
            await self.runtime.background_settled()
        if self.reader is not None:
            self.reader.cancel()
            await asyncio.gather(self.reader, return_exceptions=True)
        await self.client.aclose()

    def index(self) -> None:
        self.triggers = {}
        for dep in self.dependencies:
            for target, event in dep.get("targets") or []:
                self.triggers.setdefault((target, event), []).append(dep)

    # ---- one user action ------------------------------------------------------------------
    async def act(self, start: Callable[[Action], Any],
                  on_step: Callable[[Step], None] | None = None,
                  action: Action | None = None) -> Action:
        """Start an action and return once all it set off has finished (no sleeps)."""
        action = action or Action(on_step)
        async with anyio.create_task_group() as tasks:
            action.tasks = tasks
            start(action)
        return action

    def fire(self, block_id: int, event: str, data: Any, action: Action) -> None:
        for dep in self.triggers.get((block_id, event), []):
            action.spawn(self.run, dep, block_id, data, action, event)

    def edit(self, block_id: int, value: Any, action: Action) -> None:
        """The user changed a component's value: its input and change events fire."""
        before = self.components[block_id]["props"].get("value")
        self.components[block_id]["props"]["value"] = value
        if value != before:
            for event in EDIT_EVENTS:
                self.fire(block_id, event, None, action)

    def set(self, block_id: int, value: Any, action: Action | None) -> None:
        """An output reached a component (a value or a gr.update); a changed value fires
        the component's change event, as the page's components do."""
        entry = self.components.get(block_id)
        if entry is None or entry["type"] == "state":
            return
        props = entry["props"]
        before = props.get("value")
        if is_update(value):
            props.update({k: v for k, v in value.items() if k != "__type__"})
        else:
            props["value"] = value
        if action is not None and props.get("value") != before:
            self.fire(block_id, "change", None, action)

    def show(self, dep: dict[str, Any], data: list[Any], action: Action) -> None:
        for block_id, value in zip(dep.get("outputs") or [], data, strict=False):
            entry = self.components.get(block_id)
            if entry is None or entry["type"] == "state":
                continue  # the wire carries None for State: its value stays on the server
            self.set(block_id, value, action)
            action.result.outputs[block_id] = copy.deepcopy(value)

    def input_values(self, dep: dict[str, Any]) -> list[Any]:
        values: list[Any] = []
        for block_id in dep.get("inputs") or []:
            entry = self.components.get(block_id)
            if entry is None or entry["type"] == "state":
                values.append(None)  # the server holds State
            else:
                values.append(as_the_page_holds(entry["type"],
                                                copy.deepcopy(entry["props"].get("value"))))
        return values

    # ---- running one event ----------------------------------------------------------------
    async def run(self, dep: dict[str, Any], trigger: int | None, event_data: Any,
                  action: Action, event: str = "then") -> None:
        fn_index = dep["id"]
        runs = self.busy.setdefault(fn_index, [])
        if runs and dep.get("trigger_mode") != "multiple":
            # "once" ignores a trigger while it runs; "always_last" runs once more after.
            if dep.get("trigger_mode") == "always_last":
                self.again[fn_index] = (trigger, event_data)
            return
        for other in dep.get("cancels") or []:
            await self.stop(fn_index=other)
        run = Run(fn_index, dep.get("api_name"), (trigger, event))
        action.result.runs.append(run)
        runs.append(run)
        try:
            if not dep.get("backend_fn"):
                run.success = self.local(dep, action)
            elif dep.get("queue") is False:
                run.success = await self.direct(dep, trigger, event_data, run, action)
            else:
                run.success = await self.call(dep, trigger, event_data, run, action)
        finally:
            runs.remove(run)
        self.afterwards(fn_index, run.success, action)
        if fn_index in self.again:
            action.spawn(self.run, dep, *self.again.pop(fn_index), action, event)

    def afterwards(self, fn_index: int, ok: bool, action: Action) -> None:
        """Start the events chained after `fn_index` (.then, .success, .failure)."""
        for after in self.dependencies:
            if after.get("trigger_after") != fn_index:
                continue
            if after.get("trigger_only_on_success") and not ok:
                continue
            if after.get("trigger_only_on_failure") and ok:
                continue
            action.spawn(self.run, after, None, None, action)

    def local(self, dep: dict[str, Any], action: Action) -> bool:
        """An event with no Python function: a ClearButton's clear, or js the page skips."""
        if dep.get("js") == "clear":
            for block_id in dep.get("outputs") or []:
                self.set(block_id, None, action)
        return True

    def body(self, dep: dict[str, Any], trigger: int | None, event_data: Any) -> dict[str, Any]:
        return {"data": self.input_values(dep), "event_data": event_data,
                "fn_index": dep["id"], "trigger_id": trigger, "session_hash": self.session_hash}

    async def direct(self, dep: dict[str, Any], trigger: int | None, event_data: Any,
                     run: Run, action: Action) -> bool:
        answer = await self.client.post(f"{API}/run/{dep['api_name']}",
                                        json=self.body(dep, trigger, event_data))
        output = answer.json()
        if isinstance(output, dict) and "error" in output:
            return self.failed(run, output, output.get("title"))
        if answer.status_code != 200 or not isinstance(output, dict):
            return self.refused(run, answer)
        run.data = list(output.get("data") or [])
        self.show(dep, run.data, action)
        return True

    async def call(self, dep: dict[str, Any], trigger: int | None, event_data: Any,
                   run: Run, action: Action) -> bool:
        # The page says it is the page; but a streaming input's event then waits for
        # chunks, so those run once, on the values they have now (as an API call does).
        headers = {} if dep.get("connection") == "stream" else {"x-gradio-user": "app"}
        answer = await self.client.post(f"{API}/queue/join", headers=headers,
                                        json=self.body(dep, trigger, event_data))
        if answer.status_code == 422 and isinstance(answer.json().get("detail"), list):
            inputs = dep.get("inputs") or []
            for block_id, entry in zip(inputs, answer.json()["detail"], strict=False):
                if isinstance(entry, dict) and entry.get("is_valid") is False:
                    run.invalid[block_id] = entry.get("message") or "Not valid."
            return False
        if answer.status_code != 200:
            return self.refused(run, answer)
        event_id = answer.json()["event_id"]
        run.event_id = event_id
        inbox = self.inboxes.setdefault(event_id, asyncio.Queue())
        self.read_channel()
        self.live[event_id] = (dep["id"], action)
        try:
            return await self.follow(dep, inbox, run, action)
        finally:
            self.live.pop(event_id, None)
            self.inboxes.pop(event_id, None)

    async def follow(self, dep: dict[str, Any], inbox: asyncio.Queue[dict[str, Any]],
                     run: Run, action: Action, stepped: asyncio.Event | None = None) -> bool:
        """Apply one event's messages until it completes; True if it succeeded. `stepped`
        is set at each streamed output (feeds.py waits on it before the next chunk)."""
        values: list[Any] | None = None
        while True:
            message = await inbox.get()
            kind = message["msg"]
            if kind == protocol.MSG_LOG and message.get("visible") is not False:
                run.toasts.append(Toast(message.get("level") or "info", message["log"],
                                        message.get("title"), message.get("duration")))
            elif kind == protocol.MSG_PROGRESS:
                run.progress.append(message.get("progress_data") or [])
            elif kind in (protocol.MSG_GENERATING, "process_streaming"):
                data = message["output"].get("data") or []
                # A stream event sends full values; a generator, diffs after the first.
                full = values is None or kind == "process_streaming"
                values = list(data) if full else [
                    protocol.apply_diff(old, edits) for old, edits in
                    zip(values or [], data, strict=False)]
                run.steps.append(copy.deepcopy(values))
                self.show(dep, values, action)
                if stepped is not None:
                    stepped.set()
                if action.on_step is not None:
                    outputs = {k: v for k, v in zip(dep.get("outputs") or [], values,
                                                    strict=False)
                               if self.components.get(k, {}).get("type") != "state"}
                    action.on_step(Step(run, copy.deepcopy(values), outputs))
            elif kind == protocol.MSG_COMPLETED:
                output = message.get("output") or {}
                if "error" in output:
                    return self.failed(run, output, message.get("title"))
                if isinstance(output.get("data"), list):
                    run.data = output["data"]
                    self.show(dep, run.data, action)
                if output.get("render_config"):
                    self.apply_render(output["render_config"])
                return message.get("success") is not False

    def failed(self, run: Run, output: dict[str, Any], title: str | None) -> bool:
        shared = output.get("error") is not None
        run.failure = Failure(output["error"] if shared else HIDDEN_ERROR,
                              output.get("title") or title or "Error",
                              output.get("visible") is not False, shared)
        if run.failure.visible:
            run.toasts.append(Toast("error", run.failure.message, run.failure.title,
                                    output.get("duration")))
        return False

    def refused(self, run: Run, answer: httpx.Response) -> bool:
        """The server would not queue the event (full queue, bad request): the page's toast."""
        title = "The app is busy" if answer.status_code == 503 else "Error"
        run.failure = Failure(_detail(answer), title)
        run.toasts.append(Toast("error", run.failure.message, title))
        return False

    async def stop(self, *, fn_index: int | None = None, action: Action | None = None) -> None:
        """The stop button (or a `cancels=`): cancel the running events of `fn_index`, or
        those `action` set off."""
        for event_id, (running, owner) in list(self.live.items()):
            if (fn_index is None or running == fn_index) and (action is None or owner is action):
                await self.client.post(f"{API}/cancel", json={
                    "fn_index": running, "session_hash": self.session_hash,
                    "event_id": event_id})

    # ---- the session's message stream ----------------------------------------------------
    def read_channel(self) -> None:
        if self.reader is None or self.reader.done():
            channel = self.runtime.bus.get(self.session_hash)
            assert channel is not None  # opened by the join that just answered
            self.reader = asyncio.get_running_loop().create_task(self._read(channel))

    async def _read(self, channel: MessageStream) -> None:
        channel.reader_joined()
        try:
            while True:
                message = await channel.next(3600.0)
                if message is None or not message.get("event_id"):
                    continue
                # As the wire carries it: what JSON cannot say does not reach the page.
                message = json.loads(protocol.dumps(message))
                self.inboxes.setdefault(message["event_id"], asyncio.Queue()).put_nowait(message)
        finally:
            channel.reader_left(closed=False)

    # ---- @render ---------------------------------------------------------------------------
    def apply_render(self, config: dict[str, Any]) -> None:
        """Swap what a @render drew last time for what it drew now; a new block with an old
        one's type and key keeps the old one's value, as the page does."""
        old_ids, old_deps = self.renders.get(config["render_id"], ([], []))
        kept: dict[tuple[str, Any], Any] = {}
        for block_id in old_ids:
            entry = self.components.pop(block_id, None)
            if entry is not None and entry.get("key") is not None:
                kept[(entry["type"], entry["key"])] = entry["props"].get("value")
        gone = set(old_deps)
        self.dependencies = [d for d in self.dependencies if d["id"] not in gone]
        holder = (config.get("layout") or {}).get("id")
        ids = []
        for entry in config.get("components") or []:
            if entry["id"] == holder:
                continue
            props = dict(entry.get("props") or {})
            saved = (entry["type"], entry.get("key"))
            if entry.get("key") is not None and saved in kept:
                props["value"] = kept[saved]
            self.components[entry["id"]] = {**entry, "props": props}
            ids.append(entry["id"])
        deps = list(config.get("dependencies") or [])
        self.dependencies += deps
        self.index()
        self.renders[config["render_id"]] = (ids, [d["id"] for d in deps])

    # ---- files -------------------------------------------------------------------------------
    async def upload(self, paths: list[Path]) -> list[dict[str, Any]]:
        """Upload files as the page's upload control does; FileData values for them."""
        files = [("files", (path.name, path.read_bytes(),
                            mimetypes.guess_type(path.name)[0] or "application/octet-stream"))
                 for path in paths]
        answer = await self.client.post(f"{API}/upload",
                                        params={"upload_id": secrets.token_hex(6)}, files=files)
        if answer.status_code != 200:
            raise RequestRefused(answer.status_code, _detail(answer))
        return [{"path": reference, "url": None, "orig_name": path.name,
                 "size": path.stat().st_size, "mime_type": mimetypes.guess_type(path.name)[0],
                 "meta": {"_type": protocol.FILE_DATA_TYPE}}
                for reference, path in zip(answer.json(), paths, strict=True)]

    async def download(self, url_or_path: str) -> bytes:
        """A file the app sent, fetched through the file route (and so its gate)."""
        target = url_or_path if "/file=" in url_or_path else f"{API}/file={url_or_path}"
        answer = await self.client.get(target)
        if answer.status_code != 200:
            raise RequestRefused(answer.status_code, _detail(answer))
        return answer.content
