"""The conversations aggregate's world for database tests: two organizations and their people, a conversation
with a row in every table of the aggregate, and helpers to add rows through the generated code.

Registered as a pytest plugin by tests/conftest.py, so its fixtures (world, filled) serve the database tests of
conversations and messages alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from isolation import Tenant, acting_as, seed_identities

from gen import conversations, files, messages
from gen.models import Conversation, File, FileKind, MessageRole

CONVERSATION_TABLES = [
    "conversations",
    "conversation_shares",
    "messages",
    "message_versions",
    "files",
    "message_files",
    "conversation_chunks",
    "context_snapshots",
]


@dataclass
class World:
    org_a: UUID
    org_b: UUID
    alice: UUID  # admin of A, owns the conversations
    bob: UUID  # member of A, conversations get shared with him
    dave: UUID  # member of A, nothing shared with him
    carol: UUID  # admin of B

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


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    """Organization A (admin alice, members bob and dave) and B (admin carol)."""
    orgs, people = await seed_identities(conn, (("alice", "a", "admin"), ("bob", "a", "member"), ("dave", "a", "member"), ("carol", "b", "admin")))
    return World(orgs["a"], orgs["b"], people["alice"], people["bob"], people["dave"], people["carol"])


async def start(conn: asyncpg.Connection, tenant: Tenant, title: str | None = "Planning", agent_id: UUID | None = None) -> Conversation:
    """A conversation owned by tenant's user."""
    assert tenant.user is not None
    conversation = await conversations.create_conversation(
        conn, organization_id=tenant.org, user_id=tenant.user, agent_id=agent_id, title=title, status=None, participants=None, metadata=None
    )
    assert conversation is not None
    return conversation


async def post(
    conn: asyncpg.Connection,
    conversation_id: UUID,
    user_id: UUID | None,
    content: str = "hello",
    *,
    role: MessageRole = MessageRole.USER,
    parent: UUID | None = None,
    **fields: Any,
) -> messages.CreateMessageRow:
    """A message with every optional field defaulted."""
    values: dict[str, Any] = {
        "agent_id": None, "content_parts": None, "metadata": None, "status": None, "input_tokens": None, "output_tokens": None,
    } | fields
    message = await messages.create_message(
        conn, conversation_id=conversation_id, parent_message_id=parent, user_id=user_id, role=role, content=content, **values
    )
    assert message is not None
    return message


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def add_file(
    conn: asyncpg.Connection, tenant: Tenant, conversation_id: UUID, name: str, **fields: Any
) -> File:
    """An uploaded file of the conversation, stored where the server would put it."""
    assert tenant.user is not None
    values: dict[str, Any] = {
        "id": None, "kind": FileKind.UPLOAD, "status": None, "original_name": f"Original {name}",
        "path": f"{tenant.org}/{tenant.user}/{conversation_id}/files/uploads/{name}",
        "mime_type": "text/plain", "size_bytes": 5, "sha256": None, "metadata": None,
    } | fields
    file = await files.create_file(conn, conversation_id=conversation_id, created_by=tenant.user, name=name, **values)
    assert file is not None
    return file


async def add_chunk(conn: asyncpg.Connection, conversation_id: UUID, content: str, index: int | None = None) -> Any:
    chunk = await conversations.add_conversation_chunk(
        conn, conversation_id=conversation_id, chunk_index=index, content=content, token_count=None, metadata=None
    )
    assert chunk is not None
    return chunk


async def snapshot(conn: asyncpg.Connection, conversation_id: UUID, message_ids: list[UUID], token_count: int = 0) -> Any:
    snap = await conversations.create_context_snapshot(
        conn, conversation_id=conversation_id, agent_id=None, message_ids=message_ids, memory_ids=None,
        summary="so far", token_count=token_count, timings={"retrieval_ms": 3}, metadata=None,
    )
    assert snap is not None
    return snap


async def share(conn: asyncpg.Connection, conversation_id: UUID, owner: UUID, recipient: UUID) -> Any:
    return await conversations.share_conversation(conn, conversation_id=conversation_id, user_id=recipient, granted_by=owner)


async def counters(conn: asyncpg.Connection, conversation_id: UUID) -> tuple[int, int, int]:
    """(message_count, input_tokens, output_tokens) as stored, read past row level security."""
    row = await conn.fetchrow("SELECT message_count, input_tokens, output_tokens FROM conversations WHERE id = $1", conversation_id)
    assert row is not None
    return (row["message_count"], row["input_tokens"], row["output_tokens"])


async def recount(conn: asyncpg.Connection, conversation_id: UUID) -> tuple[int, int, int]:
    """The same counters computed from the messages."""
    row = await conn.fetchrow(
        "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0) FROM messages WHERE conversation_id = $1",
        conversation_id,
    )
    assert row is not None
    return (row[0], row[1], row[2])


@dataclass
class Filled:
    """One conversation with a row in every table of the aggregate."""

    conversation: Conversation
    rows: dict[str, UUID]


@pytest.fixture
async def filled(conn: asyncpg.Connection, world: World) -> Filled:
    """Alice's conversation shared with bob, with an edited message, a reply, a file, an attachment, a chunk, a snapshot."""
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        shared = await share(conn, conversation.id, world.alice, world.bob)
        message = await post(conn, conversation.id, world.alice, "first")
        edited = await messages.edit_message(conn, id=message.id, content="first, edited", content_parts=None)
        assert edited is not None and edited.version == 2
        file = await add_file(conn, world.a_alice, conversation.id, "notes.txt")
        attached = await messages.attach_files_to_message(conn, message_id=message.id, file_ids=[file.id])
        chunk = await add_chunk(conn, conversation.id, "a long transcript")
        snap = await snapshot(conn, conversation.id, [message.id])
    async with acting_as(conn, world.a_bob):
        await post(conn, conversation.id, world.bob, "a reply", parent=message.id)
    version_id = await conn.fetchval("SELECT id FROM message_versions WHERE message_id = $1", message.id)
    rows = {
        "conversations": conversation.id,
        "conversation_shares": shared.id,
        "messages": message.id,
        "message_versions": version_id,
        "files": file.id,
        "message_files": attached[0].id,
        "conversation_chunks": chunk.id,
        "context_snapshots": snap.id,
    }
    assert set(rows) == set(CONVERSATION_TABLES)
    return Filled(conversation, rows)


