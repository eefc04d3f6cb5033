"""The remote app's endpoints, read from `/config` and `/info`: which one a call means, how
its arguments line up, and how its outputs are trimmed for the caller. Pure: no I/O."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

# Component types that carry no value for an API caller (gradio_client skips the same ones
# when a component does not say `skip_api` itself).
_VALUELESS_TYPES = frozenset({
    "state", "row", "column", "tabs", "tab", "tabitem", "box", "form", "accordion", "group",
    "interpretation", "dataset", "sidebar",
})

_MISSING = object()


@dataclass(frozen=True)
class Endpoint:
    """One dependency of the app, as a caller sees it."""

    fn_index: int
    api_name: str | None            # "/name", or None for an unnamed dependency
    visibility: str                 # public, undocumented or private
    has_backend: bool
    state_inputs: tuple[int, ...]   # positions of State inputs (the client sends null there)
    kept_outputs: tuple[bool, ...]  # False for outputs the caller never sees (State, layout)
    parameters: tuple[dict[str, Any], ...] | None  # from /info; None when not documented
    oauth_token: str | None = None

    @property
    def callable(self) -> bool:
        return self.visibility != "private"

    def arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        """The values the caller gave, in input order, with documented defaults filled in."""
        if self.parameters is None:
            if kwargs:
                raise ValueError(
                    f"{self.api_name or self.fn_index} is not documented by the app, so it "
                    "takes positional arguments only.")
            return list(args)
        params = self.parameters
        if len(args) > len(params):
            raise TypeError(f"{self.api_name} takes {len(params)} argument(s) but "
                            f"{len(args)} were given.")
        values: list[Any] = [*args, *([_MISSING] * (len(params) - len(args)))]
        names = [p.get("parameter_name") or p.get("label") or f"argument {i}"
                 for i, p in enumerate(params)]
        positions = {p["parameter_name"]: i for i, p in enumerate(params)
                     if p.get("parameter_name")}
        for key, value in kwargs.items():
            if key not in positions:
                known = ", ".join(positions) or "none"
                raise TypeError(f"{self.api_name} has no parameter {key!r} (it has: {known}).")
            if positions[key] < len(args):
                raise TypeError(f"{self.api_name} got {key!r} both by position and by name.")
            values[positions[key]] = value
        for i, param in enumerate(params):
            if values[i] is _MISSING and param.get("parameter_has_default"):
                values[i] = copy.deepcopy(param.get("parameter_default"))
        missing = [names[i] for i, v in enumerate(values) if v is _MISSING]
        if missing:
            raise TypeError(f"{self.api_name} needs a value for: {', '.join(missing)}.")
        return values

    def payload(self, values: list[Any]) -> list[Any]:
        """The `data` list the server expects: null in every State slot."""
        data = list(values)
        for position in self.state_inputs:
            data.insert(position, None)
        return data

    def shape(self, outputs: list[Any]) -> Any:
        """What predict() returns: the visible outputs, a bare value when there is one."""
        kept = [v for v, keep in zip(outputs, self.kept_outputs, strict=False) if keep]
        # Tolerate a server that sends more values than the config lists.
        kept += outputs[len(self.kept_outputs):]
        if sum(self.kept_outputs) == 1 and len(kept) == 1:
            return kept[0]
        return tuple(kept)


class EndpointTable:
    """Every dependency of the app, found by `api_name` or `fn_index`."""

    def __init__(self, config: dict[str, Any], info: dict[str, Any]) -> None:
        components = {c.get("id"): c for c in config.get("components", [])
                      if isinstance(c, dict)}
        named = info.get("named_endpoints", {})
        self.by_index: dict[int, Endpoint] = {}
        self._by_name: dict[str, Endpoint] = {}
        for position, dep in enumerate(config.get("dependencies", [])):
            endpoint = _endpoint(dep, position, components, named)
            self.by_index[endpoint.fn_index] = endpoint
            if endpoint.api_name is not None and endpoint.callable:
                self._by_name.setdefault(endpoint.api_name, endpoint)

    def find(self, api_name: str | None = None, fn_index: int | None = None) -> Endpoint:
        """The endpoint a call names (api_name wins over fn_index), or the app's only one."""
        if api_name is not None:
            endpoint = self._by_name.get(api_name)
            if endpoint is None:
                hint = "" if api_name.startswith("/") else f" Did you mean '/{api_name}'?"
                raise ValueError(f"The app has no endpoint with api_name {api_name!r}.{hint}")
            return endpoint
        if fn_index is not None:
            endpoint = self.by_index.get(fn_index)
            if endpoint is None or not endpoint.callable:
                raise ValueError(f"The app has no callable endpoint with fn_index {fn_index}.")
            return endpoint
        public = [e for e in self._by_name.values()
                  if e.visibility == "public" and e.has_backend]
        if len(public) != 1:
            raise ValueError("The app has several endpoints: pass api_name= (or fn_index=).")
        return public[0]


