"""/v1/agents/{id}/state: an agent's current state, written with optimistic concurrency, and its checkpoints.

The agent must be one the organization may use (else 404). The query names the
state's key (server.state_models): `owner=user` is the caller's private state,
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

from aiohttp import web

from gen import Connection
from gen import agent_states as q
from gen import agents as agent_queries
from gen.models import AgentState, AgentStateScope, CheckpointKind

from ..models import IdPath
from ..pagination import Page
from ..problems import FieldError, Problem, not_found, validation_problem
from ..routing import body, headers, json_response, path, query
from ..state_models import (
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
from ..tenancy import principal, tenant_tx
from .common import write_tx
from .conversations import visible_conversation

CONSTRAINT_FIELDS = {
    "agent_states_organization_id_conversation_id_fkey": ["query", "conversation_id"],
    "agent_states_session_scope_has_conversation": ["query", "conversation_id"],
    "agent_states_agent_id_fkey": ["path", "id"],
}
IF_MATCH = ["header", "If-Match"]


async def _usable_agent(conn: Connection, agent_id: UUID) -> None:
    if await agent_queries.get_agent(conn, id=agent_id) is None:
        raise not_found("agent")


async def _find_state(request: web.Request, conn: Connection, agent_id: UUID, key: StateQuery) -> AgentState | None:
    """The state with this key, after checking the agent, the key and its conversation (404/422/403)."""
    await _usable_agent(conn, agent_id)  # first: a state of an agent the caller cannot use does not exist
    if key.scope is AgentStateScope.SESSION and key.conversation_id is None:
        raise validation_problem([FieldError(loc=["query", "conversation_id"], message="required for scope session")])
    if key.conversation_id is not None:
        await visible_conversation(conn, key.conversation_id)
    caller = principal(request)
    assert caller.organization_id is not None  # tenant_tx checked it
    return await q.get_agent_state(
        conn,
        organization_id=caller.organization_id,
        agent_id=agent_id,
        scope=key.scope,
        user_id=_owner_id(request, key.owner),
        conversation_id=key.conversation_id,
    )


def _owner_id(request: web.Request, owner: StateOwner) -> UUID | None:
    """agent_states.user_id of the key: the caller's id for their own state, NULL for the organization's."""
    if owner is StateOwner.ORGANIZATION:
        return None
    user_id = principal(request).user_id
    if user_id is None:
        raise Problem("user_required", "an API key has no state of its own: use owner=organization")
    return user_id


def _state_response(row: AgentState, status: int = 200) -> web.Response:
    response = json_response(AgentStateOut.from_row(row), status=status)
    response.headers["ETag"] = etag(row.version)
    return response


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


async def get_state(request: web.Request) -> web.Response:
    agent_id = path(request, IdPath).id
    key = query(request, StateQuery)
    async with tenant_tx(request) as conn:
        row = await _find_state(request, conn, agent_id, key)
    if row is None:
        raise not_found("state")
    return _state_response(row)


async def put_state(request: web.Request) -> web.Response:
    agent_id = path(request, IdPath).id
    key = query(request, StateQuery)
    expected = headers(request, IfMatch).version
    new = body(request, StateWrite)
    caller = principal(request)
    assert caller.organization_id is not None
    async with write_tx(request, CONSTRAINT_FIELDS) as conn:
        current = await _find_state(request, conn, agent_id, key)
        if expected is None:
            if current is None:
                created = await q.create_agent_state(
                    conn,
                    organization_id=caller.organization_id,
                    user_id=_owner_id(request, key.owner),
                    agent_id=agent_id,
                    scope=key.scope,
                    conversation_id=key.conversation_id,
                    state=new.state,
                )
                if created is not None:
                    return _state_response(created, 201)
                current = await _find_state(request, conn, agent_id, key)  # created concurrently
            if current is None:
                raise Problem("conflict", "a concurrent change conflicted with this request; retry it")
            raise Problem(
                "precondition_required",
                f"the state exists (version {current.version}): send If-Match: {etag(current.version)} to replace it",
                errors=[FieldError(loc=IF_MATCH, message=f"required; the current version is {current.version}")],
                headers={"ETag": etag(current.version)},
            )
        if current is not None and current.version == expected:
            written = await q.write_agent_state(conn, state=new.state, id=current.id, expected_version=expected)
            if written is not None:
                return _state_response(written)
            current = await _find_state(request, conn, agent_id, key)  # another writer won meanwhile
        raise _stale(current, expected)


async def list_checkpoints(request: web.Request) -> Page[CheckpointOut]:
    agent_id = path(request, IdPath).id
    page = query(request, CheckpointQuery)
    after = page.position()
    async with tenant_tx(request) as conn:
        state = await _find_state(request, conn, agent_id, page)
        if state is None:
            raise not_found("state")
        rows = await q.list_checkpoints(
            conn,
            agent_state_id=state.id,
            kind=page.kind,
            cursor_created_at=None if after is None else after.created_at,
            cursor_id=None if after is None else after.id,
            limit=page.fetch_size,
        )
    return Page[CheckpointOut].build(rows, page, CheckpointOut.from_row)


async def create_checkpoint(request: web.Request) -> CheckpointOut:
    agent_id = path(request, IdPath).id
    key = query(request, StateQuery)
    new = body(request, CheckpointCreate)
    async with write_tx(request) as conn:
        state = await _find_state(request, conn, agent_id, key)
        row = None
        if state is not None:
            row = await q.create_checkpoint(
                conn,
                kind=CheckpointKind.MANUAL,
                label=new.label,
                created_by=principal(request).user_id,
                agent_state_id=state.id,
            )
    if row is None:
        raise not_found("state")
    return CheckpointOut.from_row(row)


async def restore_checkpoint(request: web.Request) -> web.Response:
    target = path(request, CheckpointPath)
    expected = headers(request, IfMatch).version
    async with write_tx(request) as conn:
        await _usable_agent(conn, target.id)
        checkpoint = await q.get_checkpoint(conn, id=target.checkpoint_id)
        state = None if checkpoint is None else await q.get_agent_state_by_id(conn, id=checkpoint.agent_state_id)
        if checkpoint is None or state is None or state.agent_id != target.id:
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
            created_by=principal(request).user_id,
        )
        if restored is None:  # the state moved on, or the checkpoint went, since they were read
            current = await q.get_agent_state_by_id(conn, id=state.id)
            if expected is not None and (current is None or current.version != expected):
                raise _stale(current, expected)
            raise Problem("conflict", "a concurrent change conflicted with this restore; retry it")
    return _state_response(restored)
