"""Reading the served OpenAPI document in tests: its operations, and checking a real request or
response against what it says (JSON Schema 2020-12 via jsonschema)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

DOC_URI = "urn:link-inspector:openapi"
METHODS = ("get", "post", "put", "patch", "delete")
_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def fetch_document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def path_of_rule(rule: str) -> str:
    """A Flask rule as an OpenAPI path: `/p/<int:prospect_id>` -> `/p/{prospect_id}`."""
    return _CONVERTER.sub(r"{\1}", rule)


def operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (path, method) the document describes."""
    return [
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    ]


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow a local `$ref` (components/responses, components/parameters...) to its object."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        # OpenAPI 3.1: a reference's own summary/description override the target's.
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def operation(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"][path][method.lower()]
    return found


def response_object(document: dict[str, Any], path: str, method: str, status: int) -> Any:
    responses = operation(document, path, method)["responses"]
    assert str(status) in responses, f"{method} {path} {status} is undocumented"
    return resolve(document, responses[str(status)])


def response_schema(document: dict[str, Any], path: str, method: str, status: int) -> Any:
    """The JSON schema the document gives for this response (a $ref into the document)."""
    return response_object(document, path, method, status)["content"]["application/json"]["schema"]


def parameters(document: dict[str, Any], path: str, method: str) -> dict[str, dict[str, Any]]:
    """The operation's parameters (its own and its path's), by name."""
    listed = document["paths"][path].get("parameters", []) + operation(document, path, method).get(
        "parameters", []
    )
    return {p["name"]: p for p in (resolve(document, p) for p in listed)}


def request_schema(document: dict[str, Any], path: str, method: str, content_type: str) -> Any:
    body = operation(document, path, method)["requestBody"]
    assert content_type in body["content"], f"{method} {path} does not document {content_type}"
    return body["content"][content_type]["schema"]


def validator(document: dict[str, Any], schema: Any) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(
        DOC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(anchored(schema), registry=registry)


def anchored(schema: Any) -> Any:
    """The schema with its local `$ref`s (`#/components/...`) pointing into the document."""
    if isinstance(schema, list):
        return [anchored(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: anchored(value) for key, value in schema.items()}
    if isinstance(out.get("$ref"), str) and out["$ref"].startswith("#"):
        out["$ref"] = DOC_URI + out["$ref"]
    return out


def validate(document: dict[str, Any], schema: Any, instance: Any) -> None:
    validator(document, schema).validate(instance)


def is_valid(document: dict[str, Any], schema: Any, instance: Any) -> bool:
    return validator(document, schema).is_valid(instance)


def check(
    document: dict[str, Any],
    response: TestResponse,
    path: str,
    method: str,
    expected_status: int,
) -> Any:
    """Assert the status, then that the JSON body is valid against the documented schema."""
    assert response.status_code == expected_status, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    validate(document, response_schema(document, path, method, response.status_code), body)
    return body


def check_no_content(
    document: dict[str, Any], response: TestResponse, path: str, method: str
) -> None:
    assert response.status_code == 204, response.data[:300]
    assert "content" not in response_object(document, path, method, 204)
    assert response.data == b""


def check_csv(
    document: dict[str, Any], response: TestResponse, path: str, method: str
) -> list[list[str]]:
    """A documented text/csv 200: its headers, and a header row equal to the example's."""
    assert response.status_code == 200, response.data[:300]
    documented = response_object(document, path, method, 200)
    assert list(documented["content"]) == [response.mimetype] == ["text/csv"]
    for name, header in documented.get("headers", {}).items():
        validate(document, header["schema"], response.headers.get(name))
    text = response.get_data(as_text=True)
    example = documented["content"]["text/csv"]["example"]
    assert text.split("\r\n", 1)[0] == example.split("\r\n", 1)[0]
    return list(csv.reader(io.StringIO(text)))
