"""/v1/agents/{id}/state: an agent's current state, written with optimistic concurrency, and its checkpoints.

The agent must be one the organization may use (else 404). The query names the
state's key (server.agent_states.models): `owner=user` is the caller's private state,
`owner=organization` the one every member shares; row level security shows a
state only to its user (or, shared, to every member) and, with a conversation,
only to those who can read the conversation. API keys act without a user, so
they reach the organization's states outside conversations only.

Every answer with a state carries `ETag: "<version>"`. PUT with If-Match
replaces the state only at that version (the database compares and increments
it in one UPDATE), so of two writers from one version exactly one wins and
the other gets 412 naming the current version: never a lost update. PUT
without If-Match creates the state; when it exists already that is 428, as
overwriting it unseen would lose whatever is in it.
"""

from __future__ import annotations

from uuid import UUID

from gen import Connection
from gen import agent_states as q
from gen import agents as agent_queries
from gen.models import AgentState, AgentStateScope, CheckpointKind

from ..conversations.handlers import visible_conversation
from ..pipeline.context import Context
from ..pipeline.pagination import Page
from ..pipeline.problems import FieldError, Problem, not_found, validation_problem
from ..pipeline.route import Answer
from ..types import IdPath
from .models import (
    AgentStateOut,
    CheckpointCreate,
    CheckpointOut,
    CheckpointPath,
    CheckpointQuery,
    IfMatch,
    StateOwner,
    StateQuery,
    StateWrite,
    etag,
)

CONSTRAINT_FIELDS = {
    "agent_states_organization_id_conversation_id_fkey": ["query", "conversation_id"],
    "agent_states_session_scope_has_conversation": ["query", "conversation_id"],
    "agent_states_agent_id_fkey": ["path", "id"],
}
IF_MATCH = ["header", "If-Match"]


async def _usable_agent(conn: Connection, agent_id: UUID) -> None:
    if await agent_queries.get_agent(conn, id=agent_id) is None:
        raise not_found("agent")


async def _find_state(ctx: Context, conn: Connection, agent_id: UUID, key: StateQuery) -> AgentState | None:
    """The state with this key, after checking the agent, the key and its conversation (404/422/403)."""
    await _usable_agent(conn, agent_id)  # first: a state of an agent the caller cannot use does not exist
    if key.scope is AgentStateScope.SESSION and key.conversation_id is None:
        raise validation_problem([FieldError(loc=["query", "conversation_id"], message="required for scope session")])
    if key.conversation_id is not None:
        await visible_conversation(conn, key.conversation_id)
    return await q.get_agent_state(
        conn,
        organization_id=ctx.org_id,
        agent_id=agent_id,
        scope=key.scope,
        user_id=_owner_id(ctx, key.owner),
        conversation_id=key.conversation_id,
    )


def _owner_id(ctx: Context, owner: StateOwner) -> UUID | None:
    """agent_states.user_id of the key: the caller's id for their own state, NULL for the organization's."""
    if owner is StateOwner.ORGANIZATION:
        return None
    user_id = ctx.principal.user_id
    if user_id is None:
        raise Problem("user_required", "an API key has no state of its own: use owner=organization")
    return user_id


def _state_answer(row: AgentState, status: int | None = None) -> Answer[AgentStateOut]:
    return Answer(AgentStateOut.from_row(row), status=status, headers={"ETag": etag(row.version)})


def _stale(current: AgentState | None, expected: int) -> Problem:
    """412: If-Match names a version the state is not at (or there is no state)."""
    if current is None:
        return Problem(
            "precondition_failed",
            f"If-Match names version {expected}, but there is no such state; PUT without If-Match creates it",
            errors=[FieldError(loc=IF_MATCH, message="there is no current version")],
        )
    return Problem(
        "precondition_failed",
        f"the state is at version {current.version}, not {expected}: read it again and retry with its ETag",
        errors=[FieldError(loc=IF_MATCH, message=f"the current version is {current.version}")],
        headers={"ETag": etag(current.version)},
    )


