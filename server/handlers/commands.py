"""POST /v1/commands: seed 002's command protocol, mapped onto the REST routes.

    {"type": "collaborative_session_command", "command": "store_memory", "data": {...}}

A session is a conversation; `session_id` names one by its id or by the name
it was created with (metadata.session_id). Each command becomes one or more
operations of the route table (create_session is POST /v1/conversations,
store_memory is POST /v1/memories with the session's conversation_id, ...), run
by server.handlers.batch.run_operation in one shared transaction, so a command
is checked and handled exactly like the route it stands for. `batch` runs
several commands in that transaction: all take effect or none does.

Commands are for service callers with an API key: sessions belong to a user,
so a key names the member it acts for with `on_behalf_of` (a user id or Clerk
user id of a current member of the key's organization); it then acts with a
member's rights, never an admin's. A signed-in user acts as themselves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, JsonValue

from gen import conversations as conversation_queries
from gen import memberships, tenancy
from gen import memories as memory_queries
from gen.models import Conversation, MembershipRole

from ..batch_models import (
    AddArtifact,
    AddArtifactData,
    BatchCommand,
    Command,
    CommandResult,
    CreateSession,
    DelegateTask,
    DelegateTaskData,
    GetSessionSummary,
    ListMemories,
    ListSessions,
    QueryMemories,
    RetrieveMemory,
    StoreConversationChunk,
    StoreMemory,
    StoreMemoryData,
)
from ..keys import PRINCIPAL
from ..memory_models import MemoryOut
from ..problems import FieldError, Problem, not_found, validation_problem
from ..resource_models import ConversationOut
from ..routing import body
from ..tenancy import org_id, principal, shared_tenant_tx, tenant_tx
from .batch import run_operation

CommandT = TypeVar("CommandT", bound=BaseModel)
Run = Callable[[web.Request, Any, list[str | int]], Awaitable[tuple[str, JsonValue]]]


async def run_command(request: web.Request) -> CommandResult:
    command = body(request, Command).root
    async with shared_tenant_tx(request):
        if command.on_behalf_of is not None:
            await _act_for_member(request, command.on_behalf_of)
        return await _dispatch(request, command, ["body"])


async def _dispatch(request: web.Request, command: Any, loc: list[str | int]) -> CommandResult:
    name: str = command.command
    try:
        message, result = await COMMANDS[name](request, command, loc)
    except Problem as problem:
        if problem.errors is None:  # name the command that failed (a batch's: its index)
            problem.errors = [FieldError(loc=loc, message=problem.detail)]
        raise
    return CommandResult(command=name, message=message, result=result)


async def _act_for_member(request: web.Request, user_ref: str) -> None:
    caller = principal(request)
    loc: list[str | int] = ["body", "on_behalf_of"]
    if caller.api_key_id is None:
        raise Problem(
            "forbidden", "only API keys act for another user", errors=[FieldError(loc=loc, message="leave it out")]
        )
    user_id = _uuid(user_ref)
    async with tenant_tx(request) as conn:
        member = await memberships.find_member(
            conn,
            organization_id=org_id(request),
            user_id=user_id,
            clerk_user_id=None if user_id else user_ref,
        )
    if member is None:
        raise Problem(
            "not_found", "no such member", errors=[FieldError(loc=loc, message="not a member of the key's organization")]
        )
    # The shared transaction entered the tenant without a user: enter it again, as the member.
    request[PRINCIPAL] = dataclasses.replace(caller, user_id=member.user_id, role=MembershipRole.MEMBER)
    async with tenant_tx(request) as conn:
        await tenancy.enter_tenant(conn, org_id=org_id(request), user_id=member.user_id)


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


async def _session(request: web.Request, ref: str) -> Conversation:
    """The session (conversation) ref names, if the caller can see it; 404 otherwise."""
    caller = principal(request)
    async with tenant_tx(request) as conn:
        conversation_id = _uuid(ref)
        if conversation_id is not None:
            found = await conversation_queries.get_conversation(conn, id=conversation_id)
        else:
            found = await conversation_queries.find_conversation_by_session_id(
                conn, organization_id=org_id(request), session_id=ref, user_id=caller.user_id
            )
    if found is None:
        raise not_found(f"session {ref!r}")
    return found


async def _session_id(request: web.Request, ref: str | None) -> UUID | None:
    return None if ref is None else (await _session(request, ref)).id


def _query(**params: object) -> str:
    given = {k: v for k, v in params.items() if v is not None}
    if not given:
        return ""
    return "?" + urlencode({k: ",".join(v) if isinstance(v, list) else str(v) for k, v in given.items()})


def _body(model: BaseModel, *, exclude: set[str], **extra: object) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", exclude=exclude, exclude_none=True)
    return data | {k: str(v) if isinstance(v, UUID) else v for k, v in extra.items() if v is not None}


async def _create_in_session(
    request: web.Request, data: StoreMemoryData | DelegateTaskData | AddArtifactData, target: str, loc: list[str | int]
) -> tuple[int, JsonValue]:
    """POST the command's data to target, with the session (if named) as its conversation_id."""
    if data.session_id is not None and data.conversation_id is not None:  # the schema says so too
        raise validation_problem(
            [FieldError(loc=[*loc, "data", "conversation_id"], message="give session_id or conversation_id, not both")]
        )
    conversation_id = await _session_id(request, data.session_id)
    payload = _body(data, exclude={"session_id"}, conversation_id=conversation_id)
    return await run_operation(request, "POST", target, payload, {}, loc=loc)


