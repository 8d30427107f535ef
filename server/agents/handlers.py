"""/v1/agents: the agents an organization may use, their knowledge sources, quick tasks and grants.

Row level security decides what the caller sees: its organization's agents,
public ones and those granted to it (hidden ones by id only). An agent the
caller cannot see is 404; one it sees but its organization does not own
(a public or granted agent) refuses changes with 403.
"""

from __future__ import annotations

from uuid import UUID

from gen import Connection
from gen import agents as q
from gen.models import Agent

from ..pipeline.context import Context
from ..pipeline.pagination import Page
from ..pipeline.problems import forbidden, missing_reference, not_found
from ..types import IdPath, Items
from .models import (
    AgentCreate,
    AgentGrantCreate,
    AgentGrantOut,
    AgentGrantPath,
    AgentOut,
    AgentQuery,
    AgentUpdate,
    KnowledgeSourceCreate,
    KnowledgeSourceOut,
    QuickTaskCreate,
    QuickTaskOut,
    QuickTaskQuery,
)


async def visible_agent(conn: Connection, agent_id: UUID) -> Agent:
    """The agent, if the caller's organization may use it; 404 otherwise."""
    agent = await q.get_agent(conn, id=agent_id)
    if agent is None:
        raise not_found("agent")
    return agent


async def referenced_agent(conn: Connection, agent_id: UUID, loc: tuple[str, ...] = ("body", "agent_id")) -> Agent:
    """The agent an input names, if the organization may use it; 409 naming the input otherwise."""
    agent = await q.get_agent(conn, id=agent_id)
    if agent is None:
        raise missing_reference(loc, "agent")
    return agent


async def _owned_agent(ctx: Context, conn: Connection, agent_id: UUID) -> Agent:
    """The agent, if the caller's organization owns it: 404 when invisible, 403 when someone else's."""
    agent = await visible_agent(conn, agent_id)
    if agent.organization_id != ctx.org_id:
        raise forbidden("only admins of the agent's own organization may change it")
    return agent


async def list_agents(ctx: Context, *, query: AgentQuery) -> Page[AgentOut]:
    async with ctx.tx() as conn:
        rows = await q.list_agents_page(
            conn,
            organization_id=ctx.org_id,
            type=query.type,
            **query.window(),
        )
    return Page[AgentOut].of(rows, query, AgentOut.from_row)


async def create_agent(ctx: Context, *, body: AgentCreate) -> AgentOut:
    async with ctx.write_tx() as conn:
        row = await q.create_agent(
            conn,
            organization_id=ctx.org_id,
            name=body.name,
            description=body.description,
            instructions=body.instructions,
            model_config=body.model_settings,
            rag_enabled=body.rag_enabled,
            embedding_model=None if body.embedding is None else body.embedding.model,
            embedding_dims=None if body.embedding is None else body.embedding.dims,
            capabilities=body.capabilities,
            scheduling_config=body.scheduling_config,
            visibility=body.visibility,
            type=body.type,
            status=body.status,
            version=body.version,
            icon_url=body.icon_url,
            metadata=body.metadata,
            created_by=ctx.user_id,
        )
    assert row is not None  # INSERT ... RETURNING
    return AgentOut.from_row(row)


async def get_agent(ctx: Context, *, path: IdPath) -> AgentOut:
    agent_id = path.id
    async with ctx.tx() as conn:
        return AgentOut.from_row(await visible_agent(conn, agent_id))


async def update_agent(ctx: Context, *, path: IdPath, body: AgentUpdate) -> AgentOut:
    agent_id = path.id
    async with ctx.write_tx() as conn:
        await _owned_agent(ctx, conn, agent_id)
        row = await q.update_agent(
            conn,
            id=agent_id,
            name=body.name,
            description=body.description,
            instructions=body.instructions,
            model_config=body.model_settings,
            rag_enabled=body.rag_enabled,
            embedding_model=None if body.embedding is None else body.embedding.model,
            embedding_dims=None if body.embedding is None else body.embedding.dims,
            capabilities=body.capabilities,
            scheduling_config=body.scheduling_config,
            visibility=body.visibility,
            type=body.type,
            status=body.status,
            version=body.version,
            icon_url=body.icon_url,
            metadata=body.metadata,
        )
    if row is None:
        raise not_found("agent")
    return AgentOut.from_row(row)