def _endpoint(dep: dict[str, Any], position: int, components: dict[Any, dict[str, Any]],
              named: dict[str, Any]) -> Endpoint:
    raw_name = dep.get("api_name")
    api_name = "/" + raw_name if isinstance(raw_name, str) and raw_name else None
    if "api_visibility" in dep:
        visibility = str(dep["api_visibility"])
    elif raw_name is False:
        visibility = "private"
    else:
        visibility = "undocumented" if dep.get("show_api") is False else "public"
    documented = named.get(api_name) if api_name is not None else None
    inputs = [components.get(i, {}) for i in dep.get("inputs", [])]
    outputs = [components.get(i, {}) for i in dep.get("outputs", [])]
    return Endpoint(
        fn_index=int(dep.get("id", position)),
        api_name=api_name,
        visibility=visibility,
        has_backend=bool(dep.get("backend_fn", True)),
        state_inputs=tuple(i for i, c in enumerate(inputs) if c.get("type") == "state"),
        kept_outputs=tuple(not _skipped(c) for c in outputs),
        parameters=tuple(documented["parameters"]) if isinstance(documented, dict) else None,
        oauth_token=documented.get("oauth_token") if isinstance(documented, dict) else None,
    )


def _skipped(component: dict[str, Any]) -> bool:
    return bool(component.get("skip_api", component.get("type") in _VALUELESS_TYPES))


# ---- view_api ---------------------------------------------------------------------------------


def public_info(info: dict[str, Any]) -> dict[str, Any]:
    """`/info` as callers get it from view_api(): no code snippets, no private endpoints,
    and no visibility keys (the shape gradio_client returns)."""
    result = copy.deepcopy(info)
    for key in ("named_endpoints", "unnamed_endpoints"):
        kept = {}
        for name, endpoint in result.get(key, {}).items():
            endpoint.pop("code_snippets", None)
            if "api_visibility" in endpoint:
                if endpoint.pop("api_visibility") == "private":
                    continue
            elif endpoint.pop("show_api", True) is False:
                continue
            kept[name] = endpoint
        result[key] = kept
    return result


def _identifier(name: str) -> str:
    return re.sub(r"[^0-9a-zA-Z_ ]", "", name).replace(" ", "_").lower() or "_"


def _describe(entry: dict[str, Any], with_default: bool) -> str:
    name = _identifier(str(entry.get("parameter_name") or entry.get("label") or "value"))
    python_type = entry.get("python_type") or {}
    kind = python_type.get("type", "Any") if isinstance(python_type, dict) else "Any"
    line = f"      {name}: {kind}  [{entry.get('component', '?')}]"
    if with_default:
        if entry.get("parameter_has_default"):
            line += f"  default {entry.get('parameter_default')!r}"
        else:
            line += "  required"
    return line


def render(src: str, info: dict[str, Any], all_endpoints: bool | None = None) -> str:
    """A readable summary of the endpoints in `info` (the view_api() dict)."""
    named = info.get("named_endpoints", {})
    unnamed = info.get("unnamed_endpoints", {})
    show_unnamed = all_endpoints if all_endpoints is not None else not named
    lines = [f"API of {src}", f"Named endpoints: {len(named)}"]
    sections: list[tuple[str, dict[str, Any]]] = [
        (f'api_name="{name}"', endpoint) for name, endpoint in named.items()]
    if show_unnamed:
        lines.append(f"Unnamed endpoints: {len(unnamed)}")
        sections += [(f"fn_index={index}", endpoint) for index, endpoint in unnamed.items()]
    elif unnamed:
        lines.append(f"Unnamed endpoints: {len(unnamed)} (view_api(all_endpoints=True) "
                     "lists them)")
    for selector, endpoint in sections:
        params = endpoint.get("parameters", [])
        returns = endpoint.get("returns", [])
        arg_names = [_identifier(str(p.get("parameter_name") or p.get("label") or "value"))
                     for p in params]
        result = [_identifier(str(r.get("label") or "value")) for r in returns]
        shown = ", ".join(result) if len(result) == 1 else f"({', '.join(result)})"
        lines.append("")
        lines.append(f"  predict({', '.join([*arg_names, selector])}) -> {shown}")
        if endpoint.get("description"):
            lines.append(f"    {endpoint['description']}")
        lines.append("    parameters:" if params else "    parameters: none")
        lines += [_describe(p, with_default=True) for p in params]
        lines.append("    returns:" if returns else "    returns: nothing")
        lines += [_describe(r, with_default=False) for r in returns]
    return "\n".join(lines) + "\n"
