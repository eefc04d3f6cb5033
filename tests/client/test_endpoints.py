"""The endpoint table: finding an endpoint, lining up arguments, shaping outputs."""

from __future__ import annotations

from typing import Any

import pytest

from porch.client.endpoints import EndpointTable, public_info, render


def param(name: str, default: Any = None, has_default: bool = False) -> dict[str, Any]:
    return {"label": name.upper(), "parameter_name": name, "parameter_has_default": has_default,
            "parameter_default": default, "python_type": {"type": "float", "description": ""},
            "component": "Number"}


CONFIG = {
    "components": [{"id": 1, "type": "number"}, {"id": 2, "type": "number"},
                   {"id": 3, "type": "state"}, {"id": 4, "type": "column"},
                   {"id": 5, "type": "textbox", "skip_api": False}],
    "dependencies": [
        {"id": 0, "api_name": "add", "inputs": [1, 3, 2], "outputs": [5, 3],
         "backend_fn": True, "api_visibility": "public"},
        {"id": 1, "api_name": "hidden", "inputs": [], "outputs": [],
         "api_visibility": "private"},
        {"id": 2, "api_name": "pair", "inputs": [1], "outputs": [5, 5, 4],
         "api_visibility": "undocumented"},
        {"id": 3, "api_name": False, "inputs": [], "outputs": []},
    ],
}
INFO = {"named_endpoints": {
    "/add": {"parameters": [param("a", 1, True), param("b")], "returns": [],
             "api_visibility": "public", "code_snippets": {"python": "..."}},
    "/hidden": {"parameters": [], "returns": [], "api_visibility": "private"},
    "/legacy": {"parameters": [], "returns": [], "show_api": False},
}, "unnamed_endpoints": {}}


@pytest.fixture
def table() -> EndpointTable:
    return EndpointTable(CONFIG, public_info(INFO))


def test_arguments_fill_defaults_and_keywords(table: EndpointTable) -> None:
    add = table.find("/add")
    assert add.arguments((), {"b": 5}) == [1, 5]
    assert add.arguments((2,), {"b": 5}) == [2, 5]
    assert add.payload([2, 5]) == [2, None, 5]
    with pytest.raises(TypeError, match="needs a value for: b"):
        add.arguments((), {})
    with pytest.raises(TypeError, match="no parameter 'c'"):
        add.arguments((), {"c": 1})
    with pytest.raises(TypeError, match="both by position and by name"):
        add.arguments((1,), {"a": 2})
    with pytest.raises(TypeError, match="takes 2"):
        add.arguments((1, 2, 3), {})


def test_undocumented_endpoints_take_positional_arguments(table: EndpointTable) -> None:
    pair = table.find("/pair")
    assert pair.arguments((1,), {}) == [1]
    with pytest.raises(ValueError, match="positional"):
        pair.arguments((), {"a": 1})


def test_outputs_drop_state_and_layout_and_unwrap_one(table: EndpointTable) -> None:
    assert table.find("/add").shape(["x", None]) == "x"
    assert table.find("/pair").shape(["x", "y", None]) == ("x", "y")


def test_find(table: EndpointTable) -> None:
    assert table.find(fn_index=2).api_name == "/pair"
    with pytest.raises(ValueError, match="Did you mean '/add'"):
        table.find("add")
    with pytest.raises(ValueError, match="no endpoint"):
        table.find("/hidden")
    with pytest.raises(ValueError, match="fn_index 1"):
        table.find(fn_index=1)
    with pytest.raises(ValueError, match="fn_index 9"):
        table.find(fn_index=9)
    assert table.find().api_name == "/add"  # the one public endpoint


def test_public_info_drops_private_snippets_and_visibility() -> None:
    info = public_info(INFO)
    assert set(info["named_endpoints"]) == {"/add"}
    assert info["named_endpoints"]["/add"] == {
        "parameters": [param("a", 1, True), param("b")], "returns": []}
    assert "code_snippets" in INFO["named_endpoints"]["/add"]  # the input is left alone


def test_render_lists_parameters_and_returns() -> None:
    text = render("http://x/", public_info(INFO))
    assert 'predict(a, b, api_name="/add") -> ()' in text
    assert "a: float  [Number]  default 1" in text
    unnamed = {"named_endpoints": {}, "unnamed_endpoints": {"0": {
        "parameters": [], "returns": [param("out")]}}}
    assert "predict(fn_index=0) -> out" in render("http://x/", unnamed)