# --- the commands -----------------------------------------------------------------------


async def create_session(request: web.Request, command: CreateSession, loc: list[str | int]) -> tuple[str, JsonValue]:
    data = command.data
    metadata = dict(data.metadata or {})
    if data.session_id is not None:
        caller = principal(request)
        async with tenant_tx(request) as conn:
            existing = await conversation_queries.find_conversation_by_session_id(
                conn, organization_id=org_id(request), session_id=data.session_id, user_id=caller.user_id
            )
        if existing is not None and existing.user_id == caller.user_id:
            raise Problem(
                "conflict",
                f"session {data.session_id!r} exists already",
                errors=[FieldError(loc=[*loc, "data", "session_id"], message="a session of yours has this name")],
            )
        metadata["session_id"] = data.session_id
    payload = _body(data, exclude={"session_id", "metadata"}, metadata=metadata or None)
    payload.setdefault("title", data.session_id)
    _, created = await run_operation(request, "POST", "/v1/conversations", payload, {}, loc=loc)
    return f"Session created: {data.session_id or _field(created, 'id')}", created


def _status_change(status: str, verb: str) -> Run:
    async def change(request: web.Request, command: Any, loc: list[str | int]) -> tuple[str, JsonValue]:
        session = await _session(request, command.data.session_id)
        _, changed = await run_operation(
            request, "PATCH", f"/v1/conversations/{session.id}", {"status": status}, {}, loc=loc
        )
        return f"Session {verb}: {command.data.session_id}", changed

    return change


async def list_sessions(request: web.Request, command: ListSessions, loc: list[str | int]) -> tuple[str, JsonValue]:
    data = command.data
    target = "/v1/conversations" + _query(status=data.status, limit=data.limit, cursor=data.cursor)
    _, page = await run_operation(request, "GET", target, None, {}, loc=loc)
    return f"{len(_field(page, 'items'))} sessions", page


async def get_session_summary(
    request: web.Request, command: GetSessionSummary, loc: list[str | int]
) -> tuple[str, JsonValue]:
    session = ConversationOut.from_row(await _session(request, command.data.session_id))
    summary = session.model_dump(mode="json")
    message = (
        f"Session {command.data.session_id}: {session.status}, {session.message_count} messages, "
        f"{session.memory_count} memories, {session.task_count} tasks"
    )
    return message, summary


async def store_memory(request: web.Request, command: StoreMemory, loc: list[str | int]) -> tuple[str, JsonValue]:
    status, stored = await _create_in_session(request, command.data, "/v1/memories", loc)
    verb = "stored" if status == 201 else "replaced"
    return f"Memory {verb}: {_field(stored, 'key')}", stored


