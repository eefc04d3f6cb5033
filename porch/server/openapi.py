"""The app's HTTP API as an OpenAPI 3.1 document (`GET /gradio_api/openapi.json`).

Built from the same description as `/info` (porch/blocks/api_description.py), so the two can
never disagree: one operation per public endpoint and call style (the two-step `call/<name>`
POST + event stream GET, `call/v2/<name>` with named parameters, and the direct `run/<name>`),
the upload route, and the JSON errors every route answers with. A request body's `data` is a
JSON Schema tuple (`prefixItems`) of the parameters' schemas, in order.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from porch.protocol import API_PREFIX, FILE_DATA_TYPE
from porch.version import __version__

OPENAPI_VERSION = "3.1.0"
_REF_IN_DEFS = "#/$defs/"
_SCHEMAS = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _SCHEMAS + name}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


# Answers any route may give: what a client should expect besides success.
_COMMON_ERRORS = {
    "400": _error_response("The request is malformed (not JSON, wrong shape)."),
    "403": _error_response("Refused: a cross-site request, a session another client owns, or "
                           "an event only the app's own page may run."),
    "404": _error_response("No such endpoint or event."),
    "413": _error_response("The request body is too large."),
    "422": {"description": "The inputs are invalid (a missing field, or the event's "
                           "validator refused them).",
            "content": {"application/json": {"schema": _ref("ValidationError")}}},
    "429": _error_response("Too many new sessions from this client; try again later."),
}
_UNAUTHENTICATED = {
    "description": "Not logged in: the app (or this endpoint) needs a login.",
    "content": {"application/json": {"schema": {"anyOf": [_ref("AuthError"), _ref("Error")]}}},
}


def _base_schemas() -> dict[str, Any]:
    detail = {"description": "What went wrong, for a person to read.",
              "anyOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}]}
    return {
        "Error": {"type": "object", "properties": {"detail": detail}, "required": ["detail"]},
        "AuthError": {
            "type": "object", "required": ["detail"],
            "properties": {"detail": {"type": "object", "properties": {
                "error": {"type": "string", "examples": ["Not authenticated"]},
                "auth_message": {"type": ["string", "null"]}}}}},
        "ValidationError": {
            "type": "object", "required": ["detail"],
            "properties": {"detail": {"anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "object"}}]}}},
        "EventId": {"type": "object", "required": ["event_id"],
                    "properties": {"event_id": {"type": "string"}}},
        "EventError": {
            "type": "object",
            "description": "A failed run: the function raised (its message only with "
                           "show_error=True, or for a porch.Error).",
            "properties": {"error": {"type": ["string", "null"]},
                           "duration": {"type": ["number", "null"]},
                           "title": {"type": ["string", "null"]},
                           "visible": {"type": "boolean"}},
            "required": ["error"]},
    }


_TYPES = {"null", "boolean", "object", "array", "number", "string", "integer"}


def _valid(schema: Any) -> Any:
    """`schema` as JSON Schema 2020-12 allows it: `/info` says "any value" as `"type": {}`
    (Gradio's spelling, which gradio_client reads), which a validator refuses."""
    if isinstance(schema, list):
        return [_valid(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _valid(v) for k, v in schema.items()}
    kind = out.get("type")
    if kind is not None and not (kind in _TYPES if isinstance(kind, str) else
                                 isinstance(kind, list) and kind and set(kind) <= _TYPES):
        del out["type"]
    return out


class _Schemas:
    """`components.schemas` as it fills: named object schemas (FileData, ImageData...) are
    kept once and referenced, and `$defs` inside a component's schema move there too (their
    `#/$defs/X` refs would otherwise point at the document's root)."""

    def __init__(self) -> None:
        self.named = _base_schemas()

    def _add(self, name: str, schema: dict[str, Any]) -> str:
        base = re.sub(r"[^A-Za-z0-9_.\-]", "_", name) or "Schema"
        candidate, n = base, 1
        while candidate in self.named and self.named[candidate] != schema:
            n += 1
            candidate = f"{base}_{n}"
        self.named[candidate] = schema
        return candidate

    def _moved(self, schema: Any, renames: dict[str, str]) -> Any:
        if isinstance(schema, dict):
            out = {k: self._moved(v, renames) for k, v in schema.items()}
            ref = out.get("$ref")
            if isinstance(ref, str) and ref.startswith(_REF_IN_DEFS):
                out["$ref"] = _SCHEMAS + renames.get(ref[len(_REF_IN_DEFS):], "")
            return out
        if isinstance(schema, list):
            return [self._moved(v, renames) for v in schema]
        return schema

    def of(self, described: dict[str, Any]) -> dict[str, Any]:
        """The schema for one parameter or return of `/info`."""
        schema = _valid(copy.deepcopy(described.get("type") or {}))
        if not isinstance(schema, dict):
            return {}
        defs = schema.pop("$defs", None) or {}
        renames = {name: name for name in defs}
        for name, sub in defs.items():
            renames[name] = self._add(name, self._moved(sub, renames))
        schema = dict(self._moved(schema, renames))
        if described.get("python_type", {}).get("type") == "filepath" and \
                schema.get("type") == "object":
            # A file: one shared, named schema (the component's own name for it if it has one).
            title = str(schema.get("title") or "FileData")
            return _ref(self._add(title, schema))
        return schema


def _parameter_schema(schemas: _Schemas, param: dict[str, Any], index: int) -> dict[str, Any]:
    schema = schemas.of(param)
    extra: dict[str, Any] = {"title": param.get("parameter_name") or f"param_{index}"}
    if param.get("component"):
        extra["description"] = f"{param['component']} input"
    if param.get("parameter_has_default"):
        extra["default"] = param.get("parameter_default")
    if param.get("example_input") is not None:
        extra["examples"] = [param["example_input"]]
    if "$ref" in schema:  # 3.1: siblings of $ref are allowed, but keep the ref itself clean
        return {"allOf": [schema], **extra}
    return {**schema, **extra}


def _tuple(items: list[dict[str, Any]], required: int) -> dict[str, Any]:
    return {"type": "array", "prefixItems": items, "items": False,
            "minItems": required, "maxItems": len(items)}


def _operations(name: str, endpoint: dict[str, Any], schemas: _Schemas,
                needs_login: bool) -> dict[str, Any]:
    op_id = re.sub(r"[^A-Za-z0-9_]", "_", name.strip("/")) or "endpoint"
    params = endpoint.get("parameters", [])
    items = [_parameter_schema(schemas, p, k) for k, p in enumerate(params)]
    outputs = [{**schemas.of(r), "title": r.get("label") or f"value_{k}"}
               for k, r in enumerate(endpoint.get("returns", []))]
    outputs = [{"allOf": [o], "title": o.pop("title")} if "$ref" in o else o
               for o in outputs]
    schemas.named[f"{op_id}_outputs"] = _tuple(outputs, len(outputs))
    schemas.named[f"{op_id}_inputs"] = _tuple(items, len(items))
    has_files = any(FILE_DATA_TYPE in json.dumps(p.get("type")) for p in params)
    summary = endpoint.get("description") or f"The {name} endpoint"
    description = summary + (
        ". File inputs: upload each file with POST /gradio_api/upload and pass "
        '{"path": <the answered path>, "meta": {"_type": "gradio.FileData"}}.'
        if has_files else "")
    session = {"type": "string", "description": "Optional: run in this session (its "
               "State); one is made for the call otherwise."}
    # (A client's own `oauth_token` is read only by queue/join, the page's protocol.)
    extra_props: dict[str, Any] = {"session_hash": session}
    positional = {"type": "object", "required": ["data"], "properties": {
        "data": _ref(f"{op_id}_inputs"), **extra_props}}
    named_props: dict[str, Any] = {item["title"]: item for item in items}
    named_body = {"type": "object", "properties": {**named_props, **extra_props},
                  "required": [p.get("parameter_name") for p in params
                               if not p.get("parameter_has_default")]}
    errors = dict(_COMMON_ERRORS)
    if endpoint.get("requires_login"):
        needs_login = True
        summary += " (needs a login)"
    if needs_login:
        errors["401"] = _UNAUTHENTICATED
    joined = {"200": {"description": "Queued: read the result from the event stream.",
                      "content": {"application/json": {"schema": _ref("EventId")}}},
              "503": _error_response("The queue is full."), **errors}
    stream_text = (
        "Server-sent events: `event: generating` (a generator's output so far), then "
        f"`event: complete` whose data is the outputs (schema {op_id}_outputs), or "
        "`event: error` whose data is an EventError (or null); `event: heartbeat` meanwhile.")
    tag = [name]
    return {
        f"{API_PREFIX}/call{name}": {"post": {
            "operationId": f"{op_id}_call", "summary": summary, "description": description
            + " Step 1 of 2: answers an event id; GET the same path + /{event_id} next.",
            "tags": tag, "requestBody": {"required": True, "content": {
                "application/json": {"schema": positional}}},
            "responses": joined}},
        f"{API_PREFIX}/call{name}/{{event_id}}": {"get": {
            "operationId": f"{op_id}_result", "summary": f"The result of a {name} call",
            "description": stream_text, "tags": tag,
            "parameters": [{"name": "event_id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": stream_text, "content": {
                "text/event-stream": {"schema": {"type": "string"}}}}, **errors}}},
        f"{API_PREFIX}/call/v2{name}": {"post": {
            "operationId": f"{op_id}_call_named", "summary": summary + " (named parameters)",
            "description": description + " As call/, with parameters by name; defaults "
            "fill the ones left out.", "tags": tag,
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": named_body}}},
            "responses": joined}},
        f"{API_PREFIX}/run{name}": {"post": {
            "operationId": f"{op_id}_run", "summary": summary + " (one request)",
            "description": description + " Runs at once, outside the queue, and answers "
            "the outputs (a generator's first).", "tags": tag,
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": positional}}},
            "responses": {
                "200": {"description": "The outputs.", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["data"], "properties": {
                        "data": _ref(f"{op_id}_outputs"),
                        "is_generating": {"type": "boolean"},
                        "duration": {"type": ["number", "null"]},
                        "average_duration": {"type": ["number", "null"]}}}}}},
                "500": {"description": "The function failed.", "content": {
                    "application/json": {"schema": _ref("EventError")}}},
                **errors}}},
    }


