"""The OpenAPI 3.1 document, generated from the route table and its pydantic models.

Every operation lists its security (bearer JWT, X-API-Key, or none), its path
and query parameters, its request body, its success response and every problem
status it can return (derived from the route: auth, inputs, declared codes),
each problem status with one example per code. Pydantic's JSON Schemas are
JSON Schema 2020-12, which OpenAPI 3.1 uses as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from .idempotency import HEADER_DESCRIPTION, IDEMPOTENCY_KEY, KEY_PATTERN
from .inputs import FILE_PART, MULTIPART
from .problems import CODES, PROBLEM_JSON, TYPE_BASE, ProblemDocument
from .route import Auth, Route

REF = "#/components/schemas/{model}"

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Clerk session token (RS256). The organization is the session's active organization.",
    },
    "apiKeyAuth": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An organization's service key (created with POST /v1/api-keys; acts without a user).",
    },
}

DESCRIPTION = """\
The REST API of the AJ Copilot data platform. Every request of a tenant runs in a
PostgreSQL transaction as that tenant, under row level security.

Errors are `application/problem+json` (RFC 9457) with a stable `code`. Lists are
paginated with `limit` and an opaque `cursor` (the previous page's `next_cursor`).
Resources of another organization answer 404.
"""


IDEMPOTENCY_PARAMETER = {
    "name": IDEMPOTENCY_KEY,
    "in": "header",
    "required": False,
    "description": HEADER_DESCRIPTION,
    # No example: a client (or a fuzzer) copying one key into every request would be told 409, rightly.
    "schema": {"type": "string", "pattern": f"^{KEY_PATTERN.pattern}$"},
}


def build_openapi(routes: Sequence[Route], *, title: str = "AJ Copilot data platform", version: str = "0.1.0") -> dict[str, Any]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ProblemDocument, "serialization")]
    for route in routes:
        if route.body is not None:
            wanted.append((route.body, "validation"))
        if route.response is not None:
            wanted.append((route.response, "serialization"))
    refs, defs = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    problem_ref = refs[(ProblemDocument, "serialization")]

    paths: dict[str, dict[str, Any]] = defaultdict(dict)
    for route in routes:
        operation: dict[str, Any] = {
            "operationId": route.operation_id,
            "summary": route.summary,
            "tags": [route.tag],
            "security": _security(route.auth),
        }
        if route.description:
            operation["description"] = route.description
        parameters = _parameters(route.path_params, "path", schemas) + _parameters(route.query, "query", schemas)
        parameters += _parameters(route.headers, "header", schemas)
        if route.idempotent:
            parameters.append(IDEMPOTENCY_PARAMETER)
        if parameters:
            operation["parameters"] = parameters
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(route.body, "validation")]}},
            }
        if route.form is not None:
            operation["requestBody"] = _multipart(route.form, schemas)
        responses: dict[str, Any] = {str(status): _success(route, refs) for status in route.success_statuses}
        links = _links(route, routes)
        if links:
            responses[str(route.status)]["links"] = links
        by_status: dict[int, list[str]] = defaultdict(list)
        for code in route.problem_codes:
            by_status[CODES[code][0]].append(code)
        for status, codes in sorted(by_status.items()):
            responses[str(status)] = _problem_response(status, codes, problem_ref)
        operation["responses"] = responses
        paths[route.path][route.method.lower()] = operation

    document = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": DESCRIPTION},
        "paths": dict(paths),
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }
    for route in routes:
        if route.refine_openapi is not None:
            route.refine_openapi(document, routes, lambda model: refs[(model, "validation")])
    return document


def _links(route: Route, routes: Sequence[Route]) -> dict[str, Any]:
    """What a creating operation's response leads to: the operations on the resource it created.

    A 201 answering model X leads to the operations under the path of the GET that answers X by id (get,
    change, delete, and the resource's own sub-resources addressed by that id), with the new id as {id}.
    """
    if route.status != 201 or route.response is None or "id" not in route.response.model_fields:
        return {}
    reads = [r.path for r in routes if r.method == "GET" and r.response is route.response and _ids(r) == {"id"}]
    if not reads:
        return {}
    (read,) = reads
    return {
        target.operation_id: {
            "operationId": target.operation_id,
            "parameters": {"id": "$response.body#/id"},
            "description": f"{target.summary}, of the one just created",
        }
        for target in routes
        if (target.path == read or target.path.startswith(read + "/")) and _ids(target) == {"id"}
    }


def _ids(route: Route) -> set[str]:
    return set() if route.path_params is None else set(route.path_params.model_fields)


def _security(auth: Auth) -> list[dict[str, list[str]]]:
    if auth is Auth.PUBLIC:
        return []
    if auth.api_keys:
        return [{"bearerAuth": []}, {"apiKeyAuth": []}]
    return [{"bearerAuth": []}]


def _success(route: Route, refs: Mapping[tuple[Any, JsonSchemaMode], dict[str, Any]]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": route.summary}
    if route.response is not None:
        success["content"] = {route.media_type: {"schema": refs[(route.response, "serialization")]}}
    elif route.raw_schema is not None:
        success["content"] = {route.media_type: {"schema": dict(route.raw_schema)}}
    if route.response_headers:
        success["headers"] = {
            name: {"description": text, "schema": {"type": "string"}} for name, text in route.response_headers.items()
        }
    return success


def _parameters(model: type[BaseModel] | None, location: str, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF, mode="validation")
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = without_null(prop)
        parameter: dict[str, Any] = {"name": name, "in": location, "required": location == "path" or name in required}
        if "description" in prop:
            parameter["description"] = prop["description"]
        parameter["schema"] = prop
        parameters.append(parameter)
    return parameters


def _multipart(form: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    """A streamed multipart/form-data body: the form's fields as text parts, then the binary file part."""
    schema = form.model_json_schema(ref_template=REF, mode="validation")
    schemas.update(schema.pop("$defs", {}))
    properties = {name: without_null(prop) for name, prop in schema.get("properties", {}).items()}
    properties[FILE_PART] = {"type": "string", "format": "binary", "description": "The file's bytes (sent last)."}
    return {
        "required": True,
        "content": {
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "properties": properties,
                    "required": [*schema.get("required", ()), FILE_PART],
                    "additionalProperties": False,
                },
                "encoding": {FILE_PART: {"contentType": "application/octet-stream"}},
            }
        },
    }


def without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional parameter is absent, never null: drop the null branch (and a null default)."""
    variants = schema.get("anyOf")
    if not variants:
        return schema
    rest = [v for v in variants if v.get("type") != "null"]
    if len(rest) != 1:
        return schema
    merged = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
    merged.update(rest[0])
    return merged


def _problem_response(status: int, codes: list[str], problem_ref: dict[str, Any]) -> dict[str, Any]:
    examples = {
        code: {
            "summary": CODES[code][1],
            "value": {
                "type": TYPE_BASE + code,
                "title": CODES[code][1],
                "status": status,
                "detail": CODES[code][1],
                "code": code,
            },
        }
        for code in codes
    }
    response: dict[str, Any] = {
        "description": "; ".join(f"{code}: {CODES[code][1]}" for code in codes),
        "content": {PROBLEM_JSON: {"schema": problem_ref, "examples": examples}},
    }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"description": "The Bearer scheme and the error.", "schema": {"type": "string"}}
        }
    return response
