"""Every error is application/problem+json with a stable code; bad input is a 4xx naming the field."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from support import Client, ClientFactory, TokenFactory, bearer, problem

from server.app import create_app
from server.config import Config
from server.pipeline.pagination import CURSOR_PATTERN, Position


def locs(body: dict[str, Any]) -> list[list[Any]]:
    return [e["loc"] for e in body["errors"]]


async def post_key(client: Client, token: TokenFactory, data: bytes | str, content_type: str = "application/json") -> Any:
    headers = {**bearer(token()), "Content-Type": content_type}
    return await client.post("/v1/api-keys", data=data, headers=headers)


async def test_invalid_json_is_400(client: Client, token: TokenFactory) -> None:
    await problem(await post_key(client, token, '{"name": "x",'), 400, "invalid_json")
    await problem(await post_key(client, token, ""), 400, "invalid_json")
    await problem(await post_key(client, token, '{"name": NaN}'), 400, "invalid_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
async def test_a_wrong_content_type_is_415(client: Client, token: TokenFactory, content_type: str) -> None:
    await problem(await post_key(client, token, '{"name": "x"}', content_type), 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ('{"name": 5}', ["body", "name"]),
        ('{"name": ""}', ["body", "name"]),
        ('{"name": "x", "scopes": "commands"}', ["body", "scopes"]),
        ('{"name": "x", "scopes": ["Not A Scope"]}', ["body", "scopes", 0]),
        ("{}", ["body", "name"]),
        ('["name"]', ["body"]),
        ('{"name": "x", "owner": "me"}', ["body", "owner"]),  # unknown fields are refused
    ],
)
async def test_invalid_fields_are_422_naming_them(client: Client, token: TokenFactory, payload: str, loc: list[Any]) -> None:
    body = await problem(await post_key(client, token, payload), 422, "validation_failed")
    assert loc in locs(body)


async def test_nul_characters_are_422_before_the_database(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    body = await problem(await post_key(client, token, '{"name": "a\\u0000b"}'), 422, "validation_failed")
    assert locs(body) == [["body", "name"]]
    body = await problem(await post_key(client, token, '{"name": "x", "scopes": ["ok", "a\\u0000"]}'), 422, "validation_failed")
    assert locs(body) == [["body", "scopes", 1]]
    body = await problem(await post_key(client, token, '{"name": "x", "k\\u0000": 1}'), 422, "validation_failed")
    assert locs(body) == [["body", "k\x00"]]
    resp = await client.get("/v1/api-keys?cursor=a%00b", headers=bearer(token()))
    assert locs(await problem(resp, 422, "validation_failed")) == [["query", "cursor"]]
    assert await db.fetchval("SELECT count(*) FROM api_keys") == 0


async def test_an_oversize_body_is_413(config: Config, aiohttp_client: ClientFactory, token: TokenFactory) -> None:
    client = await aiohttp_client(create_app(replace(config, max_body_bytes=1024)))
    big = '{"name": "' + "x" * 2000 + '"}'
    await problem(await post_key(client, token, big), 413, "payload_too_large")

    async def chunks() -> Any:  # no Content-Length: the limit applies while reading
        for _ in range(4):
            yield b"x" * 512

    resp = await client.post("/v1/api-keys", data=chunks(), headers={**bearer(token()), "Content-Type": "application/json"})
    await problem(resp, 413, "payload_too_large")


@pytest.mark.parametrize("key_id", ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g"])
async def test_a_malformed_id_in_the_path_is_404(client: Client, token: TokenFactory, key_id: str) -> None:
    await problem(await client.delete(f"/v1/api-keys/{key_id}", headers=bearer(token())), 404, "not_found")


async def test_an_unknown_id_is_404(client: Client, token: TokenFactory) -> None:
    resp = await client.delete("/v1/api-keys/00000000-0000-4000-8000-000000000000", headers=bearer(token()))
    await problem(resp, 404, "not_found")


@pytest.mark.parametrize(
    "cursor",
    [
        "bm90LWEtY3Vyc29y",  # base64url of "not-a-cursor"
        "MXwyMDI2LTExLTAxVDAwOjAwOjAwKzAwOjAwfHh4eA",  # "1|2026-11-01T00:00:00+00:00|xxx"
        "A",
        "has space",
        "1764651234567890_0B8F2A4E6A534D1E9B362A8F0E1C9D11",  # upper-case hex
    ],
)
async def test_a_forged_cursor_is_400_naming_it(client: Client, token: TokenFactory, cursor: str) -> None:
    body = await problem(await client.get(f"/v1/api-keys?cursor={cursor}", headers=bearer(token())), 400, "invalid_cursor")
    assert locs(body) == [["query", "cursor"]]


def test_a_cursor_round_trips() -> None:
    from datetime import UTC, datetime
    from uuid import uuid4

    position = Position(datetime(2026, 11, 1, 12, 0, 0, 123456, tzinfo=UTC), uuid4())
    assert Position.decode(position.encode()) == position
    assert re.fullmatch(CURSOR_PATTERN, position.encode())


def test_every_string_the_cursor_pattern_admits_is_a_position() -> None:
    for cursor in ("0_" + "0" * 32, "9" * 17 + "_" + "f" * 32, "1764651234567890_0b8f2a4e6a534d1e9b362a8f0e1c9d11"):
        assert Position.decode(cursor).encode() == cursor


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("limit=0", ["query", "limit"]),
        ("limit=201", ["query", "limit"]),
        ("limit=abc", ["query", "limit"]),
        ("limit=1&limit=2", ["query", "limit"]),
        ("colour=blue", ["query", "colour"]),
    ],
)
async def test_invalid_query_parameters_are_422(client: Client, token: TokenFactory, query: str, loc: list[Any]) -> None:
    body = await problem(await client.get(f"/v1/api-keys?{query}", headers=bearer(token())), 422, "validation_failed")
    assert loc in locs(body)


async def test_an_unknown_route_is_a_404_problem(client: Client) -> None:
    await problem(await client.get("/v1/nothing-here"), 404, "not_found")


async def test_a_wrong_method_is_a_405_problem_with_allow(client: Client) -> None:
    resp = await client.put("/v1/api-keys")
    await problem(resp, 405, "method_not_allowed")
    assert set(resp.headers["Allow"].split(",")) == {"GET", "POST"}


async def test_a_database_error_is_a_generic_500_and_logged(
    config: Config, aiohttp_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(config)

    async def boom(request: web.Request) -> web.Response:
        raise asyncpg.UndefinedColumnError('column "secret_sauce" does not exist in SELECT secret_sauce FROM api_keys')

    async def crash(request: web.Request) -> web.Response:
        raise RuntimeError("internal detail")

    app.router.add_get("/boom", boom)
    app.router.add_get("/crash", crash)
    client = await aiohttp_client(app)
    with caplog.at_level(logging.ERROR, logger="server"):
        body = await problem(await client.get("/boom"), 500, "internal_error")
        assert "secret_sauce" not in str(body) and "SELECT" not in str(body)
        body = await problem(await client.get("/crash"), 500, "internal_error")
        assert "internal detail" not in str(body)
    assert "secret_sauce" in caplog.text and "internal detail" in caplog.text


async def test_a_unique_violation_is_409(config: Config, aiohttp_client: ClientFactory) -> None:
    app = create_app(config)

    async def dup(request: web.Request) -> web.Response:
        raise asyncpg.UniqueViolationError("duplicate key value violates unique constraint")

    app.router.add_get("/dup", dup)
    client = await aiohttp_client(app)
    await problem(await client.get("/dup"), 409, "conflict")