def _fixed_paths(needs_login: bool) -> dict[str, Any]:
    errors = {"401": _UNAUTHENTICATED} if needs_login else {}
    return {
        f"{API_PREFIX}/upload": {"post": {
            "operationId": "upload", "summary": "Upload files for file inputs",
            "description": "Each `files` part is stored; the answer lists one path per file, "
                           "in order, to send as a FileData's `path`.",
            "tags": ["files"],
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                "schema": {"type": "object", "required": ["files"], "properties": {
                    "files": {"type": "array", "items": {
                        "type": "string", "contentMediaType": "application/octet-stream"}}}}}}},
            "responses": {
                "200": {"description": "The stored files' paths.", "content": {
                    "application/json": {"schema": {"type": "array",
                                                    "items": {"type": "string"}}}}},
                "400": _error_response("Not a multipart body, or a bad upload id."),
                "413": _error_response("A file exceeds the app's max_file_size."),
                "415": _error_response("Compressed bodies are refused."),
                **errors}}},
        f"{API_PREFIX}/info": {"get": {
            "operationId": "info", "summary": "The endpoints, as gradio_client reads them",
            "tags": ["discovery"],
            "responses": {"200": {"description": "Named endpoints and their parameters.",
                                  "content": {"application/json": {
                                      "schema": {"type": "object"}}}}, **errors}}},
    }


