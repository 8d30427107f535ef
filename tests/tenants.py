"""A small world of two organizations for the data model tests of agent
state, memories, tasks and embeddings: organization A (admin alice, members
bob and dave) and B (admin carol), an agent of each, a conversation of
alice's shared with bob.

fill_every_table adds rows of both organizations to every table, for the
tests that go over the whole catalog (tests/db/test_policy_mutations.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID, uuid4

import asyncpg
from conversation_world import add_chunk, add_file, post, share, snapshot, start
from isolation import T0, Tenant, acting_as, acting_as_system, seed_identities

from gen import (
    agent_states,
    agents,
    api_keys,
    artifacts,
    conversations,
    embeddings,
    files,
    idempotency,
    job_schedule,
    memberships,
    memories,
    messages,
    retention,
    tasks,
    users,
    webhook_events,
)
from gen.models import (
    AgentStateScope,
    AgentType,
    ArtifactType,
    CheckpointKind,
    EmbeddingSourceType,
    KnowledgeSourceType,
    MembershipRole,
    MemoryKind,
    MemoryLinkType,
)


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


async def make_agent(conn: asyncpg.Connection, org: UUID | None, name: str) -> UUID:
    """An agent of org (the caller must be acting as one of its admins), or a platform agent (None, as app_system)."""
    agent = await agents.create_agent(
        conn, organization_id=org, name=name, description=None, instructions=None, model_config=None,
        rag_enabled=None, embedding_model=None, embedding_dims=None, capabilities=None, scheduling_config=None,
        visibility=None, type=AgentType.GENERIC_CHAT, status=None, version=None, icon_url=None, metadata=None, created_by=None,
    )
    assert agent is not None
    return agent.id


async def fill_every_table(conn: asyncpg.Connection, world: World) -> None:
    """Rows of both organizations in every table, written as the application writes them.

    B gets a member, erin, so that each organization has a conversation
    shared with a member of its own. Organization-less operations tables
    (webhook_events, retention_runs, job_schedule) get a row each; a platform agent is
    granted to both organizations. Each organization's admin then adds, to
    its own agent and to a conversation of its own: an API key, a knowledge
    source, a quick task, a share, messages with an earlier version, a file
    and its attachment, an upload's reservation in the file outbox, a chunk, a snapshot, an organization-wide and a
    private agent state with a checkpoint each, memories with a link (and
    their history), a task with an artifact, an embedding chunk and a stored
    idempotent response. A table added to the schema gets its rows here.
    """
    async with acting_as_system(conn):
        erin = await users.upsert_user_from_clerk(
            conn, clerk_user_id="user_erin", email="erin@example.com", name="Erin", image_url=None, clerk_updated_at=T0
        )
        assert erin is not None
        await memberships.upsert_membership(
            conn, organization_id=world.org_b, user_id=erin.id, role=MembershipRole.MEMBER,
            clerk_membership_id="orgmem_b_erin", clerk_updated_at=T0,
        )
        platform = await make_agent(conn, None, "Platform agent")
        for org in (world.org_a, world.org_b):
            granted = await agents.grant_agent_access(
                conn, organization_id=org, agent_id=platform, enabled=None, visibility_override=None, config=None, granted_by=None
            )
            assert granted is not None
        event = await webhook_events.record_webhook_event(conn, svix_id="msg_fill", type="user.created", payload={"data": {}})
        assert event is not None
        run = await retention.start_retention_run(conn, now_param=T0)
        assert run is not None
        slot = await job_schedule.start_job_slot(conn, job="retention", slot=T0, scheduler="fill")
        assert slot is not None
    for tenant, member, agent in ((world.a_alice, world.bob, world.agent_a), (world.b_carol, erin.id, world.agent_b)):
        assert tenant.user is not None
        async with acting_as(conn, tenant):
            await fill_organization(conn, tenant, member, agent)


async def fill_organization(conn: asyncpg.Connection, admin: Tenant, member: UUID, agent: UUID) -> None:
    """One row of admin's organization in every tenant table (the caller acts as admin)."""
    org, user = admin.org, admin.user
    assert user is not None
    key = await api_keys.create_api_key(
        conn, organization_id=org, name="ci", prefix=f"ajc_{org.hex[:4]}",
        key_hash=hashlib.sha256(org.bytes).digest(), scopes=[], created_by=user,
    )
    assert key is not None
    source = await agents.add_knowledge_source(
        conn, agent_id=agent, source_type=KnowledgeSourceType.URL, source_path="https://docs.example",
        source_name="Docs", enabled=None, metadata=None,
    )
    assert source is not None
    quick = await agents.add_quick_task(
        conn, agent_id=agent, title="Summarize", prompt="Please summarize", category=None, icon=None, order_index=None, enabled=None
    )
    assert quick is not None

    conversation = await start(conn, admin, agent_id=agent)
    assert await share(conn, conversation.id, user, member) is not None
    message = await post(conn, conversation.id, user, "first")
    edited = await messages.edit_message(conn, id=message.id, content="first, edited", content_parts=None)
    assert edited is not None and edited.version == 2
    file = await add_file(conn, admin, conversation.id, "notes.txt")
    assert await messages.attach_files_to_message(conn, message_id=message.id, file_ids=[file.id])
    # The file outbox: one upload reservation (one row, so that every policy test picks the same one; a deleted
    # file's entry would pass the system's INSERT check unloosened, tests/files/test_files_db.py covers those).
    await files.reserve_file_path(
        conn, organization_id=org, path=f"{org}/{user}/{conversation.id}/files/uploads/{uuid4().hex}.bin"
    )
    await add_chunk(conn, conversation.id, "a long transcript")
    await snapshot(conn, conversation.id, [message.id])

    for owner in (None, user):
        state = await agent_states.create_agent_state(
            conn, organization_id=org, user_id=owner, agent_id=agent,
            scope=AgentStateScope.SHARED if owner is None else AgentStateScope.PERSISTENT, conversation_id=None, state={"n": 1},
        )
        assert state is not None
        checkpoint = await agent_states.create_checkpoint(conn, agent_state_id=state.id, kind=CheckpointKind.MANUAL, label=None, created_by=None)
        assert checkpoint is not None

    remembered = []
    for memory_key, owner in (("shared", None), ("private", user)):
        memory = await memories.upsert_memory_by_key(
            conn, organization_id=org, user_id=owner, agent_id=agent, conversation_id=None, kind=MemoryKind.FACT,
            memory_type=None, key=memory_key, content={"text": memory_key}, tags=None, importance=None, decay_rate=None,
        )
        assert memory is not None
        remembered.append(memory.id)
    assert await memories.link_memories(
        conn, from_memory_id=remembered[0], to_memory_id=remembered[1], link_type=MemoryLinkType.RELATED, weight=None, created_by=None
    ) is not None

    task = await tasks.create_task(
        conn, organization_id=org, conversation_id=None, agent_id=agent, created_by=user, task_type="summarize",
        input={"text": "..."}, max_attempts=None, run_after=None,
    )
    assert task is not None
    artifact = await artifacts.create_artifact(
        conn, organization_id=org, conversation_id=None, task_id=task.id, agent_id=agent, created_by=user,
        artifact_type=ArtifactType.CODE, name="main.py", content="print(1)", mime_type="text/x-python", metadata=None,
    )
    assert artifact is not None
    chunk = await embeddings.upsert_embedding_chunk(
        conn, organization_id=org, agent_id=agent, source_type=EmbeddingSourceType.FILE, source_id=uuid4(), chunk_index=0,
        content="The approval flow needs two managers.", model="text-embedding-3-small", dims=3, metadata=None,
    )
    assert chunk is not None
    await idempotency.save_idempotent_response(
        conn, organization_id=org, caller_id=user, key="k-1", operation_id="createAgent",
        request_hash=hashlib.sha256(b"request").digest(), response_status=201, response_body={"id": str(agent)},
    )
