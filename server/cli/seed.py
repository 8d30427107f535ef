"""Demo data: python -m server.cli.seed [--org org_demo]   (make seed)

Loads, through the generated queries and under the same roles as the server:

- an organization (org_demo, "Demo Org") with two users, user_demo (admin) and
  user_demo2 (member), as the Clerk webhooks would have synced them (app_system);
- seed 003's example agents of that organization, created by its admin (as the
  tenant): the IT Support Agent (RAG, knowledge sources, quick tasks,
  scheduling) and the Stock Analysis Agent;
- a first conversation of user_demo with the IT agent and two messages.

Idempotent: a second run finds what the first made and adds nothing. Tokens of
development mode (python -m server.cli.devtoken --org org_demo --user user_demo)
then see this data.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from gen import agents, conversations, init_connection, memberships, messages, organizations, tenancy, users
from gen.models import Agent, AgentType, AgentVisibility, KnowledgeSourceType, MembershipRole, MessageRole

SYNCED_AT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DemoAgent:
    name: str
    type: AgentType
    description: str
    instructions: str
    model_config: dict[str, Any]
    capabilities: list[str]
    rag_enabled: bool = False
    scheduling_config: dict[str, Any] = field(default_factory=dict)
    knowledge_sources: list[tuple[KnowledgeSourceType, str, str]] = field(default_factory=list)
    quick_tasks: list[tuple[str, str]] = field(default_factory=list)


# Seed 003's two example agents.
DEMO_AGENTS = [
    DemoAgent(
        name="IT Support Agent",
        type=AgentType.IT_SUPPORT,
        description="Designed to help troubleshoot and resolve technical issues efficiently",
        instructions="You are an IT support agent, adept at troubleshooting and resolving technical challenges "
        "while empowering users with technology solutions. Use a technical yet friendly tone of voice. Use "
        "step-by-step instructions and code snippets where necessary.",
        model_config={"provider": "openai", "model": "gpt-4o", "temperature": 0.7},
        capabilities=["troubleshooting", "technical_support", "system_diagnostics", "user_training"],
        rag_enabled=True,
        scheduling_config={"enabled": True, "timezone": "UTC", "working_hours": "9-17"},
        knowledge_sources=[
            (KnowledgeSourceType.FOLDER, "/knowledge/it-docs/", "IT documentation"),
            (KnowledgeSourceType.URL, "https://docs.company.com/", "Company docs"),
        ],
        quick_tasks=[
            ("Reset Password", "Help user reset their password"),
            ("Software Installation", "Guide through software installation"),
        ],
    ),
    DemoAgent(
        name="Stock Analysis Agent",
        type=AgentType.STOCK_ANALYSIS,
        description="Comprehensive portfolio analysis with real-time insights",
        instructions="You are a financial advisor specializing in stock analysis and portfolio management.",
        model_config={"provider": "openai", "model": "gpt-4o", "temperature": 0.3},
        capabilities=["portfolio_analysis", "market_research", "risk_assessment", "investment_planning"],
    ),
]


@dataclass(frozen=True)
class Seeded:
    organization_id: UUID
    admin_id: UUID
    member_id: UUID
    agent_ids: dict[str, UUID]
    conversation_id: UUID


async def seed(conn: asyncpg.Connection[asyncpg.Record], clerk_org_id: str = "org_demo") -> Seeded:
    """Load the demo data (idempotent)."""
    async with conn.transaction():
        await tenancy.enter_system(conn)
        org = await organizations.upsert_organization_from_clerk(
            conn, clerk_org_id=clerk_org_id, name="Demo Org", slug=clerk_org_id.removeprefix("org_"), image_url=None,
            clerk_updated_at=SYNCED_AT,
        ) or await organizations.get_organization_by_clerk_id(conn, clerk_org_id=clerk_org_id)
        assert org is not None
        people = {}
        for clerk_user_id, name, role in (
            ("user_demo", "Demo Admin", MembershipRole.ADMIN),
            ("user_demo2", "Demo Member", MembershipRole.MEMBER),
        ):
            user = await users.upsert_user_from_clerk(
                conn, clerk_user_id=clerk_user_id, email=f"{clerk_user_id}@example.com", name=name, image_url=None,
                clerk_updated_at=SYNCED_AT,
            ) or await users.get_user_by_clerk_id(conn, clerk_user_id=clerk_user_id)
            assert user is not None
            await memberships.upsert_membership(
                conn, organization_id=org.id, user_id=user.id, role=role, clerk_membership_id=None,
                clerk_updated_at=SYNCED_AT,
            )
            people[clerk_user_id] = user.id

    admin_id = people["user_demo"]
    async with conn.transaction():
        await tenancy.enter_tenant(conn, org_id=org.id, user_id=admin_id)
        existing = {a.name: a for a in await agents.list_agents(
            conn, organization_id=org.id, type=None, cursor_name=None, cursor_id=None, limit=200
        ) if a.organization_id == org.id}
        agent_ids = {}
        for demo in DEMO_AGENTS:
            agent = existing.get(demo.name) or await _create_agent(conn, org.id, admin_id, demo)
            agent_ids[demo.name] = agent.id
        conversation_id = await _first_conversation(conn, org.id, admin_id, agent_ids["IT Support Agent"])
    return Seeded(org.id, admin_id, people["user_demo2"], agent_ids, conversation_id)


async def _create_agent(
    conn: asyncpg.Connection[asyncpg.Record], org_id: UUID, admin_id: UUID, demo: DemoAgent
) -> Agent:
    agent = await agents.create_agent(
        conn, organization_id=org_id, name=demo.name, description=demo.description, instructions=demo.instructions,
        model_config=demo.model_config, rag_enabled=demo.rag_enabled,
        embedding_model="text-embedding-3-small" if demo.rag_enabled else None,
        embedding_dims=1536 if demo.rag_enabled else None, capabilities=demo.capabilities,
        scheduling_config=demo.scheduling_config, visibility=AgentVisibility.PRIVATE, type=demo.type, status=None,
        version=None, icon_url=None, metadata={"demo": True}, created_by=admin_id,
    )
    assert agent is not None
    for source_type, path, name in demo.knowledge_sources:
        await agents.add_knowledge_source(
            conn, agent_id=agent.id, source_type=source_type, source_path=path, source_name=name, enabled=None,
            metadata=None,
        )
    for index, (title, prompt) in enumerate(demo.quick_tasks):
        await agents.add_quick_task(
            conn, agent_id=agent.id, title=title, prompt=prompt, category="support", icon=None, order_index=index,
            enabled=None,
        )
    return agent


async def _first_conversation(conn: asyncpg.Connection[asyncpg.Record], org_id: UUID, user_id: UUID, agent_id: UUID) -> UUID:
    found = await conversations.list_conversations(
        conn, organization_id=org_id, user_id=user_id, cursor_at=None, cursor_id=None, status=None,
        agent_id=agent_id, limit=1,
    )
    if found:
        return found[0].id
    conversation = await conversations.create_conversation(
        conn, organization_id=org_id, user_id=user_id, agent_id=agent_id, title="My laptop will not connect to Wi-Fi",
        status=None, participants=None, metadata={"demo": True},
    )
    assert conversation is not None
    for role, author, content in (
        (MessageRole.USER, user_id, "My laptop will not connect to the office Wi-Fi since this morning."),
        (MessageRole.ASSISTANT, None, "Let's check a few things. First, can other devices connect?"),
    ):
        await messages.create_message(
            conn, conversation_id=conversation.id, parent_message_id=None, user_id=author,
            agent_id=agent_id if role is MessageRole.ASSISTANT else None, role=role, content=content,
            content_parts=None, metadata=None, status=None, input_tokens=None, output_tokens=None,
        )
    return conversation.id


async def _run(database_url: str, clerk_org_id: str) -> Seeded:
    conn = await asyncpg.connect(database_url)
    try:
        await init_connection(conn)
        return await seed(conn, clerk_org_id)
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m server.cli.seed",
        description="Load demo data (an organization, two users, seed 003's IT support and stock analysis agents, "
        "a conversation) into DATABASE_URL or the embedded database. Idempotent.",
    )
    parser.add_argument("--org", default="org_demo", help="Clerk id of the demo organization (default: org_demo)")
    args = parser.parse_args(argv)
    from tools import db

    url = db.database_url()
    db.migrate(url)
    load(url, args.org)


def load(database_url: str, clerk_org_id: str = "org_demo") -> Seeded:
    """Seed database_url and say what is there (on stderr)."""
    seeded = asyncio.run(_run(database_url, clerk_org_id))
    print(f"demo organization {clerk_org_id} ({seeded.organization_id}): user_demo (admin), user_demo2 (member)", file=sys.stderr)
    for name, agent_id in seeded.agent_ids.items():
        print(f"  agent {agent_id}  {name}", file=sys.stderr)
    print(f"  conversation {seeded.conversation_id}", file=sys.stderr)
    return seeded


if __name__ == "__main__":
    main()
