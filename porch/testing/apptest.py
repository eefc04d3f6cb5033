"""`AppTest`: a porch app driven from a test, in-process, without a browser or a port.

Each `Session` is one browser tab of its own (own client cookie, session hash and State);
`AppTest` is the app and its first session. Everything is synchronous for the test: the app
runs on an event loop in a background thread (loop.py), and every call returns once all the
work it set off has finished.
"""

from __future__ import annotations

import copy
import os
import runpy
from collections.abc import Callable, Coroutine, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from porch.blocks.blocks import Blocks
from porch.blocks.static_paths import static_paths
from porch.components.state import State
from porch.server.app import create_app
from porch.server.runtime import AppRuntime
from porch.server.settings import Settings
from porch.testing.feeds import feed
from porch.testing.handles import Handle
from porch.testing.lifespan import Lifespan
from porch.testing.loop import LoopThread
from porch.testing.page import Action, Page
from porch.testing.results import Result
from porch.testing.streams import Stream

T = TypeVar("T")
BASE_URL = "http://127.0.0.1:7860"


class Harness:
    """The app under test: its ASGI app, runtime, loop and the limits every call keeps to."""

    def __init__(self, blocks: Blocks, settings: Settings, timeout: float) -> None:
        self.blocks = blocks
        self.timeout = timeout
        self.loop = LoopThread()
        self.sessions: list[Session] = []
        try:
            # Built on the loop: app start-up work (example caching) may need one.
            self.app, self.lifespan = self.loop.run(self._start(settings), timeout, "start-up")
        except BaseException:
            self.loop.close()
            raise
        self.runtime: AppRuntime = self.app.state.runtime

    async def _start(self, settings: Settings) -> tuple[Any, Lifespan]:
        app = create_app(self.blocks, settings)
        lifespan = Lifespan(app)
        await lifespan.start()
        return app, lifespan

    def close(self) -> None:
        for session in list(self.sessions):
            session.close_tab()
        try:
            self.loop.run(self.lifespan.stop(), self.timeout, "shutdown")
        finally:
            self.loop.close()


