"""The route table's vocabulary: what a route declares, and the wrapper that enforces it.

Each entry of server.routes.ROUTES is a `Route`: method, path template, handler,
who may call it, the pydantic models of its path, query, body and response, its
success status and the problem codes it can answer with. `register` adds every
route to the aiohttp router through `endpoint`, and server.openapi describes the
same entries, so the document cannot drift from what the server does.

For every request `endpoint` runs, in order:
  1. authentication (server.auth) per `route.auth`    -> 400/401/403
  2. path parameters (an unparsable id is 404: no such resource can exist)
  3. query parameters (pydantic, extra="forbid")      -> 422
  4. JSON body (content type, size, JSON, NUL bytes, pydantic strict, extra="forbid")
                                                       -> 415/413/400/422
  5. the handler, which reads its inputs with `body()`, `query()`, `path()` (and
     `headers()`, the headers its route declares in `headers`: 422 naming one), opens
     `tenant_tx(request)` for database work and returns the response model (or
     None for 204); the wrapper serializes it with the declared status.

Routes flagged `idempotent` honour an `Idempotency-Key` header between steps 4
and 5 (server.idempotency): the handler runs in one transaction that also
stores its response, and a retry with the same key gets that response back.

`POST /v1/batch` (server.handlers.batch) runs other routes' steps 2 to 5 for each
of its operations, from `match_route` and `parse_inputs`, in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import orjson
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy, MultiMapping
from pydantic import BaseModel, ValidationError

from .auth import Principal, authenticate
from .keys import CONFIG, INPUTS, PRINCIPAL
from .problems import FieldError, Problem, from_validation_error, validation_problem

ModelT = TypeVar("ModelT", bound=BaseModel)
HandlerResult = BaseModel | web.StreamResponse | None
Handler = Callable[[web.Request], Awaitable[HandlerResult]]

JSON = "application/json"


class Auth(StrEnum):
    """Who may call a route."""

    PUBLIC = "public"  # no credentials
    ACCOUNT = "account"  # a session (active organization optional) or an API key
    MEMBER = "member"  # a session with an active organization, or an API key
    USER = "user"  # a session with an active organization (a signed-in person)
    ADMIN = "admin"  # a session whose user is an admin of its organization (per the database)

    @property
    def api_keys(self) -> bool:
        return self in (Auth.ACCOUNT, Auth.MEMBER)

    @property
    def problem_codes(self) -> tuple[str, ...]:
        if self is Auth.PUBLIC:
            return ()
        codes = ["ambiguous_credentials", "missing_credentials", "invalid_token", "expired_token"]
        codes += ["token_not_yet_valid", "user_deleted", "organization_deleted", "not_a_member"]
        codes += ["authentication_unavailable"]
        if self.api_keys:
            codes.append("unknown_api_key")
        if self is not Auth.ACCOUNT:
            codes.append("no_active_organization")
        if not self.api_keys:
            codes.append("user_required")
        if self is Auth.ADMIN:
            codes.append("admin_required")
        return tuple(codes)


@dataclass(frozen=True)
class Route:
    """One operation of the API."""

    method: str
    path: str  # OpenAPI template, e.g. /v1/api-keys/{id}
    handler: Handler
    operation_id: str
    summary: str
    tag: str
    auth: Auth
    response: type[BaseModel] | None = None  # None: 204 No Content, or a raw response (media_type)
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    path_params: type[BaseModel] | None = None
    errors: tuple[str, ...] = ()  # problem codes beyond those implied by auth and inputs
    media_type: str = JSON
    raw_schema: Mapping[str, Any] | None = None  # response schema of a raw (non-model) response
    description: str = ""
    uses_database: bool = True
    idempotent: bool = False  # honours Idempotency-Key (creating writes clients may retry)
    batchable: bool = True  # may be an operation of POST /v1/batch (JSON routes that use the database)
    headers: type[BaseModel] | None = None  # request headers the handler reads with headers() (aliases: their names)
    other_statuses: tuple[int, ...] = ()  # further success statuses with the same response (a PUT that created: 201)

    @property
    def problem_codes(self) -> tuple[str, ...]:
        """Every problem code this route can answer with."""
        codes = list(self.auth.problem_codes)
        if self.path_params is not None:
            codes.append("not_found")
        if self.query is not None:
            codes.append("validation_failed")
            if "cursor" in self.query.model_fields:
                codes.append("invalid_cursor")
        if self.body is not None:
            codes += ["unsupported_media_type", "payload_too_large", "invalid_json", "validation_failed"]
        if self.idempotent:
            codes += ["validation_failed", "idempotency_key_reused"]
        if self.headers is not None:
            codes.append("validation_failed")
        codes += self.errors
        codes.append("internal_error")
        if self.uses_database:
            codes.append("service_unavailable")
        return tuple(dict.fromkeys(codes))


@dataclass
class Inputs:
    """A request's validated inputs, as the route declared them."""

    path: BaseModel | None = None
    query: BaseModel | None = None
    body: BaseModel | None = None
    # The request's headers (a batch operation's own, for an operation of POST /v1/batch).
    headers: MultiMapping[str] = field(default_factory=lambda: CIMultiDictProxy(CIMultiDict()))
    extra: dict[str, Any] = field(default_factory=dict)


def body(request: web.Request, model: type[ModelT]) -> ModelT:
    """The validated JSON body; the route must declare body=model."""
    return _input(request[INPUTS].body, model, "body")


def query(request: web.Request, model: type[ModelT]) -> ModelT:
    """The validated query parameters; the route must declare query=model."""
    return _input(request[INPUTS].query, model, "query")


