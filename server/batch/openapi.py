"""What /openapi.json says of a batch operation: one variant per operation a batch may hold.

BatchOperation's own model takes any method, path and JSON body; the server
then checks each operation against its route. The document says the same
thing precisely, so that a client (or a fuzzer) reading only the document
knows what a batch accepts: `oneOf` a variant per route that may be part of a
batch, each with its method, a path pattern matching that route's paths
(UUID path parameters; a query string of the route's own parameters, each at
most once, in a fixed order, with values the route accepts), that route's body
schema (or no body) and the headers it reads. A query parameter whose values a
URL pattern cannot describe (free text, such as the memory tag filters) is left
out of the pattern: a batch can still send it, the document just does not say so.
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
MAX_ENUMERATED = 1000  # integer ranges up to this size are spelled out as alternatives
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
    path = re.sub(r"\\\{\w+\\\}", UUID_PATTERN, _literal(route.path))  # the escaped {name}s
    return f"^{path}{'' if route.query is None else _query_pattern(route.query)}$"


def _query_pattern(model: type[BaseModel]) -> str:
    """An optional query string: each parameter whose values a pattern can describe, at most once, in order."""
    schema = model.model_json_schema(mode="validation")
    defs = schema.get("$defs", {})
    parts = []
    for name, prop in schema["properties"].items():
        value = _value_pattern(prop, defs)
        if value is not None:
            parts.append(f"{_literal(name)}={value}")
    if not parts:
        return ""
    first, *rest = parts
    return "(?:\\?(?:" + first + ")?" + "".join(f"(?:&{part})?" for part in rest) + ")?"


def _value_pattern(prop: dict[str, Any], defs: dict[str, Any]) -> str | None:
    """The values of one query parameter as a URL-safe pattern; None when no such pattern says it."""
    prop = without_null(prop)
    if "$ref" in prop:
        prop = {**defs[prop["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in prop.items() if k != "$ref"}}
    if "enum" in prop:
        return "(?:" + "|".join(_literal(str(value)) for value in prop["enum"]) + ")"
    kind = prop.get("type")
    if kind == "boolean":
        return "(?:true|false)"
    if prop.get("format") == "uuid":
        return UUID_PATTERN
    if kind == "integer" and {"minimum", "maximum"} <= prop.keys():
        low, high = int(prop["minimum"]), int(prop["maximum"])
        if 0 <= low <= high and high - low < MAX_ENUMERATED:
            return "(?:" + "|".join(str(number) for number in range(high, low - 1, -1)) + ")"
    pattern = str(prop.get("pattern", ""))
    if kind == "string" and pattern and "[^" not in pattern and " " not in pattern:  # no free text
        return pattern.removeprefix("^").removesuffix("$")
    return None


def _literal(text: str) -> str:
    return re.sub(r"[.^$*+?()[\]{}\\|]", lambda m: "\\" + m[0], text)


def _headers(route: Route, general: dict[str, Any]) -> dict[str, Any]:
    """Any headers (an operation reads only those its route declares), with the declared ones' own schemas."""
    headers: dict[str, Any] = next(variant for variant in general["anyOf"] if variant.get("type") == "object")
    if route.headers is None:
        return headers
    declared = route.headers.model_json_schema(mode="validation")["properties"]
    return {**headers, "properties": {name: without_null(schema) for name, schema in declared.items()}}
