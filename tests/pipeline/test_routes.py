"""Routes are declared once: a route's inputs and response come from its handler, and a mismatch fails at build time."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from pydantic import BaseModel

from server.pipeline.context import Context
from server.pipeline.inputs import Multipart
from server.pipeline.openapi import build_openapi
from server.pipeline.route import Answer, Auth, Route
from server.routes import ROUTES
from server.types import IdPath, Strict


class Thing(BaseModel):
    id: str


class ThingCreate(Strict):
    name: str


class Form(Strict):
    kind: str = "upload"


class TwoIds(Strict):
    id: str
    other_id: str


async def get_thing(ctx: Context, *, path: IdPath) -> Thing:
    return Thing(id=str(path.id))


async def create_thing(ctx: Context, *, body: ThingCreate) -> Answer[Thing]:
    return Answer(Thing(id=body.name), status=201)


async def delete_thing(ctx: Context, *, path: IdPath) -> None:
    return None


async def upload_thing(ctx: Context, *, path: IdPath, body: Multipart[Form]) -> Thing:
    return Thing(id=body.fields.kind)


async def ping(request: web.Request) -> Thing:
    return Thing(id="pong")


def route(handler: object, path: str = "/v1/things/{id}", **fields: object) -> Route:
    declared = {"method": "GET", "path": path, "handler": handler, "auth": Auth.MEMBER, "summary": "s", "tag": "t"}
    return Route(**(declared | fields))  # type: ignore[arg-type]


def test_a_routes_inputs_response_and_operation_id_come_from_its_handler() -> None:
    get = route(get_thing)
    assert (get.operation_id, get.path_params, get.query, get.body, get.response, get.status) == (
        "getThing", IdPath, None, None, Thing, 200
    )
    create = route(create_thing, "/v1/things", method="POST", status=201)
    assert (create.body, create.response, create.success_statuses) == (ThingCreate, Thing, (201,))
    delete = route(delete_thing, method="DELETE")
    assert (delete.response, delete.status) == (None, 204)
    upload = route(upload_thing, method="POST")
    assert (upload.body, upload.form, upload.in_batch) == (None, Form, False)
    assert route(ping, "/ping", auth=Auth.PUBLIC).in_batch is False


def test_a_path_template_and_the_handlers_path_model_must_agree() -> None:
    with pytest.raises(TypeError, match=r"path template names \['thing_id'\]"):
        route(get_thing, "/v1/things/{thing_id}")
    with pytest.raises(TypeError, match="path template names"):
        route(get_thing, "/v1/things/{id}/others/{other_id}")
    with pytest.raises(TypeError, match="path template names"):
        route(create_thing, "/v1/things/{id}", method="POST")


def test_a_handler_takes_only_inputs_the_pipeline_knows_keyword_only_and_typed() -> None:
    async def extra(ctx: Context, *, path: IdPath, limit: int) -> Thing: ...
    async def positional(ctx: Context, path: IdPath) -> Thing: ...
    async def untyped_body(ctx: Context, *, path: IdPath, body: dict[str, str]) -> Thing: ...
    async def wrong_first(request: Context, *, path: IdPath) -> Thing: ...
    async def no_first(*, path: IdPath) -> Thing: ...
    async def bad_return(ctx: Context, *, path: IdPath) -> dict[str, str]: ...

    for handler, message in (
        (extra, "parameter 'limit'"),
        (positional, "parameter 'path'"),
        (untyped_body, "body must be annotated with a pydantic model"),
        (wrong_first, "request must be annotated Request"),
        (no_first, "takes ctx: Context or request"),
        (bad_return, "return a pydantic model"),
    ):
        with pytest.raises(TypeError, match=re.escape(message)):
            route(handler)


def test_who_may_call_a_route_and_its_first_parameter_must_agree() -> None:
    with pytest.raises(TypeError, match="public route"):
        route(get_thing, auth=Auth.PUBLIC)
    with pytest.raises(TypeError, match="public route"):
        route(ping, "/ping", auth=Auth.MEMBER)


def test_routes_are_declared_with_keywords_and_raw_or_multipart_routes_are_never_idempotent() -> None:
    with pytest.raises(TypeError):
        Route("GET", "/v1/things/{id}", get_thing, Auth.MEMBER, "s", "t")  # type: ignore[misc]
    with pytest.raises(TypeError, match="Idempotency-Key"):
        route(upload_thing, method="POST", idempotent=True)

    async def raw(ctx: Context, *, path: IdPath) -> web.Response: ...

    with pytest.raises(TypeError, match="raw_schema"):
        route(raw)


def test_every_route_of_the_api_is_in_the_openapi_document_with_its_inputs() -> None:
    document = build_openapi(ROUTES)
    assert len(ROUTES) == len({(r.method, r.path) for r in ROUTES}) == len({r.operation_id for r in ROUTES})
    for r in ROUTES:
        operation = document["paths"][r.path][r.method.lower()]
        assert operation["operationId"] == r.operation_id
        parameters = {(p["in"], p["name"]) for p in operation.get("parameters", ())}
        for location, model in (("path", r.path_params), ("query", r.query)):
            fields = set() if model is None else set(model.model_fields)
            assert {name for where, name in parameters if where == location} == fields, r.operation_id
        if r.headers is not None:
            assert {(f.alias or n) for n, f in r.headers.model_fields.items()} <= {n for _, n in parameters}
        assert ("requestBody" in operation) == (r.body is not None or r.form is not None), r.operation_id
        assert {str(s) for s in r.success_statuses} <= set(operation["responses"]), r.operation_id
