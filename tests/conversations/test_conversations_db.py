"""The conversations aggregate in the database (conversations, shares, files and attachments, chunks, context
snapshots) through the generated code; its messages are tested in tests/messages/test_messages_db.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from conversation_world import (
    CONVERSATION_TABLES,
    Filled,
    World,
    add_chunk,
    add_file,
    counters,
    post,
    sha256,
    share,
    snapshot,
    start,
)
from isolation import Tenant, acting_as, acting_as_system, leaks, refused, visible_rows

from gen import agents, conversations, files, messages, search
from gen.models import (
    AgentType,
    AgentVisibility,
    Conversation,
    ConversationStatus,
    File,
    FileKind,
    FileStatus,
    MessageRole,
)

# ---------------------------------------------------------------------------
# Isolation


async def test_every_conversation_table_is_isolated_between_organizations(conn: asyncpg.Connection, world: World, filled: Filled) -> None:
    for table, row_id in filled.rows.items():
        assert await leaks(conn, table, row_id, world.b_carol) == [], table


async def test_members_not_shared_with_reach_nothing_of_a_conversation(conn: asyncpg.Connection, world: World, filled: Filled) -> None:
    for table, row_id in filled.rows.items():
        assert await leaks(conn, table, row_id, world.a_dave) == [], table
    async with acting_as(conn, world.a_dave):
        assert await conversations.get_conversation(conn, id=filled.conversation.id) is None
        listed = await conversations.list_conversations(
            conn, organization_id=world.org_a, user_id=world.dave, cursor_at=None, cursor_id=None, status=None, agent_id=None, limit=10
        )
        assert listed == []
        assert await messages.list_messages(
            conn, organization_id=world.org_a, conversation_id=filled.conversation.id, cursor_at=None, cursor_id=None, limit=10
        ) == []


async def test_a_share_recipient_reads_everything_in_the_conversation(conn: asyncpg.Connection, world: World, filled: Filled) -> None:
    async with acting_as(conn, world.a_bob):
        for table, row_id in filled.rows.items():
            assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", row_id) == 1, table
        listed = await conversations.list_conversations(
            conn, organization_id=world.org_a, user_id=world.bob, cursor_at=None, cursor_id=None, status=None, agent_id=None, limit=10
        )
        assert [c.id for c in listed] == [filled.conversation.id]


async def test_a_share_recipient_cannot_change_or_delete_the_conversation(conn: asyncpg.Connection, world: World, filled: Filled) -> None:
    conversation = filled.conversation
    async with acting_as(conn, world.a_bob):
        assert await conversations.update_conversation(
            conn, id=conversation.id, title="Mine", agent_id=None, participants=None, metadata=None
        ) is None
        assert await conversations.set_conversation_status(conn, id=conversation.id, status=ConversationStatus.ARCHIVED) is None
        assert await conversations.delete_conversation(conn, id=conversation.id) == 0
        async with refused(conn):
            await share(conn, conversation.id, world.bob, world.dave)
        assert await messages.edit_message(conn, id=filled.rows["messages"], content="rewritten", content_parts=None) is None
        assert await messages.delete_message(conn, id=filled.rows["messages"]) == 0
        assert await conversations.delete_conversation_chunk(conn, id=filled.rows["conversation_chunks"]) == 0
    async with acting_as(conn, world.a_alice):
        current = await conversations.get_conversation(conn, id=conversation.id)
        assert current is not None and current.title == "Planning" and current.status == ConversationStatus.ACTIVE


async def test_with_no_tenant_set_nothing_is_visible(conn: asyncpg.Connection, filled: Filled) -> None:
    assert await visible_rows(conn, CONVERSATION_TABLES) == {}


async def test_a_tenant_with_no_user_sees_no_conversation(conn: asyncpg.Connection, world: World, filled: Filled) -> None:
    async with acting_as(conn, Tenant(world.org_a, None)):
        for table in CONVERSATION_TABLES:
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table


# ---------------------------------------------------------------------------
# Sharing


async def test_conversations_are_shared_only_by_their_owner_with_members_of_the_organization(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        async with refused(conn):
            await share(conn, conversation.id, world.alice, world.carol)  # a member of B
        async with refused(conn):
            await share(conn, conversation.id, world.bob, world.bob)  # granted_by must be the caller
        first = await share(conn, conversation.id, world.alice, world.bob)
        assert first is not None and first.granted_by == world.alice
        assert await share(conn, conversation.id, world.alice, world.bob) is None, "shared already"
        assert [s.user_id for s in await conversations.list_conversation_shares(conn, conversation_id=conversation.id)] == [world.bob]
    async with acting_as(conn, world.a_bob):
        assert await conversations.get_conversation(conn, id=conversation.id) is not None
        assert [s.user_id for s in await conversations.list_conversation_shares(conn, conversation_id=conversation.id)] == [world.bob]


async def test_unsharing_or_leaving_ends_access(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        await share(conn, conversation.id, world.alice, world.bob)
        await share(conn, conversation.id, world.alice, world.dave)
    async with acting_as(conn, world.a_bob):
        assert await conversations.unshare_conversation(conn, conversation_id=conversation.id, user_id=world.dave) == 0
        assert await conversations.unshare_conversation(conn, conversation_id=conversation.id, user_id=world.bob) == 1
        assert await conversations.get_conversation(conn, id=conversation.id) is None
    async with acting_as(conn, world.a_alice):
        assert await conversations.unshare_conversation(conn, conversation_id=conversation.id, user_id=world.dave) == 1
    async with acting_as(conn, world.a_dave):
        assert await conversations.get_conversation(conn, id=conversation.id) is None


# ---------------------------------------------------------------------------
# Conversations


async def test_a_conversation_is_started_only_for_oneself_with_an_agent_the_organization_may_use(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.b_carol):
        b_private = await agents.create_agent(
            conn, organization_id=world.org_b, name="B only", description=None, instructions=None, model_config=None,
            rag_enabled=None, embedding_model=None, embedding_dims=None, capabilities=None, scheduling_config=None,
            visibility=AgentVisibility.PRIVATE, type=AgentType.CUSTOM, status=None, version=None, icon_url=None,
            metadata=None, created_by=None,
        )
        assert b_private is not None
    async with acting_as(conn, world.a_alice):
        async with refused(conn):
            await start(conn, world.a_alice, agent_id=b_private.id)
        async with refused(conn):
            await start(conn, world.a_bob)  # owned by someone else
        own = await start(conn, world.a_alice)
        async with refused(conn):
            await conversations.update_conversation(
                conn, id=own.id, title=None, agent_id=b_private.id, participants=None, metadata=None
            )
    async with acting_as(conn, world.b_carol):
        assert (await start(conn, world.b_carol, agent_id=b_private.id)).agent_id == b_private.id


async def test_the_owner_updates_and_changes_the_status_of_a_conversation(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice, title=None)
    async with acting_as(conn, world.a_alice):
        updated = await conversations.update_conversation(
            conn, id=conversation.id, title="Named", agent_id=None, participants=["memory_keeper"], metadata={"project": "x"}
        )
        assert updated is not None
        assert (updated.title, updated.participants, updated.metadata) == ("Named", ["memory_keeper"], {"project": "x"})
        assert updated.updated_at > conversation.updated_at
        paused = await conversations.set_conversation_status(conn, id=conversation.id, status=ConversationStatus.PAUSED)
        assert paused is not None and paused.status == ConversationStatus.PAUSED
        async with refused(conn, asyncpg.CheckViolationError):
            await conversations.update_conversation(conn, id=conversation.id, title="  ", agent_id=None, participants=None, metadata=None)


async def test_listing_conversations_filters_by_status_and_hides_deleted_ones(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        active = await start(conn, world.a_alice, "active")
        archived = await start(conn, world.a_alice, "archived")
        deleted = await start(conn, world.a_alice, "deleted")
        await conversations.set_conversation_status(conn, id=archived.id, status=ConversationStatus.ARCHIVED)
        await conversations.set_conversation_status(conn, id=deleted.id, status=ConversationStatus.DELETED)

        async def titles(status: ConversationStatus | None) -> set[str | None]:
            found = await conversations.list_conversations(
                conn, organization_id=world.org_a, user_id=world.alice, cursor_at=None, cursor_id=None,
                status=status, agent_id=None, limit=10,
            )
            return {c.title for c in found}

        assert await titles(None) == {"active", "archived"}
        assert await titles(ConversationStatus.DELETED) == {"deleted"}
        assert await titles(ConversationStatus.ACTIVE) == {active.title}


async def test_conversation_pages_return_every_owned_and_shared_conversation_once_by_activity(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_bob):
        shared_with_alice = []
        for i in range(4):
            c = await start(conn, world.a_bob, f"bob {i}")
            await share(conn, c.id, world.bob, world.alice)
            shared_with_alice.append(c.id)
        await start(conn, world.a_bob, "bob private")
    async with acting_as(conn, world.a_alice):
        owned = [(await start(conn, world.a_alice, f"alice {i}")).id for i in range(9)]
        for conversation_id in owned[::3]:
            await post(conn, conversation_id, world.alice)  # activity reorders them
    expected = owned + shared_with_alice
    async with acting_as(conn, world.a_alice):
        seen: list[Conversation] = []
        cursor: tuple[datetime | None, UUID | None] = (None, None)
        while page := await conversations.list_conversations(
            conn, organization_id=world.org_a, user_id=world.alice, cursor_at=cursor[0], cursor_id=cursor[1],
            status=None, agent_id=None, limit=4,
        ):
            seen.extend(page)
            cursor = (page[-1].last_activity_at, page[-1].id)
    assert sorted(c.id for c in seen) == sorted(expected)
    keys = [(c.last_activity_at, c.id) for c in seen]
    assert keys == sorted(keys, reverse=True)


# ---------------------------------------------------------------------------
# Files and attachments


async def test_files_attach_only_to_messages_of_their_conversation(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        one = await start(conn, world.a_alice)
        other = await start(conn, world.a_alice)
        message = await post(conn, one.id, world.alice)
        here = await add_file(conn, world.a_alice, one.id, "here.txt")
        there = await add_file(conn, world.a_alice, other.id, "there.txt")
        async with refused(conn, asyncpg.ForeignKeyViolationError):
            await messages.attach_files_to_message(conn, message_id=message.id, file_ids=[there.id])
        attached = await messages.attach_files_to_message(conn, message_id=message.id, file_ids=[here.id])
        assert [(a.file_id, a.conversation_id) for a in attached] == [(here.id, one.id)]
        assert await messages.attach_files_to_message(conn, message_id=message.id, file_ids=[here.id]) == []
        assert [f.id for f in await messages.list_message_files(conn, message_id=message.id)] == [here.id]
        assert await messages.detach_file_from_message(conn, message_id=message.id, file_id=here.id) == 1
        assert await messages.list_message_files(conn, message_id=message.id) == []


async def test_a_file_becomes_ready_with_its_hash_and_is_deleted_by_its_creator_or_the_owner(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        await share(conn, conversation.id, world.alice, world.bob)
    async with acting_as(conn, world.a_bob):
        upload = await add_file(conn, world.a_bob, conversation.id, "report.pdf", mime_type="application/pdf")
        assert upload.status == FileStatus.PROCESSING and upload.sha256 is None
        async with refused(conn, asyncpg.CheckViolationError):
            await files.update_file(conn, id=upload.id, status=FileStatus.READY, mime_type=None, size_bytes=None, sha256=None, error=None, metadata=None)
        ready = await files.update_file(
            conn, id=upload.id, status=FileStatus.READY, mime_type=None, size_bytes=2048, sha256=sha256(b"pdf"), error=None, metadata={"pages": 3}
        )
        assert ready is not None and (ready.status, ready.size_bytes, ready.metadata) == (FileStatus.READY, 2048, {"pages": 3})
        other = await add_file(conn, world.a_bob, conversation.id, "other.txt")
    async with acting_as(conn, world.a_dave):
        assert await files.delete_file(conn, id=upload.id) is None
    async with acting_as(conn, world.a_bob):
        deleted = await files.delete_file(conn, id=upload.id)
        assert deleted is not None and deleted.path == upload.path
    async with acting_as(conn, world.a_alice):
        assert (await files.delete_file(conn, id=other.id)) is not None, "the owner removes any file of the conversation"


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"sha256": "ABC"}, "files_sha256_check"),
        ({"sha256": "A" * 64}, "files_sha256_check"),
        ({"size_bytes": -1}, "files_size_bytes_check"),
        ({"path": "/etc/passwd"}, "files_path_check"),
        ({"path": "org/user/conv/files/uploads/../../../secret"}, "files_path_check"),
        ({"name": "../escape"}, "files_name_check"),
        ({"status": FileStatus.READY}, "files_ready_files_are_hashed"),
        ({"metadata": ["not", "an", "object"]}, "files_metadata_check"),
    ],
)
async def test_file_checks_refuse_bad_values(conn: asyncpg.Connection, world: World, fields: dict[str, Any], constraint: str) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        values = {"name": "x.txt"} | fields
        name = values.pop("name")
        async with refused(conn, asyncpg.CheckViolationError) as error:
            await add_file(conn, world.a_alice, conversation.id, name, **values)
        assert error.value.constraint_name == constraint


async def test_no_two_file_rows_own_one_path(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        first = await add_file(conn, world.a_alice, conversation.id, "same.txt")
        async with refused(conn, asyncpg.UniqueViolationError):
            await add_file(conn, world.a_alice, conversation.id, "same.txt", path=first.path)


async def test_file_pages_return_every_file_once_newest_first(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        made = [await add_file(conn, world.a_alice, conversation.id, f"f{i}.txt") for i in range(11)]
        generated = await add_file(conn, world.a_alice, conversation.id, "g.txt", kind=FileKind.GENERATED,
                                   path=f"{world.org_a}/{world.alice}/{conversation.id}/files/generated/g.txt")
        seen: list[File] = []
        cursor: tuple[datetime | None, UUID | None] = (None, None)
        while page := await files.list_files(
            conn, organization_id=world.org_a, conversation_id=conversation.id, kind=FileKind.UPLOAD,
            cursor_at=cursor[0], cursor_id=cursor[1], limit=4,
        ):
            seen.extend(page)
            cursor = (page[-1].created_at, page[-1].id)
        assert [f.id for f in seen] == [f.id for f in reversed(made)]
        assert generated.id not in {f.id for f in seen}


# ---------------------------------------------------------------------------
# Chunks and snapshots


async def test_chunks_are_numbered_in_order_and_paged(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        made = [await add_chunk(conn, conversation.id, f"part {i}") for i in range(7)]
        assert [c.chunk_index for c in made] == list(range(7))
        async with refused(conn, asyncpg.UniqueViolationError):
            await add_chunk(conn, conversation.id, "again", index=3)
        seen = []
        cursor: int | None = None
        while page := await conversations.list_conversation_chunks(
            conn, organization_id=world.org_a, conversation_id=conversation.id, cursor_chunk_index=cursor, limit=3
        ):
            seen.extend(page)
            cursor = page[-1].chunk_index
        assert [c.content for c in seen] == [f"part {i}" for i in range(7)]


async def test_chunk_search_finds_english_and_japanese_text(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        english = await add_chunk(conn, conversation.id, "The approval flow needs two managers.")
        japanese = await add_chunk(conn, conversation.id, "稟議の承認フローについて説明します。")
        await add_chunk(conn, conversation.id, "Nothing relevant, 100 percent.")
        other = await start(conn, world.a_alice)
        await add_chunk(conn, other.id, "approval flow elsewhere")

        async def found(query: str) -> list[UUID | None]:
            hits = await search.search(
                conn, query=query, types=["chunk"], conversation_id=conversation.id, agent_id=None,
                cursor_rank=None, cursor_kind=None, cursor_id=None, limit=10,
            )
            return [h.chunk_id for h in hits]

        assert await found("approval") == [english.id]
        assert await found("Approval Flow") == [english.id]
        assert await found("approvals") == [english.id], "stemmed"
        assert await found("承認フロー") == [japanese.id]
        assert await found("稟議") == [japanese.id], "two characters: below trigram length, still found"
        assert await found("%") == [], "punctuation finds nothing"
        assert await found("percent") != []


async def test_context_snapshots_record_the_window_and_page_newest_first(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        window = [(await post(conn, conversation.id, world.alice, f"m{i}")).id for i in range(3)]
        made = [await snapshot(conn, conversation.id, window[: i + 1], token_count=100 * i) for i in range(3)]
        latest = await conversations.get_latest_context_snapshot(conn, organization_id=world.org_a, conversation_id=conversation.id)
        assert latest is not None and latest.id == made[-1].id
        assert (latest.message_ids, latest.token_count, latest.timings) == (window, 200, {"retrieval_ms": 3})
        seen = []
        cursor: tuple[datetime | None, UUID | None] = (None, None)
        while page := await conversations.list_context_snapshots(
            conn, organization_id=world.org_a, conversation_id=conversation.id, cursor_at=cursor[0], cursor_id=cursor[1], limit=2
        ):
            seen.extend(page)
            cursor = (page[-1].created_at, page[-1].id)
        assert [s.id for s in seen] == [s.id for s in reversed(made)]
        async with refused(conn):
            await conn.execute("UPDATE context_snapshots SET summary = 'rewritten'")


# ---------------------------------------------------------------------------
# ON DELETE


async def test_deleting_a_conversation_removes_everything_in_it(conn: asyncpg.Connection, world: World, filled: Filled) -> None:
    async with acting_as(conn, world.a_alice):
        assert await conversations.delete_conversation(conn, id=filled.conversation.id) == 1
    for table, row_id in filled.rows.items():
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", row_id) == 0, table
    # Nothing else of the conversation either (the reply, any leftovers).
    for table in CONVERSATION_TABLES[1:]:
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE conversation_id = $1", filled.conversation.id) == 0, table


async def test_deleting_a_user_removes_their_conversations_and_keeps_their_words_elsewhere(conn: asyncpg.Connection, world: World, filled: Filled) -> None:
    async with acting_as(conn, world.a_bob):
        bobs = await start(conn, world.a_bob, "Bob's")
        await share(conn, bobs.id, world.bob, world.alice)
    async with acting_as(conn, world.a_alice):
        said = await post(conn, bobs.id, world.alice, "Alice was here")
    await conn.execute("DELETE FROM users WHERE id = $1", world.alice)
    assert await conn.fetchval("SELECT count(*) FROM conversations WHERE id = $1", filled.conversation.id) == 0
    assert await conn.fetchval("SELECT count(*) FROM conversation_shares WHERE user_id = $1", world.alice) == 0
    row = await conn.fetchrow("SELECT user_id, content FROM messages WHERE id = $1", said.id)
    assert row is not None and (row["user_id"], row["content"]) == (None, "Alice was here")
    assert await counters(conn, bobs.id) == (1, 0, 0)


async def test_deleting_an_agent_keeps_its_conversations(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        agent = await agents.create_agent(
            conn, organization_id=world.org_a, name="Temp", description=None, instructions=None, model_config=None,
            rag_enabled=None, embedding_model=None, embedding_dims=None, capabilities=None, scheduling_config=None,
            visibility=None, type=AgentType.GENERIC_CHAT, status=None, version=None, icon_url=None, metadata=None, created_by=None,
        )
        assert agent is not None
        conversation = await start(conn, world.a_alice, agent_id=agent.id)
        said = await post(conn, conversation.id, None, "hi", role=MessageRole.ASSISTANT, agent_id=agent.id)
        assert await agents.delete_agent(conn, id=agent.id) == 1
        kept = await conversations.get_conversation(conn, id=conversation.id)
        assert kept is not None and kept.agent_id is None
        message = await messages.get_message(conn, id=said.id)
        assert message is not None and message.agent_id is None


async def test_deleting_an_organization_removes_its_conversations_and_everything_in_them(conn: asyncpg.Connection, world: World, filled: Filled) -> None:
    await conn.execute("DELETE FROM organizations WHERE id = $1", world.org_a)
    for table in CONVERSATION_TABLES:
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE organization_id = $1", world.org_a) == 0, table


# ---------------------------------------------------------------------------
# app_system


async def test_the_system_role_reads_and_expires_conversations_but_does_not_edit_them(conn: asyncpg.Connection, filled: Filled) -> None:
    async with acting_as_system(conn):
        assert await conn.fetchval("SELECT count(*) FROM messages WHERE conversation_id = $1", filled.conversation.id) == 2
        async with refused(conn):
            await conn.execute("UPDATE conversations SET title = 'x'")
        async with refused(conn):
            await conn.execute("DELETE FROM messages")
        async with refused(conn):
            await conn.execute("UPDATE messages SET content = 'x'")
        async with refused(conn):
            await post(conn, filled.conversation.id, None, "from the system", role=MessageRole.SYSTEM)
        assert await conn.execute("DELETE FROM conversations WHERE id = $1", filled.conversation.id) == "DELETE 1"
    assert await conn.fetchval("SELECT count(*) FROM files WHERE conversation_id = $1", filled.conversation.id) == 0


# ---------------------------------------------------------------------------
# The checks catch a missing policy


async def test_the_isolation_check_catches_a_policy_without_the_conversation_access_check(conn: asyncpg.Connection, world: World, filled: Filled) -> None:
    message_id = filled.rows["messages"]
    assert await leaks(conn, "messages", message_id, world.a_dave) == []
    # This test's database is a throwaway copy: weaken one policy to organization-only.
    await conn.execute('DROP POLICY "members read the messages of conversations they can access" ON messages')
    await conn.execute(
        """CREATE POLICY "members read their organization's messages" ON messages FOR SELECT TO app_tenant
           USING (organization_id = (SELECT app.current_org_id()))"""
    )
    assert await leaks(conn, "messages", message_id, world.a_dave) == ["read"]
    assert await leaks(conn, "messages", message_id, world.b_carol) == [], "the organization check still holds"


async def test_the_isolation_check_catches_a_table_without_row_level_security(conn: asyncpg.Connection, world: World, filled: Filled) -> None:
    chunk_id = filled.rows["conversation_chunks"]
    await conn.execute("ALTER TABLE conversation_chunks DISABLE ROW LEVEL SECURITY")
    assert await leaks(conn, "conversation_chunks", chunk_id, world.b_carol) == ["read", "delete", "insert"]
    assert await visible_rows(conn, ["conversation_chunks"]) == {"conversation_chunks": 1}
