"""What a route declares, and the endpoint wrapper that enforces it.

A route is declared with keyword arguments (method, path, handler, who may call
it, summary, tag, and what it answers beyond its inputs); its inputs and its
response are read from the handler's own signature, once, when the route is
built:

    async def create_memory(ctx: Context, *, body: MemoryCreate) -> Answer[MemoryOut]: ...
    async def get_agent(ctx: Context, *, path: IdPath) -> AgentOut: ...
    async def readyz(request: web.Request) -> Readiness: ...

- the first parameter is `ctx: Context` (the authenticated caller) or, for
  public routes, `request: web.Request`; a handler that needs the raw request
  besides its context takes a keyword-only `request` too;
- keyword-only `path`, `query` and `headers` take pydantic models, `body` a
  pydantic model (a JSON body) or `Multipart[Form]` (a streamed
  multipart/form-data body);
- the return annotation is the response model, `Answer[Model]` (the model with
  a status or headers of its own), `None` (204 No Content) or a
  `web.StreamResponse` (a raw response: `media_type` and `raw_schema` describe it).

A route whose path template and path model disagree, whose handler takes a
parameter the pipeline does not know, or whose auth and first parameter do not
match, fails when it is built (at import, so at start-up and in every test).
server.pipeline.openapi describes the same routes, so the document cannot drift
from what the server does.

For every request `endpoint` runs, in order:
  1. authentication (server.pipeline.auth) per `route.auth`         -> 400/401/403
  2. path parameters (an unparsable id is 404: no such resource can exist)
  3. query parameters (pydantic, extra="forbid")                   -> 422
  4. the body (content type, size, JSON, NUL bytes, pydantic strict) -> 415/413/400/422
  5. the headers the handler declares                              -> 422
  6. the handler; its result serialized with the route's status.
Routes flagged `idempotent` honour an `Idempotency-Key` header between steps 5
and 6 (server.pipeline.idempotency).
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, Generic, TypeVar

from aiohttp import web
from multidict import MultiMapping
from pydantic import BaseModel, JsonValue

from ..config import CONFIG
from .auth import Principal, authenticate
from .context import Context
from .idempotency import IDEMPOTENCY_KEY, request_hash, respond_idempotently
from .inputs import (
    JSON,
    Multipart,
    parse_headers,
    parse_json,
    parse_path,
    parse_query,
    prefetch_json,
    read_json,
    read_multipart,
)
from .problems import Problem
from .serialize import dump_json

ModelT = TypeVar("ModelT", bound=BaseModel)
Handler = Callable[..., Awaitable[Any]]
# Refines the OpenAPI document where a route's models cannot say enough alone:
# (document, every route, model -> its schema reference) -> None, changing the document in place.
Refine = Callable[[dict[str, Any], Sequence["Route"], Callable[[type[BaseModel]], Any]], None]


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


@dataclass(frozen=True, slots=True)
class Answer(Generic[ModelT]):
    """A response model with a status or headers of its own (a PUT that created: 201; an ETag)."""

    body: ModelT
    status: int | None = None  # None: the route's status
    headers: Mapping[str, str] = field(default_factory=dict)

    NO_HEADERS: ClassVar[Mapping[str, str]] = MappingProxyType({})


@dataclass(frozen=True, kw_only=True)
class Route:
    """One operation of the API. Its inputs and response come from its handler's signature."""

    method: str
    path: str  # OpenAPI template, e.g. /v1/api-keys/{id}
    handler: Handler
    auth: Auth
    summary: str
    tag: str
    description: str = ""
    status: int | None = None  # default: 204 for a handler returning None, else 200
    other_statuses: tuple[int, ...] = ()  # further success statuses with the same response (a PUT that created: 201)
    errors: tuple[str, ...] = ()  # problem codes beyond those implied by auth and inputs
    idempotent: bool = False  # honours Idempotency-Key (creating writes clients may retry)
    batchable: bool = True  # may be an operation of POST /v1/batch (JSON routes of tenants only)
    uses_database: bool = True
    media_type: str = JSON
    raw_schema: Mapping[str, Any] | None = None  # the schema of a raw (web.StreamResponse) response
    response_headers: Mapping[str, str] = field(default_factory=dict)  # name -> description, for the document
    refine_openapi: Refine | None = None

    # Read from the handler's signature:
    operation_id: str = field(init=False)
    path_params: type[BaseModel] | None = field(init=False)
    query: type[BaseModel] | None = field(init=False)
    headers: type[BaseModel] | None = field(init=False)
    body: type[BaseModel] | None = field(init=False)  # a JSON body
    form: type[BaseModel] | None = field(init=False)  # the fields of a multipart/form-data body
    response: type[BaseModel] | None = field(init=False)  # None: no body (204) or a raw response
    raw: bool = field(init=False)  # the handler answers a web.StreamResponse of its own
    takes_request: bool = field(init=False)  # the handler reads the raw request

    def __post_init__(self) -> None:
        where = f"{self.method} {self.path} ({self.handler.__qualname__})"
        params = _handler_inputs(self.handler, where)
        first = params.pop("", None)
        if (first == "request") != (self.auth is Auth.PUBLIC):
            raise TypeError(f"{where}: a public route's handler takes request first, any other ctx: Context")
        response, raw = _handler_response(self.handler, where)
        body = params.get("body")
        form = _form_model(body)
        derived = {
            "operation_id": _camel(self.handler.__name__),
            "path_params": params.get("path"),
            "query": params.get("query"),
            "headers": params.get("headers"),
            "body": None if form is not None else body,
            "form": form,
            "response": response,
            "raw": raw,
            "takes_request": first == "request" or "request" in params,
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)
        if self.status is None:
            object.__setattr__(self, "status", 204 if response is None and not raw else 200)
        _check_path(self.path, self.path_params, where)
        if raw and self.raw_schema is None and self.media_type == JSON:
            raise TypeError(f"{where}: a raw response needs raw_schema (and its media_type)")
        if self.idempotent and (form is not None or raw):
            raise TypeError(f"{where}: only JSON routes can honour Idempotency-Key")

    @property
    def in_batch(self) -> bool:
        """May be an operation of POST /v1/batch: a tenant's JSON route that reads nothing but its inputs."""
        return self.batchable and self.auth is not Auth.PUBLIC and not self.takes_request and not self.raw and (
            self.form is None
        )

    @property
    def success_statuses(self) -> tuple[int, ...]:
        assert self.status is not None
        return (self.status, *self.other_statuses)

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
        if self.form is not None:
            codes += ["unsupported_media_type", "payload_too_large", "validation_failed"]
        if self.idempotent:
            codes += ["validation_failed", "idempotency_key_reused"]
        if self.headers is not None:
            codes.append("validation_failed")
        codes += self.errors
        codes.append("internal_error")
        if self.uses_database:
            codes.append("service_unavailable")
        return tuple(dict.fromkeys(codes))

    def parse(
        self, *, match_info: Mapping[str, str], query: MultiMapping[str], body: bytes | None, headers: MultiMapping[str]
    ) -> dict[str, Any]:
        """The handler's keyword arguments from a request's parts (a multipart body is read by the endpoint)."""
        inputs: dict[str, Any] = {}
        if self.path_params is not None:
            inputs["path"] = parse_path(self.path_params, match_info)
        if self.query is not None:
            inputs["query"] = parse_query(self.query, query)
        if self.body is not None:
            inputs["body"] = parse_json(self.body, body or b"")
        if self.headers is not None:
            inputs["headers"] = parse_headers(self.headers, headers)
        return inputs

    def respond(self, result: Any) -> web.StreamResponse:
        """The HTTP response of a handler's result."""
        if self.raw:
            if not isinstance(result, web.StreamResponse):
                raise TypeError(f"{self.operation_id} declares a raw response but returned {type(result).__name__}")
            return result
        status, model, headers = self._unpack(result)
        if model is None:
            return web.Response(status=status, headers=headers)
        response = json_response(model, status=status)
        response.headers.update(headers)
        return response

    def json_result(self, result: Any) -> tuple[int, JsonValue]:
        """A handler's result as its status and JSON document (an operation of a batch)."""
        status, model, _ = self._unpack(result)
        return status, None if model is None else model.model_dump(mode="json")

    def _unpack(self, result: Any) -> tuple[int, BaseModel | None, Mapping[str, str]]:
        status, headers = self.status, Answer.NO_HEADERS
        if isinstance(result, Answer):
            status, headers, result = result.status or status, result.headers, result.body
        assert status is not None
        if status not in self.success_statuses:
            raise TypeError(f"{self.operation_id} answered {status}, which its route does not declare")
        if self.response is None:
            if result is not None:
                raise TypeError(f"{self.operation_id} declares no response body but returned {type(result).__name__}")
            return status, None, headers
        if not isinstance(result, self.response):
            raise TypeError(f"{self.operation_id} declares {self.response.__name__}, returned {type(result).__name__}")
        return status, result, headers