class StateView(Mapping[Any, Any]):
    """The session's `gr.State` values as the server holds them: `at.state[counter]` (by
    component, handle or id); a State no event has touched yet shows its initial value."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _states(self) -> dict[int, State]:
        return {b.id: b for b in self._session.harness.blocks.blocks.values()
                if isinstance(b, State)}

    def __getitem__(self, key: Any) -> Any:
        block_id = key if isinstance(key, int) else getattr(key, "id", None)
        states = self._states()
        if block_id not in states:
            raise KeyError(f"{key!r} is not a gr.State of this app")

        async def read() -> Any:
            values = self._session.harness.runtime.states.peek(self._session.page.session_hash)
            if values is not None and block_id in values:
                return copy.deepcopy(values[block_id])
            return states[block_id].fresh_value()

        return self._session.run(read(), "reading State")

    def __iter__(self) -> Iterator[int]:
        return iter(self._states())

    def __len__(self) -> int:
        return len(self._states())


class Session:
    """One user's tab: opened at once, its load events run (their result is `loaded`)."""

    def __init__(self, harness: Harness, login: tuple[str, str] | None = None) -> None:
        self.harness = harness
        self.page = Page(harness.app, harness.runtime, BASE_URL)
        self.state = StateView(self)
        self.closed = False
        harness.sessions.append(self)
        self.loaded: Result = self.run(self.page.open(login), "the load events").result

    @property
    def session_hash(self) -> str:
        return self.page.session_hash

    def run(self, work: Coroutine[Any, Any, T], what: str) -> T:
        if self.closed:
            work.close()
            raise RuntimeError("this session is closed")
        return self.harness.loop.run(work, self.harness.timeout, what)

    def _act(self, start: Callable[[Action], Any], what: str) -> Result:
        return self.run(self.page.act(start), what).result

    def components(self) -> dict[int, dict[str, Any]]:
        """A copy of what the page holds for every component, taken on the app's loop (a
        stream may be changing it meanwhile)."""

        async def take() -> dict[int, dict[str, Any]]:
            return copy.deepcopy(self.page.components)

        return self.run(take(), "reading the page")

    def entry(self, block_id: int) -> dict[str, Any] | None:
        """A copy of one component's type and props, as `components()`."""

        async def take() -> dict[str, Any] | None:
            return copy.deepcopy(self.page.components.get(block_id))

        return self.run(take(), "reading the page")

    # ---- finding components ---------------------------------------------------------------
    def get_all(self, target: Any = None, *, label: str | None = None,
                elem_id: str | None = None, type: str | None = None) -> list[Handle]:
        """Components matching every criterion given: `target` is a label (a button's text
        counts), a component object, a handle or an id."""
        if isinstance(target, Handle):
            target = target.id
        if isinstance(target, str):
            label, target = target, None
        if target is not None and not isinstance(target, int):
            target = getattr(target, "id", target)
        found = []
        for block_id, entry in self.components().items():
            props = entry["props"]
            names = {props.get("label"), props.get("value") if entry["type"].endswith(
                "button") else None} - {None}
            if ((target is None or block_id == target)
                    and (label is None or label in names)
                    and (elem_id is None or props.get("elem_id") == elem_id)
                    and (type is None or entry["type"] == type.lower())):
                found.append(Handle(self, block_id))
        return found

    def get(self, target: Any = None, *, label: str | None = None, elem_id: str | None = None,
            type: str | None = None) -> Handle:
        """The one component matching (LookupError when none or several do)."""
        found = self.get_all(target, label=label, elem_id=elem_id, type=type)
        if len(found) != 1:
            wanted = ", ".join(f"{k}={v!r}" for k, v in (("target", target), ("label", label),
                               ("elem_id", elem_id), ("type", type)) if v is not None)
            what = "no component" if not found else f"{len(found)} components ({found})"
            raise LookupError(f"{what} matched {wanted}")
        return found[0]

    # ---- what a user does -----------------------------------------------------------------
    def edit(self, target: Any, value: Any) -> Result:
        handle = self.get(target)
        return self._act(lambda action: self.page.edit(handle.id, value, action),
                         f"setting {handle}")

    def trigger(self, target: Any, event: str, data: Any = None) -> Result:
        handle = self.get(target)
        if not self.page.triggers.get((handle.id, event)):
            raise LookupError(f"no event listens to {event!r} on {handle}")
        return self._act(lambda action: self.page.fire(handle.id, event, data, action),
                         f"{event} on {handle}")

    def click(self, target: Any) -> Result:
        return self.trigger(target, "click")

    def submit(self, target: Any) -> Result:
        return self.trigger(target, "submit")

    def stream(self, target: Any, event: str = "click", data: Any = None) -> Stream:
        handle = self.get(target)
        if not self.page.triggers.get((handle.id, event)):
            raise LookupError(f"no event listens to {event!r} on {handle}")
        return Stream(self.page, self.harness.loop, self.harness.timeout,
                      lambda action: self.page.fire(handle.id, event, data, action))

    def run_event(self, api_name: str, *inputs: Any) -> Result:
        """Run the event named `api_name` (and its chain) as if its trigger fired; `inputs`,
        when given, are set on its input components first (no change events fire)."""
        deps = [d for d in self.page.dependencies if d.get("api_name") == api_name]
        if not deps:
            raise LookupError(f"no event is named {api_name!r}")
        dep = deps[0]
        ids = dep.get("inputs") or []
        if inputs and len(inputs) != len(ids):
            raise ValueError(f"/{api_name} takes {len(ids)} input(s), got {len(inputs)}")

        def start(action: Action) -> None:
            for block_id, value in zip(ids, inputs, strict=False):
                entry = self.page.components.get(block_id)
                if entry is not None and entry["type"] != "state":
                    entry["props"]["value"] = value
            action.spawn(self.page.run, dep, None, None, action, "run")

        return self._act(start, f"/{api_name}")

    def upload(self, target: Any, paths: list[Path]) -> Result:
        handle = self.get(target)
        files = self.run(self.page.upload(paths), f"uploading to {handle}")
        many = handle.props.get("file_count") in ("multiple", "directory") or handle.type in (
            "gallery", "uploadbutton") and handle.props.get("file_count") != "single"
        value: Any = files if many or len(files) > 1 else files[0]

        def start(action: Action) -> None:
            self.page.components[handle.id]["props"]["value"] = value
            for event in ("upload", "change"):
                self.page.fire(handle.id, event, None, action)

        return self._act(start, f"uploading to {handle}")

    def feed(self, target: Any, chunks: list[Any]) -> Result:
        """Feed a streaming input's `.stream()` events chunk by chunk (paths are uploaded
        first, as the page uploads each recorded piece); one step per chunk."""
        handle = self.get(target)
        if not chunks:
            raise ValueError("feed() needs at least one chunk")
        if not self.page.triggers.get((handle.id, "stream")):
            raise LookupError(f"no event listens to 'stream' on {handle}")
        paths = [Path(c) for c in chunks if isinstance(c, (str, os.PathLike))]
        uploaded = iter(self.run(self.page.upload(paths), "uploading chunks") if paths else [])
        values = [next(uploaded) if isinstance(c, (str, os.PathLike)) else c for c in chunks]
        return self._act(lambda action: action.spawn(feed, self.page, handle.id, values, action),
                         f"feeding {handle}")

    def download(self, value: Any) -> bytes:
        """The bytes of a file output (its FileData, URL or path), read through the file
        route as the page would: what the gate refuses raises RequestRefused."""
        if isinstance(value, dict):
            value = value.get("url") or value.get("path")
        if not isinstance(value, str):
            raise TypeError(f"not a file value: {value!r}")
        return self.run(self.page.download(value), "downloading a file")

    def close(self) -> None:
        """Close the tab: its unload events run (and are waited for)."""
        self.close_tab()

    def close_tab(self) -> None:
        if self.closed:
            return
        self.run(self.page.close(), "closing the session")
        self.closed = True
        if self in self.harness.sessions:
            self.harness.sessions.remove(self)