def openapi_document(info: dict[str, Any], *, title: str, server_url: str,
                     login_required: bool, session_cookie: str | None = None,
                     signin_cookie: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document for `info` (what `/info` answers for public endpoints).

    `session_cookie`: the password login's cookie; `signin_cookie`: a LoginButton sign-in's.
    With `login_required` every operation needs one; otherwise only those of endpoints with
    requires_login=True."""
    schemas = _Schemas()
    paths = _fixed_paths(login_required)
    schemes: dict[str, Any] = {}
    if session_cookie:
        schemes["session"] = {"type": "apiKey", "in": "cookie", "name": session_cookie,
                              "description": "POST /login (form: username, password) sets it."}
    if signin_cookie:
        schemes["signin"] = {"type": "apiKey", "in": "cookie", "name": signin_cookie,
                             "description": "Signing in with the app's LoginButton "
                                            "(GET /login/oidc, in a browser) sets it."}
    for name, endpoint in info.get("named_endpoints", {}).items():
        if endpoint.get("api_visibility", "public") != "public":
            continue
        operations = _operations(name, endpoint, schemas, login_required)
        if endpoint.get("requires_login") and schemes and not login_required:
            for item in operations.values():
                for operation in item.values():
                    operation["security"] = [{scheme: []} for scheme in schemes]
        paths.update(operations)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title or "porch app", "version": __version__,
                 "description": "The app's HTTP API. Python clients: porch.Client or "
                                "gradio_client; any HTTP client works too."},
        "servers": [{"url": server_url.rstrip("/") or "/"}],
        "paths": paths,
        "components": {"schemas": schemas.named},
    }
    if schemes:
        document["components"]["securitySchemes"] = schemes
        if login_required and "session" in schemes:
            document["security"] = [{"session": []}]
    return document
