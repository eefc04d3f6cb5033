"""`porch.load(url)`: a running Gradio or porch app, rebuilt here as a Blocks.

The remote app's config says what it shows: its layout, its components with their props, and
its events. `load` rebuilds the same tree from porch's own components. Each event that runs a
function there becomes an event here whose function calls the remote endpoint through
`porch.Client`. Each visitor of the loaded app gets a remote session of their own, so the
remote app's State is kept per visitor, just as it would be if they visited it directly.

Files pass the same gate as any file: the local inputs are uploaded by the client, and the
files the remote app returns are downloaded into this process's temp dir (what porch grants
to files the app wrote after it started) before they are served.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any, cast

from porch.blocks.blocks import Blocks
from porch.blocks.context import Request
from porch.blocks.layout import Layout
from porch.components.base import Block, Component, current_registry
from porch.components.state import State
from porch.errors import ConfigError
from porch.unhonoured import unhonoured

__all__ = ["load"]

# Gradio's own grouping of form fields (a Form inside a Row or Column): porch lays the fields
# out in the enclosing container directly.
_TRANSPARENT = {"form"}
# Config props that describe the block rather than configure it.
_NOT_KEYWORDS = {"name", "value", "_selectable", "proxy_url", "key", "preserved_by_key"}


def load(name: str, src: Any = None, token: str | None = None, accept_token: Any = False,
         provider: Any = None, **kwargs: Any) -> Blocks:
    """Load the app at `name` (its URL, e.g. "http://127.0.0.1:7860/") as a Blocks.

    `src` may be a function `(name, token) -> Blocks`, as in Gradio. Hugging Face model
    names (`src="models"`, a `provider`) need the Hugging Face Inference API, which porch
    does not call: that is a ConfigError. Other keywords go to `porch.Client` (e.g. `auth=`).
    """
    unhonoured("porch.load()", {"accept_token": accept_token}, {"accept_token": False})
    if callable(src):
        loaded = src(name, token)
        if not isinstance(loaded, Blocks):
            raise ConfigError(f"load(src=...) returned {type(loaded).__name__}, not a Blocks.")
        return loaded
    if src in ("models", "huggingface") or provider is not None or \
            name.startswith(("models/", "huggingface/")):
        raise ConfigError("porch.load() loads running apps (a URL or a Space); Hugging Face "
                          "model repos need the Inference API, which porch does not call. "
                          "Wrap the model in a function and use porch.Interface instead.")
    if name.startswith("spaces/"):
        name = name.removeprefix("spaces/")
    return RemoteApp(name, token=token, client_options=kwargs).build()


class RemoteApp:
    """One remote app: its config, and a client per local session that calls it."""

    def __init__(self, src: str, *, token: str | None,
                 client_options: dict[str, Any]) -> None:
        from porch.client import Client  # imported on use: `import porch` stays light

        self._make_client: Callable[[], Any] = lambda: Client(
            src, token=token, verbose=False, **client_options)
        self._first = self._make_client()
        self.config: dict[str, Any] = self._first.config
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._blocks: dict[int, Block] = {}
        self._by_id = {c["id"]: c for c in self.config.get("components", [])}

    # ---- the tree -----------------------------------------------------------------------
    def build(self) -> Blocks:
        title = self.config.get("title") or "porch"
        with Blocks(title=title, css=self.config.get("css") or None) as demo:
            root = self.config.get("layout", {}).get("id")
            if isinstance(root, int):
                self._blocks[root] = demo  # the app itself: its load events
            for child in self.config.get("layout", {}).get("children", []):
                self._place(child)
            for dep in self.config.get("dependencies", []):
                self._wire(dep)
        # porch fills in the Request (by its annotation), as for any event function.
        demo.unload(cast(Callable[[], Any], self._forget_session))
        return demo

    def _place(self, node: dict[str, Any]) -> None:
        spec = self._by_id.get(node["id"])
        if spec is None:
            return
        if spec["type"] in _TRANSPARENT:
            for child in node.get("children", []):
                self._place(child)
            return
        cls = _block_class(spec["type"])
        options = _keywords(cls, spec.get("props", {}))
        if issubclass(cls, Layout):
            with cls(**options) as layout:
                self._blocks[spec["id"]] = layout
                for child in node.get("children", []):
                    self._place(child)
        else:
            self._blocks[spec["id"]] = cls(**options)

    def _wire(self, dep: dict[str, Any]) -> None:
        if not dep.get("backend_fn", True) or dep.get("api_name") is False:
            return
        targets = [(self._blocks[t[0]], t[1]) for t in dep.get("targets", [])
                   if t[0] in self._blocks and isinstance(t[0], int)]
        inputs = [self._blocks[i] for i in dep.get("inputs", []) if i in self._blocks]
        outputs = [self._blocks[o] for o in dep.get("outputs", []) if o in self._blocks]
        if not targets:
            return
        fn = self._proxy(dep, inputs, outputs)
        registry = current_registry.get()
        assert registry is not None, "wired while the Blocks is being built"
        registry.register_event(targets, fn, inputs=inputs, outputs=outputs,
                                api_name=dep.get("api_name") or None,
                                queue=dep.get("queue", True) is not False,
                                show_progress=dep.get("show_progress") or "full")

    # ---- calling the remote app ---------------------------------------------------------
    def _client_for(self, session: str) -> Any:
        with self._lock:
            client = self._clients.get(session)
            if client is None:
                # The first client (made to read the config) serves the first visitor.
                client = self._first if not self._clients else self._make_client()
                self._clients[session] = client
            return client

    def _forget_session(self, request: Request) -> None:
        with self._lock:
            client = self._clients.pop(request.session_hash or "", None)
        if client is not None and client is not self._first:
            client.close()

    def _proxy(self, dep: dict[str, Any], inputs: list[Block],
               outputs: list[Block]) -> Callable[..., Any]:
        fn_index = dep["id"]
        sent = [i for i, block in enumerate(inputs) if not isinstance(block, State)]
        files = {i for i, block in enumerate(inputs) if isinstance(block, Component)
                 and block.does_io}
        kept = [not isinstance(block, State) for block in outputs]
        generator = bool(dep.get("types", {}).get("generator"))

        def arguments(values: tuple[Any, ...]) -> list[Any]:
            from porch.client import handle_file

            return [handle_file(values[i]) if i in files and isinstance(values[i], str)
                    else values[i] for i in sent]

        def shaped(result: Any) -> Any:
            results = list(result) if sum(kept) > 1 else [result]
            it = iter(results)
            full = [next(it) if keep else None for keep in kept]
            return full[0] if len(full) == 1 else tuple(full)

        def call(*values: Any, request: Request) -> Any:
            client = self._client_for(request.session_hash or "")
            return shaped(client.predict(*arguments(values), fn_index=fn_index))

        def stream(*values: Any, request: Request) -> Iterator[Any]:
            client = self._client_for(request.session_hash or "")
            job = client.submit(*arguments(values), fn_index=fn_index)
            for step in job:
                yield shaped(step)

        chosen: Any = stream if generator else call
        params = [inspect.Parameter(f"input_{i}", inspect.Parameter.POSITIONAL_ONLY)
                  for i in range(len(inputs))]
        params.append(inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY,
                                        annotation=Request))
        chosen.__signature__ = inspect.Signature(params)
        chosen.__name__ = str(dep.get("api_name") or f"fn_{fn_index}")
        return cast(Callable[..., Any], chosen)


def _all_block_classes() -> dict[str, type[Block]]:
    import porch  # every public block class is exported there

    found: dict[str, type[Block]] = {}
    for value in vars(porch).values():
        if inspect.isclass(value) and issubclass(value, Block) and \
                value.block_type not in ("block", "component", "layout", "blocks"):
            # The first export of a type is its own class (presets come later, by name).
            found.setdefault(value.block_type, value)
    return found


def _block_class(block_type: str) -> type[Block]:
    cls = _all_block_classes().get(block_type)
    if cls is None:
        raise ConfigError(f"The remote app uses a {block_type!r} component, which porch does "
                          "not have yet, so it cannot be loaded.")
    return cls


def _keywords(cls: type[Block], props: dict[str, Any]) -> dict[str, Any]:
    """The props that are keywords of `cls`, with a plain value where that is safe."""
    accepted: set[str] = set()
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is None:
            continue
        accepted |= {p.name for p in inspect.signature(init).parameters.values()
                     if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD}
    accepted -= {"self"} | _NOT_KEYWORDS
    defaults = cls.all_unhonoured_keywords()
    options = {k: v for k, v in props.items() if k in accepted
               and not (k in defaults and v == defaults[k])}
    value = props.get("value")
    if issubclass(cls, Component) and not cls.does_io and not issubclass(cls, State) \
            and value is not None and "value" in accepted | {"value"}:
        options["value"] = value
    return options