def path(request: web.Request, model: type[ModelT]) -> ModelT:
    """The validated path parameters; the route must declare path_params=model."""
    return _input(request[INPUTS].path, model, "path_params")


def headers(request: web.Request, model: type[ModelT]) -> ModelT:
    """The request headers the model declares (its field aliases are their names), validated: 422 naming one."""
    given = request[INPUTS].headers
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


def _input(value: BaseModel | None, model: type[ModelT], what: str) -> ModelT:
    if not isinstance(value, model):
        raise TypeError(f"the handler reads {model.__name__} but the route declares {what}={type(value).__name__}")
    return value


def endpoint(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler of a route: authenticate, validate, call, serialize."""
    from .idempotency import IDEMPOTENCY_KEY, respond_idempotently

    async def handle(request: web.Request) -> web.StreamResponse:
        if route.auth is not Auth.PUBLIC:
            principal = await authenticate(request, org_required=route.auth is not Auth.ACCOUNT)
            request[PRINCIPAL] = authorize(route, principal)
        raw = await _read_body(request) if route.body is not None else None
        request[INPUTS] = parse_inputs(route, request.match_info, request.query, raw, request.headers)
        if route.idempotent and IDEMPOTENCY_KEY in request.headers:
            return await respond_idempotently(request, route, raw)
        return respond(route, await route.handler(request))

    handle.__name__ = route.operation_id
    return handle


def authorize(route: Route, principal: Principal) -> Principal:
    """The principal, if the route's auth admits it; Problem 403 otherwise."""
    if principal.user_id is None and not route.auth.api_keys:
        raise Problem("user_required", "API keys cannot call this operation; it needs a signed-in user")
    if route.auth is Auth.ADMIN and not principal.is_admin:
        raise Problem("admin_required", "only admins of the organization may do this")
    return principal


def parse_inputs(
    route: Route,
    match_info: Mapping[str, str],
    query_params: MultiMapping[str],
    raw_body: bytes | None,
    headers: MultiMapping[str],
) -> Inputs:
    """Validate path parameters, query parameters and the JSON body as the route declares them."""
    inputs = Inputs(headers=headers)
    if route.path_params is not None:
        try:
            inputs.path = route.path_params.model_validate(dict(match_info))
        except ValidationError:
            raise Problem("not_found", "no such resource") from None
    if route.query is not None:
        inputs.query = _parse_query(query_params, route.query)
    if route.body is not None:
        inputs.body = _parse_body(raw_body or b"", route.body)
    return inputs


@dataclass(frozen=True)
class _Template:
    route: Route
    pattern: re.Pattern[str]


def route_matcher(routes: Sequence[Route]) -> Callable[[str, str], tuple[Route, dict[str, str]] | None]:
    """match(method, path) -> (route, path parameters), or None: the route table's own URL matching."""
    templates = [
        _Template(r, re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(r.path)) + "$"))
        for r in routes
    ]

    def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for template in templates:
            found = template.pattern.match(path)
            if found and template.route.method == method:
                return template.route, found.groupdict()
        return None

    return match


def respond(route: Route, result: HandlerResult) -> web.StreamResponse:
    """The response of a handler's result, with the route's status."""
    if isinstance(result, web.StreamResponse):
        return result
    if route.response is None:
        if result is not None:
            raise TypeError(f"{route.operation_id} declares no response body but returned {type(result).__name__}")
        return web.Response(status=route.status)
    if not isinstance(result, route.response):
        raise TypeError(f"{route.operation_id} declares {route.response.__name__} but returned {type(result).__name__}")
    return json_response(result, status=route.status)


def json_response(model: BaseModel, *, status: int = 200) -> web.Response:
    # pydantic's own serializer: it also handles asyncpg's UUID subclass, which orjson refuses.
    return web.Response(status=status, body=model.model_dump_json().encode(), content_type=JSON)


def _parse_query(params: MultiMapping[str], model: type[ModelT]) -> ModelT:
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


async def _read_body(request: web.Request) -> bytes:
    """The raw JSON body, within the size limit (415/413 otherwise)."""
    mime = request.content_type
    if mime != JSON and not (mime.startswith("application/") and mime.endswith("+json")):
        raise Problem("unsupported_media_type", f"send the body as {JSON}, not {mime or 'no content type'}")
    limit = request.app[CONFIG].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise Problem("payload_too_large", f"the body may be at most {limit} bytes")
    return await request.read()  # raises 413 past client_max_size


def _parse_body(raw: bytes, model: type[ModelT]) -> ModelT:
    if not raw.strip():
        raise Problem("invalid_json", "the request body is empty; send a JSON object")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Problem("invalid_json", f"the request body is not valid JSON: {exc}") from None
    nul = list(_nul_locations(data, ["body"]))
    if nul:
        # PostgreSQL text and jsonb cannot hold U+0000: refuse it here, naming the field.
        raise validation_problem(FieldError(loc=loc, message="NUL characters (U+0000) are not allowed") for loc in nul)
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise from_validation_error(exc, "body") from None


def _nul_locations(value: object, loc: list[str | int]) -> list[list[str | int]]:
    found: list[list[str | int]] = []
    if isinstance(value, str):
        if "\x00" in value:
            found.append(loc)
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                found.append([*loc, key])
            else:
                found += _nul_locations(item, [*loc, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nul_locations(item, [*loc, index])
    return found


def register(app: web.Application, routes: list[Route]) -> None:
    """Add every route of the table to the app's router."""
    for route in routes:
        app.router.add_route(route.method, route.path, endpoint(route), name=route.operation_id)