async def get_agent_state(ctx: Context, *, path: IdPath, query: StateQuery) -> Answer[AgentStateOut]:
    agent_id = path.id
    async with ctx.tx() as conn:
        row = await _find_state(ctx, conn, agent_id, query)
    if row is None:
        raise not_found("state")
    return _state_answer(row)


async def put_agent_state(ctx: Context, *, path: IdPath, query: StateQuery, headers: IfMatch, body: StateWrite) -> Answer[AgentStateOut]:
    agent_id = path.id
    expected = headers.version
    async with ctx.write_tx(CONSTRAINT_FIELDS) as conn:
        current = await _find_state(ctx, conn, agent_id, query)
        if expected is None:
            if current is None:
                created = await q.create_agent_state(
                    conn,
                    organization_id=ctx.org_id,
                    user_id=_owner_id(ctx, query.owner),
                    agent_id=agent_id,
                    scope=query.scope,
                    conversation_id=query.conversation_id,
                    state=body.state,
                )
                if created is not None:
                    return _state_answer(created, 201)
                current = await _find_state(ctx, conn, agent_id, query)  # created concurrently
            if current is None:
                raise Problem("conflict", "a concurrent change conflicted with this request; retry it")
            raise Problem(
                "precondition_required",
                f"the state exists (version {current.version}): send If-Match: {etag(current.version)} to replace it",
                errors=[FieldError(loc=IF_MATCH, message=f"required; the current version is {current.version}")],
                headers={"ETag": etag(current.version)},
            )
        if current is not None and current.version == expected:
            written = await q.write_agent_state(conn, state=body.state, id=current.id, expected_version=expected)
            if written is not None:
                return _state_answer(written)
            current = await _find_state(ctx, conn, agent_id, query)  # another writer won meanwhile
        raise _stale(current, expected)


async def list_state_checkpoints(ctx: Context, *, path: IdPath, query: CheckpointQuery) -> Page[CheckpointOut]:
    agent_id = path.id
    async with ctx.tx() as conn:
        state = await _find_state(ctx, conn, agent_id, query)
        if state is None:
            raise not_found("state")
        rows = await q.list_checkpoints(
            conn,
            agent_state_id=state.id,
            kind=query.kind,
            **query.window(),
        )
    return Page[CheckpointOut].of(rows, query, CheckpointOut.from_row)


async def create_state_checkpoint(ctx: Context, *, path: IdPath, query: StateQuery, body: CheckpointCreate) -> CheckpointOut:
    agent_id = path.id
    async with ctx.write_tx() as conn:
        state = await _find_state(ctx, conn, agent_id, query)
        row = None
        if state is not None:
            row = await q.create_checkpoint(
                conn,
                kind=CheckpointKind.MANUAL,
                label=body.label,
                created_by=ctx.principal.user_id,
                agent_state_id=state.id,
            )
    if row is None:
        raise not_found("state")
    return CheckpointOut.from_row(row)


async def restore_state_checkpoint(ctx: Context, *, path: CheckpointPath, headers: IfMatch) -> Answer[AgentStateOut]:
    expected = headers.version
    async with ctx.write_tx() as conn:
        await _usable_agent(conn, path.id)
        checkpoint = await q.get_checkpoint(conn, id=path.checkpoint_id)
        state = None if checkpoint is None else await q.get_agent_state_by_id(conn, id=checkpoint.agent_state_id)
        if checkpoint is None or state is None or state.agent_id != path.id:
            raise not_found("checkpoint")
        if not checkpoint.restorable:
            raise Problem("conflict", "this checkpoint is kept for the record only; it cannot be restored")
        if expected is not None and state.version != expected:
            raise _stale(state, expected)
        restored = await q.restore_checkpoint(
            conn,
            checkpoint_id=checkpoint.id,
            expected_version=expected,
            label=None,
            created_by=ctx.principal.user_id,
        )
        if restored is None:  # the state moved on, or the checkpoint went, since they were read
            current = await q.get_agent_state_by_id(conn, id=state.id)
            if expected is not None and (current is None or current.version != expected):
                raise _stale(current, expected)
            raise Problem("conflict", "a concurrent change conflicted with this restore; retry it")
    return _state_answer(restored)
