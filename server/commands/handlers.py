"""POST /v1/commands: seed 002's command protocol, mapped onto the REST routes' handlers.

    {"type": "collaborative_session_command", "command": "store_memory", "data": {...}}

A session is a conversation; `session_id` names one by its id or by the name
it was created with (metadata.session_id). Each command calls the handler of
the route it stands for, in-process, with typed inputs (create_session is
create_conversation with a ConversationCreate, store_memory is create_memory
with the session's conversation_id, ...), inside one shared tenant
transaction; so a command is checked and answered like its route (the same
validation, since each command's data model is its route's model, and the
same problems, their fields named under the command's `data`). `batch` runs
several commands in that transaction: all take effect or none does.

Commands are for service callers with an API key: sessions belong to a user,
so a key names the member it acts for with `on_behalf_of` (a user id or Clerk
user id of a current member of the key's organization); it then acts with a
member's rights, never an admin's. A signed-in user acts as themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, JsonValue, ValidationError

from gen import conversations as conversation_queries
from gen import memberships
from gen import memories as memory_queries
from gen.models import Conversation, ConversationStatus

from ..artifacts.handlers import create_artifact
from ..conversations.handlers import create_conversation, list_conversations, update_conversation
from ..conversations.models import ConversationOut, ConversationQuery, ConversationUpdate
from ..memories.handlers import create_memory, list_memories, search_memories
from ..memories.models import MemoryOut, MemoryQuery, MemorySearch
from ..pipeline.context import Context
from ..pipeline.problems import FieldError, Problem, from_validation_error, not_found, validation_problem
from ..tasks.handlers import create_task
from ..types import IdPath
from .models import (
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
    QueryMemoriesData,
    RetrieveMemory,
    SessionData,
    StoreConversationChunk,
    StoreMemory,
    StoreMemoryData,
)

QueryT = TypeVar("QueryT", bound=BaseModel)
Loc = list[str | int]
Run = Callable[[Context, Any, Loc], Awaitable[tuple[str, JsonValue]]]


async def run_command(ctx: Context, *, body: Command) -> CommandResult:
    command = body.root
    async with ctx.shared() as shared:
        if command.on_behalf_of is None:
            return await _dispatch(shared, command, ["body"])
        member = await _member(shared, command.on_behalf_of)
        async with shared.acting_for(member) as acting:
            return await _dispatch(acting, command, ["body"])


async def _dispatch(ctx: Context, command: Any, loc: Loc) -> CommandResult:
    name: str = command.command
    try:
        message, result = await COMMANDS[name](ctx, command, loc)
    except Problem as problem:
        if isinstance(command, BatchCommand):  # its commands named their own problems
            raise
        raise _named(problem, loc) from None
    return CommandResult(command=name, message=message, result=result)


def _named(problem: Problem, loc: Loc) -> Problem:
    """The problem of a command's handler, its fields named under the command's data (a batch's: its index)."""
    if problem.errors is None:
        problem.errors = [FieldError(loc=loc, message=problem.detail)]
        return problem
    for error in problem.errors:
        if error.loc[:1] in (["body"], ["query"], ["path"]):  # the route's input: the command's data
            error.loc = [*loc, "data", *error.loc[1:]]
        else:  # the command's own, relative to the command
            error.loc = [*loc, *error.loc]
    return problem


async def _member(ctx: Context, user_ref: str) -> UUID:
    """The member of the key's organization an API key acts for (404 naming on_behalf_of otherwise)."""
    loc: Loc = ["body", "on_behalf_of"]
    if ctx.principal.api_key_id is None:
        raise Problem(
            "forbidden", "only API keys act for another user", errors=[FieldError(loc=loc, message="leave it out")]
        )
    user_id = _uuid(user_ref)
    async with ctx.tx() as conn:
        member = await memberships.find_member(
            conn, organization_id=ctx.org_id, user_id=user_id, clerk_user_id=None if user_id else user_ref
        )
    if member is None:
        raise Problem(
            "not_found", "no such member", errors=[FieldError(loc=loc, message="not a member of the key's organization")]
        )
    return member.user_id


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


async def _session(ctx: Context, ref: str) -> Conversation:
    """The session (conversation) ref names, if the caller can see it; 404 otherwise."""
    async with ctx.tx() as conn:
        conversation_id = _uuid(ref)
        if conversation_id is not None:
            found = await conversation_queries.get_conversation(conn, id=conversation_id)
        else:
            found = await conversation_queries.find_conversation_by_session_id(
                conn, organization_id=ctx.org_id, session_id=ref, user_id=ctx.user_id
            )
    if found is None:
        raise not_found(f"session {ref!r}")
    return found


async def _in_session(ctx: Context, data: StoreMemoryData | DelegateTaskData | AddArtifactData) -> dict[str, UUID]:
    """The conversation_id of a command's data: the session it names, or its own conversation_id."""
    if data.session_id is None:
        return {}
    if data.conversation_id is not None:  # the schema says so too
        raise validation_problem(
            [FieldError(loc=["data", "conversation_id"], message="give session_id or conversation_id, not both")]
        )
    return {"conversation_id": (await _session(ctx, data.session_id)).id}


# --- the commands -----------------------------------------------------------------------


async def create_session(ctx: Context, command: CreateSession, loc: Loc) -> tuple[str, JsonValue]:
    data = command.data
    metadata = dict(data.metadata or {})
    if data.session_id is not None:
        async with ctx.tx() as conn:
            existing = await conversation_queries.find_conversation_by_session_id(
                conn, organization_id=ctx.org_id, session_id=data.session_id, user_id=ctx.user_id
            )
        if existing is not None and existing.user_id == ctx.user_id:
            raise Problem(
                "conflict",
                f"session {data.session_id!r} exists already",
                errors=[FieldError(loc=["data", "session_id"], message="a session of yours has this name")],
            )
        metadata["session_id"] = data.session_id
    session = data.model_copy(update={"title": data.title or data.session_id, "metadata": metadata or None})
    created = await create_conversation(ctx, body=session)
    return f"Session created: {data.session_id or created.id}", created.model_dump(mode="json")


def _status_change(status: ConversationStatus, verb: str) -> Run:
    async def change(ctx: Context, command: Any, loc: Loc) -> tuple[str, JsonValue]:
        data: SessionData = command.data
        session = await _session(ctx, data.session_id)
        changed = await update_conversation(ctx, path=IdPath(id=session.id), body=ConversationUpdate(status=status))
        return f"Session {verb}: {data.session_id}", changed.model_dump(mode="json")

    return change


def _query(model: type[QueryT], **values: object) -> QueryT:
    """A route's query model from a command's data (its problems name the query, as the route's would)."""
    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise from_validation_error(exc, "query") from None


async def list_sessions(ctx: Context, command: ListSessions, loc: Loc) -> tuple[str, JsonValue]:
    data = command.data
    query = _query(ConversationQuery, status=data.status, limit=data.limit, cursor=data.cursor)
    page = await list_conversations(ctx, query=query)
    return f"{len(page.items)} sessions", page.model_dump(mode="json")


async def get_session_summary(ctx: Context, command: GetSessionSummary, loc: Loc) -> tuple[str, JsonValue]:
    session = ConversationOut.from_row(await _session(ctx, command.data.session_id))
    message = (
        f"Session {command.data.session_id}: {session.status}, {session.message_count} messages, "
        f"{session.memory_count} memories, {session.task_count} tasks"
    )
    return message, session.model_dump(mode="json")


async def store_memory(ctx: Context, command: StoreMemory, loc: Loc) -> tuple[str, JsonValue]:
    data = command.data
    stored = await create_memory(ctx, body=data.model_copy(update=await _in_session(ctx, data)))
    verb = "replaced" if stored.status == 200 else "stored"
    return f"Memory {verb}: {stored.body.key}", stored.body.model_dump(mode="json")


async def retrieve_memory(ctx: Context, command: RetrieveMemory, loc: Loc) -> tuple[str, JsonValue]:
    data = command.data
    conversation_id = None if data.session_id is None else (await _session(ctx, data.session_id)).id
    async with ctx.tx() as conn:
        # store_memory's scope: organization-wide, the session's conversation (if any), no agent.
        found = await memory_queries.get_memory_by_key(
            conn, organization_id=ctx.org_id, key=data.key, user_id=None, agent_id=None,
            conversation_id=conversation_id,
        )
    if found is None:
        raise not_found(f"memory {data.key!r}")
    return f"Memory found: {data.key}", MemoryOut.from_row(found).model_dump(mode="json")


async def query_memories(ctx: Context, command: QueryMemories | ListMemories, loc: Loc) -> tuple[str, JsonValue]:
    data = command.data
    if data.query is not None:
        return await _recall_memories(ctx, data)
    query = _query(
        MemoryQuery,
        conversation_id=None if data.session_id is None else (await _session(ctx, data.session_id)).id,
        kind=data.kind,
        memory_type=data.memory_type,
        tags_all=None if data.tags is None else ",".join(data.tags),
        min_importance=data.min_importance,
        limit=data.limit,
        cursor=data.cursor,
    )
    page = await list_memories(ctx, query=query)
    return f"{len(page.items)} memories", page.model_dump(mode="json")


async def _recall_memories(ctx: Context, data: QueryMemoriesData) -> tuple[str, JsonValue]:
    if data.cursor is not None:
        raise validation_problem([FieldError(loc=["body", "cursor"], message="a text query is not paged")])
    if data.min_importance is not None:
        raise validation_problem(
            [FieldError(loc=["body", "min_importance"], message="not with a text query: importance is part of the score")]
        )
    if data.limit is not None and data.limit > 100:
        raise validation_problem([FieldError(loc=["body", "limit"], message="at most 100 with a text query")])
    conversation_id = None if data.session_id is None else (await _session(ctx, data.session_id)).id
    recalled = await search_memories(
        ctx,
        body=MemorySearch(
            query=data.query,
            conversation_id=conversation_id,
            kind=data.kind,
            memory_type=data.memory_type,
            tags_all=data.tags or None,
            limit=data.limit or 10,
        ),
    )
    return f"{len(recalled.items)} memories", recalled.model_dump(mode="json")


async def conversation_chunk(ctx: Context, command: StoreConversationChunk, loc: Loc) -> tuple[str, JsonValue]:
    data = command.data
    session = await _session(ctx, data.session_id)
    async with ctx.tx() as conn:
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


async def delegate_task(ctx: Context, command: DelegateTask, loc: Loc) -> tuple[str, JsonValue]:
    data = command.data
    task = await create_task(ctx, body=data.model_copy(update=await _in_session(ctx, data)))
    return f"Task delegated: {task.id}", task.model_dump(mode="json")


async def add_artifact(ctx: Context, command: AddArtifact, loc: Loc) -> tuple[str, JsonValue]:
    data = command.data
    artifact = await create_artifact(ctx, body=data.model_copy(update=await _in_session(ctx, data)))
    return f"Artifact added: {data.name}", artifact.model_dump(mode="json")


async def batch(ctx: Context, command: BatchCommand, loc: Loc) -> tuple[str, JsonValue]:
    results: list[JsonValue] = []
    for index, inner in enumerate(command.data.commands):
        inner_loc: Loc = [*loc, "data", "commands", index]
        if inner.on_behalf_of is not None:  # one batch, one acting user
            raise Problem(
                "forbidden",
                "the commands of a batch act for the member the batch names",
                errors=[FieldError(loc=[*inner_loc, "on_behalf_of"], message="set on_behalf_of on the batch")],
            )
        results.append((await _dispatch(ctx, inner, inner_loc)).model_dump(mode="json"))
    return f"{len(results)} commands done", results


COMMANDS: dict[str, Run] = {
    "create_session": create_session,
    "resume_session": _status_change(ConversationStatus.ACTIVE, "resumed"),
    "pause_session": _status_change(ConversationStatus.PAUSED, "paused"),
    "complete_session": _status_change(ConversationStatus.COMPLETED, "completed"),
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
