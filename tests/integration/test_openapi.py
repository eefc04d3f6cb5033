"""`GET /gradio_api/openapi.json` on a real server: a valid OpenAPI 3.1 document (checked by
openapi-spec-validator) whose schemas the server's own requests and answers satisfy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema.validators import Draft202012Validator
from openapi_spec_validator import validate

import porch as gr
from tests.conftest import launched

P = "/gradio_api"


def greet(name: str, times: float = 1, loud: bool = False) -> str:
    text = " ".join([f"Hello {name}"] * int(times))
    return text.upper() if loud else text


def size_of(path: str) -> tuple[float, str]:
    return float(Path(path).stat().st_size), Path(path).name


def app() -> gr.Blocks:
    with gr.Blocks(title="spec app") as demo:
        name, times, loud = gr.Textbox(label="name"), gr.Number(value=1), gr.Checkbox()
        out = gr.Textbox(label="greeting")
        gr.Button("Greet").click(greet, [name, times, loud], out, api_name="greet",
                                 api_description="Greets someone")
        upload, size, base = gr.File(type="filepath"), gr.Number(), gr.Textbox()
        gr.Button("Size").click(size_of, upload, [size, base], api_name="size")
        gr.Label().change(lambda x: x, name, out, api_name="hidden",
                          api_visibility="undocumented")
        gr.Button("Secret").click(lambda x: x, name, out, api_name="secret",
                                  api_visibility="private")
        gr.JSON().change(lambda x: x, gr.JSON(), gr.HighlightedText(), api_name="shapes")
    return demo


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with launched(app()) as url:
        yield url


@pytest.fixture(scope="module")
def spec(url: str) -> dict[str, Any]:
    response = httpx.get(url + P + "/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document: dict[str, Any] = response.json()
    return document


def schema_at(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for `schema` that resolves the document's `#/components/...` refs."""
    return Draft202012Validator({**schema, "components": spec["components"]})


def test_the_document_is_valid_openapi_3_1(spec: dict[str, Any], url: str) -> None:
    validate(spec)  # raises on any violation of the 3.1 schema, JSON Schema 2020-12 included
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] == "spec app"
    assert spec["servers"] == [{"url": url}]


def test_one_set_of_paths_per_public_endpoint(spec: dict[str, Any]) -> None:
    paths = set(spec["paths"])
    for name in ("greet", "size", "shapes"):
        assert {f"{P}/call/{name}", f"{P}/call/{name}/{{event_id}}", f"{P}/call/v2/{name}",
                f"{P}/run/{name}"} <= paths
    assert f"{P}/upload" in paths
    # Neither undocumented nor private endpoints are described.
    assert not [p for p in paths if "hidden" in p or "secret" in p]
    greet_call = spec["paths"][f"{P}/call/greet"]["post"]
    assert greet_call["summary"] == "Greets someone"
    assert {"400", "404", "422"} <= set(greet_call["responses"])


def test_the_request_body_is_a_typed_tuple(spec: dict[str, Any]) -> None:
    inputs = spec["components"]["schemas"]["greet_inputs"]
    assert inputs["items"] is False and inputs["maxItems"] == 3
    assert [item["title"] for item in inputs["prefixItems"]] == ["name", "times", "loud"]
    assert [item["type"] for item in inputs["prefixItems"]] == ["string", "number", "boolean"]
    body = spec["paths"][f"{P}/call/greet"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    check = schema_at(spec, body)
    assert check.is_valid({"data": ["Ada", 2, True]})
    assert not check.is_valid({"data": ["Ada", "two", True]})
    assert not check.is_valid({"data": ["Ada", 2, True, "extra"]})
    assert not check.is_valid({"name": "Ada"})
    # The file parameter refers to the shared FileData schema.
    size_inputs = spec["components"]["schemas"]["size_inputs"]["prefixItems"]
    assert size_inputs[0]["allOf"] == [{"$ref": "#/components/schemas/FileData"}]
    assert "meta" in spec["components"]["schemas"]["FileData"]["properties"]
    # An endpoint taking a file says how to send one; the others do not.
    assert "/gradio_api/upload" in spec["paths"][f"{P}/call/size"]["post"]["description"]
    assert "upload" not in spec["paths"][f"{P}/call/greet"]["post"]["description"]


def test_real_answers_match_the_documented_schemas(spec: dict[str, Any], url: str,
                                                   tmp_path: Path) -> None:
    run = spec["paths"][f"{P}/run/greet"]["post"]
    ok = run["responses"]["200"]["content"]["application/json"]["schema"]
    answer = httpx.post(url + P + "/run/greet", json={"data": ["Ada", 2, False]})
    assert answer.status_code == 200
    schema_at(spec, ok).validate(answer.json())
    assert answer.json()["data"] == ["Hello Ada Hello Ada"]

    # Upload, then call with the path the upload answered: the documented two steps.
    upload = spec["paths"][f"{P}/upload"]["post"]
    paths_schema = upload["responses"]["200"]["content"]["application/json"]["schema"]
    (tmp_path / "note.txt").write_text("twelve bytes")
    with (tmp_path / "note.txt").open("rb") as handle:
        stored = httpx.post(url + P + "/upload", files=[("files", ("note.txt", handle))])
    schema_at(spec, paths_schema).validate(stored.json())
    file_data = {"path": stored.json()[0], "meta": {"_type": "gradio.FileData"}}
    body = {"data": [file_data]}
    call = spec["paths"][f"{P}/call/size"]["post"]
    schema_at(spec, call["requestBody"]["content"]["application/json"]["schema"]).validate(body)
    posted = httpx.post(url + P + "/call/size", json=body)
    schema_at(spec, {"$ref": "#/components/schemas/EventId"}).validate(posted.json())
    with httpx.stream("GET", f"{url}{P}/call/size/{posted.json()['event_id']}") as stream:
        text = "".join(stream.iter_text())
    assert "event: complete" in text
    frame = text.strip().split("\n\n")[-1]
    outputs = json.loads(frame.split("data: ", 1)[1])
    schema_at(spec, {"$ref": "#/components/schemas/size_outputs"}).validate(outputs)
    assert outputs == [12, "note.txt"]


def test_errors_answer_the_documented_error_shape(spec: dict[str, Any], url: str) -> None:
    error = {"$ref": "#/components/schemas/Error"}
    missing = httpx.post(url + P + "/call/nope", json={"data": []})
    assert missing.status_code == 404
    schema_at(spec, error).validate(missing.json())
    unnamed = httpx.post(url + P + "/call/v2/greet", json={"nobody": 1})
    assert unnamed.status_code == 422
    schema_at(spec, {"$ref": "#/components/schemas/ValidationError"}).validate(unnamed.json())


def test_a_login_app_guards_the_document_and_names_its_cookie() -> None:
    with launched(app(), auth=("ada", "lovelace")) as url:
        anonymous = httpx.get(url + P + "/openapi.json")
        assert anonymous.status_code == 401
        session = httpx.post(url + "/login", data={"username": "ada", "password": "lovelace"})
        document = httpx.get(url + P + "/openapi.json", cookies=session.cookies).json()
    validate(document)
    scheme = document["components"]["securitySchemes"]["session"]
    assert scheme["in"] == "cookie" and scheme["name"] in session.cookies
    assert document["security"] == [{"session": []}]
    assert "401" in document["paths"][f"{P}/call/greet"]["post"]["responses"]