def json_response(model: BaseModel, *, status: int = 200) -> web.Response:
    # orjson straight from the fields where that writes what pydantic would (server.pipeline.serialize).
    return web.Response(status=status, body=dump_json(model), content_type=JSON)


def authorize(route: Route, principal: Principal) -> Principal:
    """The principal, if the route's auth admits it; Problem 403 otherwise."""
    if principal.user_id is None and not route.auth.api_keys:
        raise Problem("user_required", "API keys cannot call this operation; it needs a signed-in user")
    if route.auth is Auth.ADMIN and not principal.is_admin:
        raise Problem("admin_required", "only admins of the organization may do this")
    return principal


def endpoint(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler of a route: authenticate, validate, call, serialize."""

    # A handler that streams a body or a response, or reads the raw request, may do slow I/O before its
    # transaction: it opens its own. Any other gets the transaction its authentication opened.
    open_tenant = route.form is None and not route.raw and not route.takes_request
    org_required = route.auth is not Auth.ACCOUNT

    async def handle(request: web.Request) -> web.StreamResponse:
        if route.auth is Auth.PUBLIC:
            return await answer(request, request)
        # A body is read before the tenant transaction opens (a slow client never holds a connection),
        # and only when reading it cannot fail: what it would fail with comes after authentication.
        eager = open_tenant and (route.body is None or await prefetch_json(request, request.app[CONFIG].max_body_bytes))
        principal, opened = await authenticate(request, org_required=org_required, open_tenant=eager)
        if opened is None:
            return await answer(request, Context(request.app, authorize(route, principal)))
        try:
            return await answer(request, Context(request.app, authorize(route, principal), opened=opened))
        finally:
            await opened.close()

    async def answer(request: web.Request, first: Context | web.Request) -> web.StreamResponse:
        config = request.app[CONFIG]
        raw = await read_json(request, config.max_body_bytes) if route.body is not None else None
        inputs = route.parse(match_info=request.match_info, query=request.query, body=raw, headers=request.headers)
        if route.form is not None:
            inputs["body"] = await read_multipart(request, route.form, config.max_upload_bytes)
        if route.takes_request and isinstance(first, Context):
            inputs["request"] = request
        key = request.headers.get(IDEMPOTENCY_KEY) if route.idempotent else None
        if key is not None and isinstance(first, Context):

            async def run(shared: Context) -> web.StreamResponse:
                return route.respond(await route.handler(shared, **inputs))

            digest = request_hash(request.method, request.path_qs, raw or b"")
            return await respond_idempotently(first, key=key, operation_id=route.operation_id, digest=digest, run=run)
        return route.respond(await route.handler(first, **inputs))

    handle.__name__ = route.operation_id
    return handle


def register(app: web.Application, routes: Sequence[Route]) -> None:
    """Add every route of the table to the app's router."""
    templates = {route.path for route in routes}
    for route in routes:
        app.router.add_route(route.method, _router_path(route.path, templates), endpoint(route), name=route.operation_id)


def _router_path(template: str, templates: set[str]) -> str:
    """The template for aiohttp, each parameter refusing the literal segments of sibling paths
    (/v1/memories/{id} does not take "search" of /v1/memories/search), so that a path is one resource and a
    405's Allow names that resource's methods only."""
    segments = template.split("/")
    for index, segment in enumerate(segments):
        if not (segment.startswith("{") and segment.endswith("}")):
            continue
        literals = sorted(
            other[index]
            for other in (t.split("/") for t in templates)
            if len(other) == len(segments)
            and other[:index] == segments[:index]
            and other[index + 1 :] == segments[index + 1 :]
            and not other[index].startswith("{")
        )
        if literals:
            refused = "|".join(re.escape(literal) for literal in literals)
            segments[index] = "{" + segment[1:-1] + ":(?!(?:" + refused + ")$)[^/]+}"
    return "/".join(segments)


Match = Callable[[str, str], tuple[Route, dict[str, str]] | None]
# The route table's matcher: (method, path) -> (route, path parameters) (POST /v1/batch uses it).
ROUTE_MATCH: web.AppKey[Match] = web.AppKey("route_match")


def route_matcher(routes: Sequence[Route]) -> Match:
    """match(method, path) -> (route, path parameters), or None: the route table's own URL matching."""
    templates = [(route, re.compile(path_regex(route.path))) for route in routes]

    def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route, pattern in templates:
            found = pattern.match(path)
            if found and route.method == method:
                return route, found.groupdict()
        return None

    return match


def path_regex(template: str, parameter: str = r"[^/]+") -> str:
    """A regular expression matching a path template's paths, its parameters as named groups."""
    return "^" + re.sub(r"\\\{(\w+)\\\}", rf"(?P<\1>{parameter})", re.escape(template)) + "$"


# --- reading a handler's signature ------------------------------------------------------

_FIRST = ("ctx", "request")
_KEYWORDS = ("path", "query", "headers", "body", "request")


def _handler_inputs(handler: Handler, where: str) -> dict[str, Any]:
    """{"": "ctx" | "request", "path": Model, ...} from the handler's parameters and their annotations."""
    hints = typing.get_type_hints(handler)
    found: dict[str, Any] = {}
    for index, (name, parameter) in enumerate(inspect.signature(handler).parameters.items()):
        hint = hints.get(name)
        if index == 0 and name in _FIRST and parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            expected: type = Context if name == "ctx" else web.Request
            if hint is not expected:
                raise TypeError(f"{where}: {name} must be annotated {expected.__name__}")
            found[""] = name
            continue
        if name not in _KEYWORDS or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(
                f"{where}: parameter {name!r}: a handler takes ctx or request first, then keyword-only "
                f"{', '.join(_KEYWORDS)}"
            )
        if name == "request":
            if hint is not web.Request:
                raise TypeError(f"{where}: request must be annotated web.Request")
            found[name] = web.Request
        elif name == "body" and _form_model(hint) is not None:
            found[name] = hint
        elif inspect.isclass(hint) and issubclass(hint, BaseModel):
            found[name] = hint
        else:
            raise TypeError(f"{where}: {name} must be annotated with a pydantic model, not {hint!r}")
    if "" not in found:
        raise TypeError(f"{where}: a handler takes ctx: Context or request: web.Request first")
    return found


def _handler_response(handler: Handler, where: str) -> tuple[type[BaseModel] | None, bool]:
    """(response model or None, raw) from the handler's return annotation."""
    hint = typing.get_type_hints(handler).get("return", inspect.Signature.empty)
    if hint is type(None):
        return None, False
    if inspect.isclass(hint) and issubclass(hint, web.StreamResponse):
        return None, True
    if typing.get_origin(hint) is Answer:
        (hint,) = typing.get_args(hint)
    if inspect.isclass(hint) and issubclass(hint, BaseModel):
        return hint, False
    raise TypeError(f"{where}: return a pydantic model, Answer[Model], None or a web.StreamResponse, not {hint!r}")


def _form_model(hint: Any) -> type[BaseModel] | None:
    """The form model of a Multipart[Form] annotation; None for anything else."""
    if typing.get_origin(hint) is Multipart:
        (form,) = typing.get_args(hint)
        return typing.cast(type[BaseModel], form)
    return None


def _check_path(template: str, model: type[BaseModel] | None, where: str) -> None:
    names = set(re.findall(r"\{(\w+)\}", template))
    declared = set() if model is None else set(model.model_fields)
    if names != declared:
        raise TypeError(f"{where}: the path template names {sorted(names)}, the handler's path model {sorted(declared)}")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)
