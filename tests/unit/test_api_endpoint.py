"""`porch.api`: an API-only endpoint typed by the function's hints (Gradio's `gr.api`), and
the JSON schemas gradio_client reads for those hints."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal, TypedDict

import pytest

import porch as gr
from porch.components.api_value import Api, schema_of, streamed_type, type_name
from porch.components.base import Conversion
from porch.errors import ConfigError, FileNotAllowed


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0


class Movie(TypedDict):
    title: str
    year: int


@pytest.mark.parametrize(("hint", "schema"), [
    (str, {"type": "string"}),
    (int, {"type": "integer"}),
    (float, {"type": "number"}),
    (bool, {"type": "boolean"}),
    (Any, {}),
    (list[int], {"type": "array", "items": {"type": "integer"}}),
    (set[str], {"type": "array", "items": {"type": "string"}, "uniqueItems": True}),
    (dict[str, float], {"type": "object", "additionalProperties": {"type": "number"}}),
    (tuple[int, ...], {"type": "array", "items": {"type": "integer"}}),
    (tuple[int, str], {"type": "array", "prefixItems": [{"type": "integer"},
                                                        {"type": "string"}],
                       "minItems": 2, "maxItems": 2}),
    (int | None, {"oneOf": [{"type": "null"}, {"type": "integer"}]}),
    (int | str, {"anyOf": [{"type": "integer"}, {"type": "string"}]}),
    (Literal["a"], {"const": "a"}),
    (Literal["a", "b"], {"enum": ["a", "b"]}),
    (Colour, {"enum": ["red", "blue"]}),
    (Point, {"type": "object", "properties": {"x": {"type": "integer"},
                                              "y": {"type": "integer"}}, "required": ["x"]}),
    (Movie, {"type": "object", "properties": {"title": {"type": "string"},
                                              "year": {"type": "integer"}},
             "required": ["title", "year"]}),
    (object, {}),
])
def test_schema_of_a_hint(hint: Any, schema: dict[str, Any]) -> None:
    assert schema_of(hint) == schema


def test_a_file_hint_is_described_as_file_data() -> None:
    assert schema_of(gr.FileData)["title"] == "FileData"


def test_a_generator_hint_is_described_by_what_it_yields() -> None:
    assert streamed_type(Iterator[str]) is str
    assert streamed_type(AsyncIterator[int]) is int
    assert streamed_type(list[int]) == list[int]
    assert [type_name(h) for h in (str, list[int], int | None, Any)] == [
        "str", "list[int]", "int | None", "Any"]


def test_api_registers_an_endpoint_typed_by_its_hints() -> None:
    with gr.Blocks() as demo:
        def add(a: int, b: int = 2, request: gr.Request = None) -> int:  # type: ignore[assignment]
            """Adds.

            Details."""
            return a + b

        dep = gr.api(add)
    assert dep.api_name == "add" and dep.api_description == "Adds."
    assert [type(c) for c in dep.inputs] == [Api, Api]  # the Request is filled in, not sent
    endpoint = demo.api_info()["named_endpoints"]["/add"]
    assert [p["parameter_name"] for p in endpoint["parameters"]] == ["a", "b"]
    assert endpoint["parameters"][1]["parameter_default"] == 2
    assert endpoint["returns"][0]["type"] == {"type": "integer"}
    assert all(c["type"] == "api" for c in demo.config()["components"])
    assert demo.layout()["children"] == []  # never drawn


def test_api_as_a_decorator_returns_the_function() -> None:
    with gr.Blocks() as demo:
        @gr.api(api_name="pair", api_description=False)
        def pair(x: str) -> tuple[str, str]:
            """Not shown."""
            return x, x

    assert pair("a") == ("a", "a")
    dep = demo.dependency(api_name="pair")
    assert len(dep.outputs) == 2 and dep.api_description is None


def test_no_return_annotation_means_no_output_and_a_warning() -> None:
    def log(x: str):  # type: ignore[no-untyped-def]
        return x

    def nothing(x: str) -> None:
        return None

    with gr.Blocks(), pytest.warns(UserWarning, match="no return annotation"):
        dep = gr.api(log)
    assert dep.outputs == [] and len(dep.inputs) == 1
    with gr.Blocks():
        assert gr.api(nothing).outputs == []


def test_api_needs_a_hint_on_every_parameter_and_a_blocks() -> None:
    def untyped(x, y: int) -> int:  # type: ignore[no-untyped-def]
        return y

    with gr.Blocks(), pytest.raises(ConfigError, match="`x`"):
        gr.api(untyped)
    with pytest.raises(ConfigError, match="inside a `with porch.Blocks"):
        gr.api(untyped)


def test_api_values_pass_unchanged_and_files_need_the_gate() -> None:
    value = Api(None, {})
    assert value.preprocess({"a": [1, "two"]}, Conversion()) == {"a": [1, "two"]}
    assert value.postprocess(["/etc/passwd"], Conversion()) == ["/etc/passwd"]  # a string
    with pytest.raises(ConfigError):  # a file, but no gate to pass (not served)
        value.postprocess({"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}},
                          Conversion())
    with pytest.raises(FileNotAllowed):
        value.preprocess([{"path": "", "meta": {"_type": "gradio.FileData"}}], Conversion())