async def retrieve_memory(request: web.Request, command: RetrieveMemory, loc: list[str | int]) -> tuple[str, JsonValue]:
    data = command.data
    conversation_id = await _session_id(request, data.session_id)
    async with tenant_tx(request) as conn:
        # store_memory's scope: organization-wide, the session's conversation (if any), no agent.
        found = await memory_queries.get_memory_by_key(
            conn, organization_id=org_id(request), key=data.key, user_id=None, agent_id=None,
            conversation_id=conversation_id,
        )
    if found is None:
        raise not_found(f"memory {data.key!r}")
    return f"Memory found: {data.key}", MemoryOut.from_row(found).model_dump(mode="json")


async def query_memories(request: web.Request, command: QueryMemories | ListMemories, loc: list[str | int]) -> tuple[str, JsonValue]:
    data = command.data
    conversation_id = await _session_id(request, data.session_id)
    target = "/v1/memories" + _query(
        conversation_id=conversation_id, kind=data.kind, memory_type=data.memory_type, tags_all=data.tags,
        min_importance=data.min_importance, limit=data.limit, cursor=data.cursor,
    )
    _, page = await run_operation(request, "GET", target, None, {}, loc=loc)
    return f"{len(_field(page, 'items'))} memories", page


async def conversation_chunk(
    request: web.Request, command: StoreConversationChunk, loc: list[str | int]
) -> tuple[str, JsonValue]:
    data = command.data
    session = await _session(request, data.session_id)
    async with tenant_tx(request) as conn:
        chunk = await conversation_queries.add_conversation_chunk(
            conn,
            conversation_id=session.id,
            chunk_index=data.chunk_number,
            content=data.content,
            token_count=data.token_count,
            metadata=data.metadata,
        )
    if chunk is None:
        raise not_found(f"session {data.session_id!r}")
    result: dict[str, JsonValue] = {
        "id": str(chunk.id),
        "conversation_id": str(chunk.conversation_id),
        "chunk_number": chunk.chunk_index,
        "length": len(chunk.content),
        "created_at": chunk.created_at.isoformat(),
    }
    return f"Chunk {chunk.chunk_index} stored in session {data.session_id}", result


async def delegate_task(request: web.Request, command: DelegateTask, loc: list[str | int]) -> tuple[str, JsonValue]:
    _, task = await _create_in_session(request, command.data, "/v1/tasks", loc)
    return f"Task delegated: {_field(task, 'id')}", task


async def add_artifact(request: web.Request, command: AddArtifact, loc: list[str | int]) -> tuple[str, JsonValue]:
    _, artifact = await _create_in_session(request, command.data, "/v1/artifacts", loc)
    return f"Artifact added: {command.data.name}", artifact


async def batch(request: web.Request, command: BatchCommand, loc: list[str | int]) -> tuple[str, JsonValue]:
    results: list[JsonValue] = []
    for index, inner in enumerate(command.data.commands):
        inner_loc: list[str | int] = [*loc, "data", "commands", index]
        if inner.on_behalf_of is not None:  # one batch, one acting user
            raise Problem(
                "forbidden",
                "the commands of a batch act for the member the batch names",
                errors=[FieldError(loc=[*inner_loc, "on_behalf_of"], message="set on_behalf_of on the batch")],
            )
        results.append((await _dispatch(request, inner, inner_loc)).model_dump(mode="json"))
    return f"{len(results)} commands done", results


def _field(result: JsonValue, name: str) -> Any:
    return result.get(name) if isinstance(result, dict) else None


COMMANDS: dict[str, Run] = {
    "create_session": create_session,
    "resume_session": _status_change("active", "resumed"),
    "pause_session": _status_change("paused", "paused"),
    "complete_session": _status_change("completed", "completed"),
    "list_sessions": list_sessions,
    "get_session_summary": get_session_summary,
    "store_memory": store_memory,
    "retrieve_memory": retrieve_memory,
    "query_memories": query_memories,
    "list_memories": query_memories,
    "conversation_chunk": conversation_chunk,
    "delegate_task": delegate_task,
    "add_artifact": add_artifact,
    "batch": batch,
}
