"""/v1/agents: the agents an organization may use, their knowledge sources, quick tasks and grants.

Row level security decides what the caller sees: its organization's agents,
public ones and those granted to it (hidden ones by id only). An agent the
caller cannot see is 404; one it sees but its organization does not own
(a public or granted agent) refuses changes with 403.
"""

from __future__ import annotations

from uuid import UUID

from aiohttp import web

from gen import Connection
from gen import agents as q
from gen.models import Agent

from ..models import IdPath
from ..pagination import Page
from ..problems import not_found
from ..resource_models import (
    AgentCreate,
    AgentGrantCreate,
    AgentGrantOut,
    AgentGrantPath,
    AgentOut,
    AgentQuery,
    AgentUpdate,
    Items,
    KnowledgeSourceCreate,
    KnowledgeSourceOut,
    QuickTaskCreate,
    QuickTaskOut,
    QuickTaskQuery,
)
from ..routing import body, path, query
from ..tenancy import principal, tenant_tx
from .common import forbidden, write_tx


async def _visible_agent(conn: Connection, agent_id: UUID) -> Agent:
    agent = await q.get_agent(conn, id=agent_id)
    if agent is None:
        raise not_found("agent")
    return agent


async def _owned_agent(request: web.Request, conn: Connection, agent_id: UUID) -> Agent:
    """The agent, if the caller's organization owns it: 404 when invisible, 403 when someone else's."""
    agent = await _visible_agent(conn, agent_id)
    if agent.organization_id != principal(request).organization_id:
        raise forbidden("only admins of the agent's own organization may change it")
    return agent


async def list_agents(request: web.Request) -> Page[AgentOut]:
    page = query(request, AgentQuery)
    after = page.position()
    caller = principal(request)
    assert caller.organization_id is not None
    async with tenant_tx(request) as conn:
        rows = await q.list_agents_page(
            conn,
            organization_id=caller.organization_id,
            type=page.type,
            after_created_at=None if after is None else after.created_at,
            after_id=None if after is None else after.id,
            page_size=page.fetch_size,
        )
    return Page[AgentOut].build(rows, page, AgentOut.from_row)


async def create_agent(request: web.Request) -> AgentOut:
    new = body(request, AgentCreate)
    caller = principal(request)
    async with write_tx(request) as conn:
        row = await q.create_agent(
            conn,
            organization_id=caller.organization_id,
            name=new.name,
            description=new.description,
            instructions=new.instructions,
            model_config=new.model_settings,
            rag_enabled=new.rag_enabled,
            embedding_model=None if new.embedding is None else new.embedding.model,
            embedding_dims=None if new.embedding is None else new.embedding.dims,
            capabilities=new.capabilities,
            scheduling_config=new.scheduling_config,
            visibility=new.visibility,
            type=new.type,
            status=new.status,
            version=new.version,
            icon_url=new.icon_url,
            metadata=new.metadata,
            created_by=caller.user_id,
        )
    assert row is not None  # INSERT ... RETURNING
    return AgentOut.from_row(row)


async def get_agent(request: web.Request) -> AgentOut:
    agent_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        return AgentOut.from_row(await _visible_agent(conn, agent_id))


async def update_agent(request: web.Request) -> AgentOut:
    agent_id = path(request, IdPath).id
    change = body(request, AgentUpdate)
    async with write_tx(request) as conn:
        await _owned_agent(request, conn, agent_id)
        row = await q.update_agent(
            conn,
            id=agent_id,
            name=change.name,
            description=change.description,
            instructions=change.instructions,
            model_config=change.model_settings,
            rag_enabled=change.rag_enabled,
            embedding_model=None if change.embedding is None else change.embedding.model,
            embedding_dims=None if change.embedding is None else change.embedding.dims,
            capabilities=change.capabilities,
            scheduling_config=change.scheduling_config,
            visibility=change.visibility,
            type=change.type,
            status=change.status,
            version=change.version,
            icon_url=change.icon_url,
            metadata=change.metadata,
        )
    if row is None:
        raise not_found("agent")
    return AgentOut.from_row(row)


async def delete_agent(request: web.Request) -> None:
    agent_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        await _owned_agent(request, conn, agent_id)
        if await q.delete_agent(conn, id=agent_id) == 0:
            raise not_found("agent")


async def list_knowledge_sources(request: web.Request) -> Items[KnowledgeSourceOut]:
    agent_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        await _visible_agent(conn, agent_id)
        rows = await q.list_knowledge_sources(conn, agent_id=agent_id)
    return Items[KnowledgeSourceOut](items=[KnowledgeSourceOut.from_row(row) for row in rows])


async def add_knowledge_source(request: web.Request) -> KnowledgeSourceOut:
    agent_id = path(request, IdPath).id
    new = body(request, KnowledgeSourceCreate)
    async with write_tx(request) as conn:
        await _owned_agent(request, conn, agent_id)
        row = await q.add_knowledge_source(
            conn,
            agent_id=agent_id,
            source_type=new.source_type,
            source_path=new.source_path,
            source_name=new.source_name,
            enabled=new.enabled,
            metadata=new.metadata,
        )
    assert row is not None  # INSERT ... RETURNING
    return KnowledgeSourceOut.from_row(row)


async def list_quick_tasks(request: web.Request) -> Items[QuickTaskOut]:
    agent_id = path(request, IdPath).id
    options = query(request, QuickTaskQuery)
    async with tenant_tx(request) as conn:
        await _visible_agent(conn, agent_id)
        rows = await q.list_quick_tasks(conn, agent_id=agent_id, include_disabled=options.include_disabled)
    return Items[QuickTaskOut](items=[QuickTaskOut.from_row(row) for row in rows])


async def add_quick_task(request: web.Request) -> QuickTaskOut:
    agent_id = path(request, IdPath).id
    new = body(request, QuickTaskCreate)
    async with write_tx(request) as conn:
        await _owned_agent(request, conn, agent_id)
        row = await q.add_quick_task(
            conn,
            agent_id=agent_id,
            title=new.title,
            prompt=new.prompt,
            category=new.category,
            icon=new.icon,
            order_index=new.order_index,
            enabled=new.enabled,
        )
    assert row is not None  # INSERT ... RETURNING
    return QuickTaskOut.from_row(row)


async def list_agent_access(request: web.Request) -> Items[AgentGrantOut]:
    agent_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        await _visible_agent(conn, agent_id)
        rows = await q.list_agent_access(conn, agent_id=agent_id)
    return Items[AgentGrantOut](items=[AgentGrantOut.from_row(row) for row in rows])


async def grant_agent_access(request: web.Request) -> AgentGrantOut:
    agent_id = path(request, IdPath).id
    grant = body(request, AgentGrantCreate)
    caller = principal(request)
    fields = {"organization_agents_organization_id_fkey": ["body", "organization_id"]}
    async with write_tx(request, fields) as conn:
        await _owned_agent(request, conn, agent_id)
        row = await q.grant_agent_access(
            conn,
            organization_id=grant.organization_id,
            agent_id=agent_id,
            enabled=grant.enabled,
            visibility_override=grant.visibility_override,
            config=grant.config,
            granted_by=caller.user_id,
        )
    assert row is not None  # INSERT ... RETURNING
    return AgentGrantOut.from_row(row)


async def revoke_agent_access(request: web.Request) -> None:
    target = path(request, AgentGrantPath)
    async with tenant_tx(request) as conn:
        # Row level security: admins of the agent's owner, or of the grantee (which may leave a disabled grant).
        revoked = await q.revoke_agent_access(conn, organization_id=target.organization_id, agent_id=target.id)
    if revoked == 0:
        raise not_found("grant")
