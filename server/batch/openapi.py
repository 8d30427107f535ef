"""What /openapi.json says of a batch operation: one variant per operation a batch may hold.

BatchOperation's own model takes any method, path and JSON body; the server
then checks each operation against its route. The document says the same
thing precisely, so that a client (or a fuzzer) reading only the document
knows what a batch accepts: `oneOf` a variant per route that may be part of a
batch, each with its method, a path pattern matching that route's paths
(UUID path parameters; a query string only where the route takes one), that
route's body schema (or no body) and the headers it reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from ..pipeline.openapi import without_null
from ..pipeline.route import Route

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
EXAMPLE_ID = "0b8f2a4e-6a53-4d1e-9b36-2a8f0e1c9d11"
QUERY_PATTERN = r"(?:\?[A-Za-z0-9_.~%=&+,:-]*)?"
SCHEMA = "BatchOperation"


def describe_operations(document: dict[str, Any], routes: Sequence[Route], ref: Callable[[type[BaseModel]], Any]) -> None:
    """Replace the document's BatchOperation schema by one variant per route a batch may hold."""
    schemas = document["components"]["schemas"]
    general = schemas[SCHEMA]
    variants = [_variant(route, general, ref) for route in routes if route.in_batch]
    schemas[SCHEMA] = {"description": general.get("description", ""), "oneOf": variants}


def _variant(route: Route, general: dict[str, Any], ref: Callable[[type[BaseModel]], Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "method": {"const": route.method},
        "path": {
            "type": "string",
            "maxLength": general["properties"]["path"]["maxLength"],
            "pattern": _path_pattern(route),
            "examples": [re.sub(r"\{\w+\}", EXAMPLE_ID, route.path)],
        },
        "headers": _headers(route, general["properties"]["headers"]),
    }
    required = ["method", "path"]
    if route.body is not None:
        properties["body"] = ref(route.body)
        required.append("body")
    else:
        properties["body"] = {"type": "null", "description": "This operation takes no body."}
    return {
        "title": route.operation_id,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _path_pattern(route: Route) -> str:
    literal = re.sub(r"[.^$*+?()[\]\\|]", lambda m: "\\" + m[0], route.path)
    path = re.sub(r"\{\w+\}", UUID_PATTERN, literal)
    return f"^{path}{QUERY_PATTERN if route.query is not None else ''}$"


def _headers(route: Route, general: dict[str, Any]) -> dict[str, Any]:
    """Any headers (an operation reads only those its route declares), with the declared ones' own schemas."""
    headers: dict[str, Any] = next(variant for variant in general["anyOf"] if variant.get("type") == "object")
    if route.headers is None:
        return headers
    declared = route.headers.model_json_schema(mode="validation")["properties"]
    return {**headers, "properties": {name: without_null(schema) for name, schema in declared.items()}}