class AppTest(Session):
    """`AppTest(demo)`: serve `demo` in-process and open a first session on it.

    `launch_options` are `launch()`'s server settings (show_error=, max_file_size=,
    allowed_paths=, auth=...); `login=(user, password)` signs this first session in.
    `timeout` bounds every call (each waits until all the work it set off has finished).
    """

    def __init__(self, app: Blocks, *, timeout: float = 30.0,
                 login: tuple[str, str] | None = None, **launch_options: Any) -> None:
        if not isinstance(app, Blocks):
            raise TypeError(f"AppTest needs a gr.Blocks (or Interface...), got {app!r}")
        launch_options.setdefault("static_paths", static_paths())
        launch_options.setdefault("quiet", True)
        harness = Harness(app, Settings.build(**launch_options), timeout)
        try:
            super().__init__(harness, login)
        except BaseException:
            harness.close()
            raise

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, name: str | None = None,
                  **options: Any) -> AppTest:
        """Run an app's file (as a module, so `if __name__ == "__main__"` stays off) and
        test its Blocks: the variable `name`, else `demo`, else the file's only Blocks."""
        found = runpy.run_path(str(path), run_name="__porch_apptest__")
        if name is not None:
            app = found[name]
        elif isinstance(found.get("demo"), Blocks):
            app = found["demo"]
        else:
            apps = [v for k, v in found.items() if isinstance(v, Blocks) and not k.startswith("_")]
            if len(apps) != 1:
                raise LookupError(f"{path}: found {len(apps)} Blocks; name the one to test")
            app = apps[0]
        return cls(app, **options)

    def new_session(self, login: tuple[str, str] | None = None) -> Session:
        """Another user's tab on the same app: its own cookie, session and State."""
        return Session(self.harness, login)

    @property
    def runtime(self) -> AppRuntime:
        return self.harness.runtime

    def close(self) -> None:
        """Close every session (their unload events run) and stop the app."""
        if not self.harness.loop.loop.is_closed():
            self.harness.close()
        self.closed = True

    def __enter__(self) -> AppTest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