async def delete_agent(ctx: Context, *, path: IdPath) -> None:
    agent_id = path.id
    async with ctx.tx() as conn:
        await _owned_agent(ctx, conn, agent_id)
        if await q.delete_agent(conn, id=agent_id) == 0:
            raise not_found("agent")


async def list_knowledge_sources(ctx: Context, *, path: IdPath) -> Items[KnowledgeSourceOut]:
    agent_id = path.id
    async with ctx.tx() as conn:
        await visible_agent(conn, agent_id)
        rows = await q.list_knowledge_sources(conn, agent_id=agent_id)
    return Items[KnowledgeSourceOut](items=[KnowledgeSourceOut.from_row(row) for row in rows])


async def add_knowledge_source(ctx: Context, *, path: IdPath, body: KnowledgeSourceCreate) -> KnowledgeSourceOut:
    agent_id = path.id
    async with ctx.write_tx() as conn:
        await _owned_agent(ctx, conn, agent_id)
        row = await q.add_knowledge_source(
            conn,
            agent_id=agent_id,
            source_type=body.source_type,
            source_path=body.source_path,
            source_name=body.source_name,
            enabled=body.enabled,
            metadata=body.metadata,
        )
    assert row is not None  # INSERT ... RETURNING
    return KnowledgeSourceOut.from_row(row)


async def list_quick_tasks(ctx: Context, *, path: IdPath, query: QuickTaskQuery) -> Items[QuickTaskOut]:
    agent_id = path.id
    async with ctx.tx() as conn:
        await visible_agent(conn, agent_id)
        rows = await q.list_quick_tasks(conn, agent_id=agent_id, include_disabled=query.include_disabled)
    return Items[QuickTaskOut](items=[QuickTaskOut.from_row(row) for row in rows])


async def add_quick_task(ctx: Context, *, path: IdPath, body: QuickTaskCreate) -> QuickTaskOut:
    agent_id = path.id
    async with ctx.write_tx() as conn:
        await _owned_agent(ctx, conn, agent_id)
        row = await q.add_quick_task(
            conn,
            agent_id=agent_id,
            title=body.title,
            prompt=body.prompt,
            category=body.category,
            icon=body.icon,
            order_index=body.order_index,
            enabled=body.enabled,
        )
    assert row is not None  # INSERT ... RETURNING
    return QuickTaskOut.from_row(row)


async def list_agent_access(ctx: Context, *, path: IdPath) -> Items[AgentGrantOut]:
    agent_id = path.id
    async with ctx.tx() as conn:
        await visible_agent(conn, agent_id)
        rows = await q.list_agent_access(conn, agent_id=agent_id)
    return Items[AgentGrantOut](items=[AgentGrantOut.from_row(row) for row in rows])


async def grant_agent_access(ctx: Context, *, path: IdPath, body: AgentGrantCreate) -> AgentGrantOut:
    agent_id = path.id
    fields = {"organization_agents_organization_id_fkey": ["body", "organization_id"]}
    async with ctx.write_tx(fields) as conn:
        await _owned_agent(ctx, conn, agent_id)
        row = await q.grant_agent_access(
            conn,
            organization_id=body.organization_id,
            agent_id=agent_id,
            enabled=body.enabled,
            visibility_override=body.visibility_override,
            config=body.config,
            granted_by=ctx.user_id,
        )
    assert row is not None  # INSERT ... RETURNING
    return AgentGrantOut.from_row(row)


async def revoke_agent_access(ctx: Context, *, path: AgentGrantPath) -> None:
    async with ctx.tx() as conn:
        # Row level security: admins of the agent's owner, or of the grantee (which may leave a disabled grant).
        revoked = await q.revoke_agent_access(conn, organization_id=path.organization_id, agent_id=path.id)
    if revoked == 0:
        raise not_found("grant")
