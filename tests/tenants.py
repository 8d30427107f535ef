"""A small world of two organizations for the data model tests of agent
state, memories, tasks and embeddings: organization A (admin alice, members
bob and dave) and B (admin carol), an agent of each, a conversation of
alice's shared with bob."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg
from isolation import Tenant, acting_as, seed_identities

from gen import agents, conversations
from gen.models import AgentType


@dataclass
class World:
    org_a: UUID
    org_b: UUID
    alice: UUID  # admin of A, owns the conversation
    bob: UUID  # member of A, the conversation is shared with him
    dave: UUID  # member of A, nothing shared with him
    carol: UUID  # admin of B
    agent_a: UUID  # an agent of A
    agent_b: UUID  # an agent of B
    conversation: UUID  # alice's, shared with bob

    @property
    def a_alice(self) -> Tenant:
        return Tenant(self.org_a, self.alice)

    @property
    def a_bob(self) -> Tenant:
        return Tenant(self.org_a, self.bob)

    @property
    def a_dave(self) -> Tenant:
        return Tenant(self.org_a, self.dave)

    @property
    def b_carol(self) -> Tenant:
        return Tenant(self.org_b, self.carol)


async def make_world(conn: asyncpg.Connection) -> World:
    orgs, people = await seed_identities(conn, (("alice", "a", "admin"), ("bob", "a", "member"), ("dave", "a", "member"), ("carol", "b", "admin")))
    agent_ids = {}
    for key, admin in (("a", "alice"), ("b", "carol")):
        async with acting_as(conn, Tenant(orgs[key], people[admin])):
            agent = await make_agent(conn, orgs[key], f"Agent {key.upper()}")
            agent_ids[key] = agent
    async with acting_as(conn, Tenant(orgs["a"], people["alice"])):
        conversation = await conversations.create_conversation(
            conn, organization_id=orgs["a"], user_id=people["alice"], agent_id=agent_ids["a"], title="Planning",
            status=None, participants=None, metadata=None,
        )
        assert conversation is not None
        await conversations.share_conversation(conn, conversation_id=conversation.id, user_id=people["bob"], granted_by=people["alice"])
    return World(
        orgs["a"], orgs["b"], people["alice"], people["bob"], people["dave"], people["carol"],
        agent_ids["a"], agent_ids["b"], conversation.id,
    )


async def make_agent(conn: asyncpg.Connection, org: UUID, name: str) -> UUID:
    """An agent of org (the caller must be acting as one of its admins)."""
    agent = await agents.create_agent(
        conn, organization_id=org, name=name, description=None, instructions=None, model_config=None,
        rag_enabled=None, embedding_model=None, embedding_dims=None, capabilities=None, scheduling_config=None,
        visibility=None, type=AgentType.GENERIC_CHAT, status=None, version=None, icon_url=None, metadata=None, created_by=None,
    )
    assert agent is not None
    return agent.id
