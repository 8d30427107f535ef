"""A request's inputs, validated as its route declares them: path, query, headers, a JSON or multipart body.

Every parser answers bad input with a problem naming it: an unparsable path
parameter is 404 (no such resource can exist), a query parameter or header
422, a body 415 (media type), 413 (size), 400 (not JSON) or 422 (a field).
JSON bodies are validated strictly (no "5" for 5) and refuse NUL characters,
which PostgreSQL's text and jsonb cannot hold, naming the field.

A multipart/form-data body is streamed, never read whole: its text fields
come first (validated as the route's form model), then one binary part named
`file`, which the handler reads chunk by chunk from `Multipart.chunks()`;
past MAX_UPLOAD_BYTES that raises 413.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import orjson
from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import BadHttpMessage
from multidict import MultiMapping
from pydantic import BaseModel, ValidationError

from .problems import FieldError, Problem, from_validation_error, validation_problem

ModelT = TypeVar("ModelT", bound=BaseModel)
FormT = TypeVar("FormT", bound=BaseModel)

JSON = "application/json"
MULTIPART = "multipart/form-data"
FILE_PART = "file"  # the name of a multipart body's binary part
MAX_FIELD_BYTES = 64 * 1024  # one text field of a multipart body
CHUNK_BYTES = 64 * 1024


def parse_path(model: type[ModelT], match_info: Mapping[str, str]) -> ModelT:
    try:
        return model.model_validate(dict(match_info))
    except ValidationError:
        raise Problem("not_found", "no such resource") from None


def parse_query(model: type[ModelT], params: MultiMapping[str]) -> ModelT:
    values: dict[str, str] = {}
    errors: list[FieldError] = []
    for name, value in params.items():
        if name in values:
            errors.append(FieldError(loc=["query", name], message="given more than once"))
        elif "\x00" in value or "\x00" in name:
            errors.append(FieldError(loc=["query", name], message="NUL characters are not allowed"))
        values[name] = value
    if errors:
        raise validation_problem(errors)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise from_validation_error(exc, "query") from None


def parse_headers(model: type[ModelT], given: MultiMapping[str]) -> ModelT:
    """The request headers the model declares (its field aliases are their names), validated: 422 naming one."""
    values: dict[str, str] = {}
    errors: list[FieldError] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        found = given.getall(key, [])
        if len(found) > 1:
            errors.append(FieldError(loc=["header", key], message="given more than once"))
        elif found:
            values[key] = found[0]
    if errors:
        raise validation_problem(errors)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise from_validation_error(exc, "header") from None


async def read_json(request: web.Request, limit: int) -> bytes:
    """The raw JSON body, within the size limit (415/413 otherwise)."""
    mime = request.content_type
    if mime != JSON and not (mime.startswith("application/") and mime.endswith("+json")):
        raise Problem("unsupported_media_type", f"send the body as {JSON}, not {mime or 'no content type'}")
    if request.content_length is not None and request.content_length > limit:
        raise Problem("payload_too_large", f"the body may be at most {limit} bytes")
    return await request.read()  # raises 413 past client_max_size


async def prefetch_json(request: web.Request, limit: int) -> bool:
    """Read a JSON body read_json will accept (its content type right, its declared length within the
    limit) ahead of time; False, reading nothing, for any other (read_json answers it later)."""
    mime = request.content_type
    if mime != JSON and not (mime.startswith("application/") and mime.endswith("+json")):
        return False
    if request.content_length is None or request.content_length > limit:
        return False
    await request.read()  # kept by aiohttp: read_json gets the same bytes
    return True


def parse_json(model: type[ModelT], raw: bytes) -> ModelT:
    if not raw.strip():
        raise Problem("invalid_json", "the request body is empty; send a JSON object")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Problem("invalid_json", f"the request body is not valid JSON: {exc}") from None
    refuse_nul(data)
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise from_validation_error(exc, "body") from None


def refuse_nul(document: object) -> None:
    """422 naming every string and key of a JSON document that holds U+0000 (PostgreSQL cannot store it)."""
    found = nul_locations(document, ["body"])
    if found:
        raise validation_problem(FieldError(loc=loc, message="NUL characters (U+0000) are not allowed") for loc in found)


def nul_locations(value: object, loc: list[str | int]) -> list[list[str | int]]:
    found: list[list[str | int]] = []
    if isinstance(value, str):
        if "\x00" in value:
            found.append(loc)
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                found.append([*loc, key])
            else:
                found += nul_locations(item, [*loc, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += nul_locations(item, [*loc, index])
    return found


# --- multipart/form-data ---------------------------------------------------------------


@dataclass
class Multipart(Generic[FormT]):
    """A streamed multipart/form-data body: its form fields, validated, and its file part, read in chunks.

    A handler declares `body: Multipart[SomeForm]`; it gets this once the fields before the file part are read
    and valid. `chunks()` yields the file's bytes (at most `limit` in all: 413 past it) and, at its end,
    refuses parts after the file (422), so a handler that consumed it has had the whole, valid body.
    """

    fields: FormT
    filename: str | None
    content_type: str
    limit: int
    _part: BodyPartReader
    _reader: MultipartReader
    received: int = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        while chunk := await self._part.read_chunk(CHUNK_BYTES):
            self.received += len(chunk)
            if self.received > self.limit:
                raise Problem("payload_too_large", f"the file may be at most {self.limit} bytes")
            yield chunk
        extra = await next_part(self._reader)
        if extra is not None:
            name = extra.name if isinstance(extra, BodyPartReader) else None
            raise validation_problem(
                [FieldError(loc=["body", name or ""], message=f"send the form fields before the {FILE_PART} part")]
            )


async def read_multipart(request: web.Request, form: type[FormT], limit: int) -> Multipart[FormT]:
    """The multipart body's fields (validated as `form`) and its file part, ready to stream."""
    if request.content_type != MULTIPART:
        raise Problem("unsupported_media_type", f"send the body as {MULTIPART}, not {request.content_type or 'none'}")
    if request.content_length is not None and request.content_length > limit + MAX_FIELD_BYTES:
        raise Problem("payload_too_large", f"the file may be at most {limit} bytes")
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError) as exc:  # no or a malformed boundary
        raise Problem("validation_failed", f"the multipart body cannot be read: {exc}") from None
    values: dict[str, str] = {}
    while True:
        part = await next_part(reader)
        if part is None:
            raise validation_problem([FieldError(loc=["body", FILE_PART], message="the file part is missing")])
        if not isinstance(part, BodyPartReader):
            raise validation_problem([FieldError(loc=["body"], message="nested multipart bodies are not accepted")])
        name = part.name or ""
        if name == FILE_PART:
            break
        values[name] = await _text_field(part, name, values)
    try:
        fields = form.model_validate_strings(values, strict=True)
    except ValidationError as exc:
        raise from_validation_error(exc, "body") from None
    content_type = part.headers.get("Content-Type", "application/octet-stream")
    return Multipart(
        fields=fields, filename=part.filename, content_type=content_type, limit=limit, _part=part, _reader=reader
    )


async def next_part(reader: MultipartReader) -> object:
    """The body's next part (None at its end); 422 for a part whose headers cannot be read (control characters...)."""
    try:
        return await reader.next()
    except BadHttpMessage as exc:
        message = f"a part's headers are not valid: {exc.message}"
        raise validation_problem([FieldError(loc=["body"], message=message)]) from None


async def _text_field(part: BodyPartReader, name: str, seen: Mapping[str, str]) -> str:
    loc: list[str | int] = ["body", name]
    if part.filename is not None:
        raise validation_problem([FieldError(loc=loc, message=f"only the {FILE_PART} part may be a file")])
    if name in seen:
        raise validation_problem([FieldError(loc=loc, message="given more than once")])
    raw = bytearray()
    while chunk := await part.read_chunk(CHUNK_BYTES):
        raw += chunk
        if len(raw) > MAX_FIELD_BYTES:
            raise validation_problem([FieldError(loc=loc, message=f"at most {MAX_FIELD_BYTES} bytes")])
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise validation_problem([FieldError(loc=loc, message="not UTF-8 text")]) from None
    if "\x00" in text:
        raise validation_problem([FieldError(loc=loc, message="NUL characters (U+0000) are not allowed")])
    return text
