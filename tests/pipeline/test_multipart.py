"""Streamed multipart/form-data bodies: fields validated first, the file read in chunks, limits and errors as problems."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Literal

import aiohttp
import pytest
from support import Client, ClientFactory, TokenFactory, bearer, problem

from server.app import create_app
from server.config import Config
from server.pipeline.context import Context
from server.pipeline.inputs import CHUNK_BYTES, Multipart
from server.pipeline.openapi import build_openapi
from server.pipeline.route import Auth, Route
from server.types import IdPath, Label, Strict


class UploadForm(Strict):
    kind: Literal["upload", "attachment"] = "upload"
    label: Label | None = None


class Received(Strict):
    conversation_id: str
    kind: str
    label: str | None
    filename: str | None
    content_type: str
    size: int
    sha256: str
    chunks: int


async def receive_file(ctx: Context, *, path: IdPath, body: Multipart[UploadForm]) -> Received:
    digest, size, chunks = hashlib.sha256(), 0, 0
    async for chunk in body.chunks():
        digest.update(chunk)
        size += len(chunk)
        chunks += 1
    return Received(
        conversation_id=str(path.id),
        kind=body.fields.kind,
        label=body.fields.label,
        filename=body.filename,
        content_type=body.content_type,
        size=size,
        sha256=digest.hexdigest(),
        chunks=chunks,
    )


UPLOAD = Route(
    method="POST",
    path="/v1/conversations/{id}/files",
    handler=receive_file,
    auth=Auth.USER,
    summary="Upload a file",
    tag="files",
    uses_database=False,
)
LIMIT = 1024 * 1024
URL = "/v1/conversations/0b8f2a4e-6a53-4d1e-9b36-2a8f0e1c9d11/files"


@pytest.fixture
async def uploads(config: Config, aiohttp_client: ClientFactory) -> Client:
    """An app serving only the upload route, with a 1 MiB upload limit."""
    return await aiohttp_client(create_app(dataclasses.replace(config, max_upload_bytes=LIMIT), routes=[UPLOAD]))


def form(data: bytes, *, name: str = "report.pdf", fields: dict[str, str] | None = None, last: bool = True) -> aiohttp.FormData:
    body = aiohttp.FormData()
    if not last:
        body.add_field("file", data, filename=name, content_type="application/pdf")
    for key, value in (fields or {}).items():
        body.add_field(key, value)
    if last:
        body.add_field("file", data, filename=name, content_type="application/pdf")
    return body


async def test_a_file_streams_to_the_handler_in_chunks_with_its_validated_fields(
    uploads: Client, token: TokenFactory
) -> None:
    data = bytes(range(256)) * 3000  # 768,000 bytes
    resp = await uploads.post(URL, data=form(data, fields={"kind": "attachment", "label": "Q3"}), headers=bearer(token()))
    assert resp.status == 200, await resp.text()
    got = await resp.json()
    assert got["sha256"] == hashlib.sha256(data).hexdigest() and got["size"] == len(data)
    assert (got["kind"], got["label"], got["filename"], got["content_type"]) == (
        "attachment", "Q3", "report.pdf", "application/pdf"
    )
    assert got["chunks"] >= len(data) // CHUNK_BYTES  # never read whole


async def test_an_upload_past_the_limit_is_413(uploads: Client, token: TokenFactory) -> None:
    resp = await uploads.post(URL, data=form(b"x" * (LIMIT + 1)), headers=bearer(token()))
    await problem(resp, 413, "payload_too_large")


async def test_a_body_that_is_not_multipart_is_415(uploads: Client, token: TokenFactory) -> None:
    resp = await uploads.post(URL, json={"file": "x"}, headers=bearer(token()))
    await problem(resp, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (form(b"x", fields={"kind": "sideways"}), ["body", "kind"]),
        (form(b"x", fields={"color": "red"}), ["body", "color"]),
        (form(b"x", fields={"label": " "}), ["body", "label"]),
        (form(b"x", fields={"label": "a\x00b"}), ["body", "label"]),
        (form(b"x", fields={"kind": "upload"}, last=False), ["body", "kind"]),
    ],
    ids=["bad-value", "unknown-field", "blank", "nul", "field-after-file"],
)
async def test_bad_form_fields_are_422_naming_the_field(
    uploads: Client, token: TokenFactory, body: aiohttp.FormData, loc: list[str]
) -> None:
    found = await problem(await uploads.post(URL, data=body, headers=bearer(token())), 422, "validation_failed")
    assert loc in [e["loc"] for e in found["errors"]], found


async def test_a_form_without_its_file_part_is_422_naming_it(uploads: Client, token: TokenFactory) -> None:
    body = aiohttp.FormData()
    body.add_field("kind", "upload")
    body.add_field("other", b"data", filename="x.bin")
    found = await problem(await uploads.post(URL, data=body, headers=bearer(token())), 422, "validation_failed")
    assert found["errors"][0]["loc"] == ["body", "other"]
    only_fields = aiohttp.FormData({"kind": "upload"}, default_to_multipart=True)
    found = await problem(await uploads.post(URL, data=only_fields, headers=bearer(token())), 422, "validation_failed")
    assert found["errors"][0]["loc"] == ["body", "file"]


async def test_the_upload_is_authenticated_before_its_body_is_read(uploads: Client) -> None:
    await problem(await uploads.post(URL, data=form(b"x")), 401, "missing_credentials")


def test_openapi_describes_a_multipart_body_as_a_binary_part_and_form_fields() -> None:
    operation = build_openapi([UPLOAD])["paths"]["/v1/conversations/{id}/files"]["post"]
    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    schema = content["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary", "description": "The file's bytes (sent last)."}
    assert schema["properties"]["kind"]["enum"] == ["upload", "attachment"]
    assert schema["required"] == ["file"] and schema["additionalProperties"] is False
    assert {"413", "415", "422"} <= set(operation["responses"])
