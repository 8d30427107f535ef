"""Messages in the database: posted by their authors, counted on their conversation, edited with every earlier
version kept, streamed in place, paged, deleted; through the generated code."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
from conversation_world import World, add_file, counters, post, recount, share, start
from isolation import acting_as, refused

from gen import files, messages
from gen.models import Message, MessageRole, MessageStatus

# ---------------------------------------------------------------------------
# Messages


async def test_counters_follow_every_insert_and_delete_including_a_share_recipients(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        await share(conn, conversation.id, world.alice, world.bob)
        first = await post(conn, conversation.id, world.alice, "question", input_tokens=10)
        answer = await post(
            conn, conversation.id, None, "answer", role=MessageRole.ASSISTANT, parent=first.id, input_tokens=12, output_tokens=30
        )
    assert await counters(conn, conversation.id) == (2, 22, 30)
    async with acting_as(conn, world.a_bob):
        mine = await post(conn, conversation.id, world.bob, "me too", input_tokens=4)
        # Bob may not update Alice's conversation himself...
        async with refused(conn):
            await conn.execute("UPDATE conversations SET message_count = 0 WHERE id = $1", conversation.id)
    # ...yet the counters and last activity followed his message.
    assert await counters(conn, conversation.id) == (3, 26, 30)
    last_activity = await conn.fetchval("SELECT last_activity_at FROM conversations WHERE id = $1", conversation.id)
    assert last_activity == mine.created_at

    async with acting_as(conn, world.a_alice):
        # Several messages in one statement.
        await conn.execute(
            """INSERT INTO messages (organization_id, conversation_id, user_id, role, content, output_tokens)
               SELECT $1, $2, $3, 'user', 'bulk ' || i, i FROM generate_series(1, 5) AS i""",
            world.org_a, conversation.id, world.alice,
        )
        done = await messages.update_message_progress(
            conn, id=answer.id, status=MessageStatus.DELIVERED, input_tokens=None, output_tokens=40, metadata={"model": "gpt-4o"}
        )
        assert done is not None and done.metadata == {"model": "gpt-4o"}
        assert await messages.delete_message(conn, id=mine.id) == 1  # the owner deletes Bob's message
    assert await counters(conn, conversation.id) == (7, 22, 55)
    assert await counters(conn, conversation.id) == await recount(conn, conversation.id)


async def test_tenants_cannot_set_counters_or_versions_themselves(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        message = await post(conn, conversation.id, world.alice)
        for sql in (
            "UPDATE conversations SET message_count = 99 WHERE id = $1",
            "UPDATE conversations SET memory_count = 99 WHERE id = $1",
            "UPDATE conversations SET task_count = 99 WHERE id = $1",
            "UPDATE conversations SET input_tokens = 99, output_tokens = 99 WHERE id = $1",
            "UPDATE conversations SET last_activity_at = now() - interval '1 year' WHERE id = $1",
            "UPDATE messages SET version = 9 WHERE conversation_id = $1",
            "UPDATE messages SET conversation_id = conversation_id WHERE conversation_id = $1",
        ):
            async with refused(conn):
                await conn.execute(sql, conversation.id)
        async with refused(conn):
            await conn.execute(
                "INSERT INTO message_versions (organization_id, conversation_id, message_id, version, content, content_parts, metadata, authored_at)"
                " VALUES ($1, $2, $3, 1, 'forged', '[]', '{}', now())",
                world.org_a, conversation.id, message.id,
            )
        async with refused(conn):
            await conn.execute(
                "INSERT INTO conversations (organization_id, user_id, message_count) VALUES ($1, $2, 5)", world.org_a, world.alice
            )


async def test_a_reply_must_be_in_its_parents_conversation(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        one = await start(conn, world.a_alice)
        other = await start(conn, world.a_alice)
        parent = await post(conn, one.id, world.alice)
        async with refused(conn, asyncpg.ForeignKeyViolationError):
            await post(conn, other.id, world.alice, parent=parent.id)
        reply = await post(conn, one.id, None, "sure", role=MessageRole.ASSISTANT, parent=parent.id)
        assert [r.id for r in await messages.list_replies(conn, parent_message_id=parent.id)] == [reply.id]


async def test_a_user_message_is_posted_only_as_oneself(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        await share(conn, conversation.id, world.alice, world.bob)
    async with acting_as(conn, world.a_bob):
        async with refused(conn):
            await post(conn, conversation.id, world.alice, "in Alice's name")
        async with refused(conn):
            await post(conn, conversation.id, None, "anonymous", role=MessageRole.USER)
        assert (await post(conn, conversation.id, None, "tool output", role=MessageRole.TOOL)).user_id is None


async def test_editing_a_message_keeps_every_earlier_version(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        message = await post(conn, conversation.id, world.alice, "first", content_parts=[{"type": "text", "text": "first"}])
        second = await messages.edit_message(conn, id=message.id, content="second", content_parts=[{"type": "text", "text": "second"}])
        third = await messages.edit_message(conn, id=message.id, content="third", content_parts=None)
        assert second is not None and third is not None
        assert (second.version, third.version) == (2, 3)
        assert third.content_parts == [{"type": "text", "text": "second"}]
        assert third.edited_at is not None and message.edited_at is None
        versions = await messages.list_message_versions(conn, message_id=message.id)
        assert [(v.version, v.content, v.edited_by) for v in versions] == [(1, "first", world.alice), (2, "second", world.alice)]
        assert versions[0].authored_at == message.created_at
        assert versions[1].authored_at == second.edited_at
        unchanged = await messages.edit_message(conn, id=message.id, content="third", content_parts=None)
        assert unchanged is not None and unchanged.version == 3, "no change, no version"


async def test_a_streaming_message_is_written_in_place_until_it_is_finished(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        question = await post(conn, conversation.id, world.alice, "why?")
        reply = await post(conn, conversation.id, None, "", role=MessageRole.ASSISTANT, parent=question.id, status=MessageStatus.STREAMING)
        for text in ("Because", "Because it", "Because it is."):
            streamed = await messages.edit_message(conn, id=reply.id, content=text, content_parts=None)
            assert streamed is not None and streamed.version == 1
        await messages.update_message_progress(conn, id=reply.id, status=MessageStatus.SENT, input_tokens=None, output_tokens=None, metadata=None)
        assert await messages.list_message_versions(conn, message_id=reply.id) == []
        corrected = await messages.edit_message(conn, id=reply.id, content="Because it is so.", content_parts=None)
        assert corrected is not None and corrected.version == 2
        assert [v.content for v in await messages.list_message_versions(conn, message_id=reply.id)] == ["Because it is."]


async def test_message_pages_return_every_message_once_in_order(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        # One statement, one transaction: equal now(), distinct clock_timestamp().
        await conn.execute(
            """INSERT INTO messages (organization_id, conversation_id, user_id, role, content)
               SELECT $1, $2, $3, 'user', 'm' || i FROM generate_series(1, 31) AS i""",
            world.org_a, conversation.id, world.alice,
        )
        forward: list[Message] = []
        cursor: tuple[datetime | None, UUID | None] = (None, None)
        while page := await messages.list_messages(
            conn, organization_id=world.org_a, conversation_id=conversation.id, cursor_at=cursor[0], cursor_id=cursor[1], limit=7
        ):
            forward.extend(page)
            cursor = (page[-1].created_at, page[-1].id)
        backward: list[Message] = []
        cursor = (None, None)
        while page := await messages.list_latest_messages(
            conn, organization_id=world.org_a, conversation_id=conversation.id, cursor_at=cursor[0], cursor_id=cursor[1], limit=6
        ):
            backward.extend(page)
            cursor = (page[-1].created_at, page[-1].id)
    assert [m.content for m in forward] == [f"m{i}" for i in range(1, 32)]
    assert [m.id for m in backward] == [m.id for m in reversed(forward)]


async def test_authors_and_owners_delete_messages_and_replies_outlive_their_parent(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        conversation = await start(conn, world.a_alice)
        await share(conn, conversation.id, world.alice, world.bob)
        root = await post(conn, conversation.id, world.alice, "root")
        await messages.edit_message(conn, id=root.id, content="root, edited", content_parts=None)
        file = await add_file(conn, world.a_alice, conversation.id, "a.txt")
        await messages.attach_files_to_message(conn, message_id=root.id, file_ids=[file.id])
    async with acting_as(conn, world.a_bob):
        reply = await post(conn, conversation.id, world.bob, "reply", parent=root.id)
        assert await messages.delete_message(conn, id=root.id) == 0, "not his"
    async with acting_as(conn, world.a_alice):
        assert await messages.delete_message(conn, id=root.id) == 1
        orphan = await messages.get_message(conn, id=reply.id)
        assert orphan is not None and orphan.parent_message_id is None
        assert await messages.list_message_versions(conn, message_id=root.id) == []
        assert await messages.list_message_files(conn, message_id=root.id) == []
        assert await files.get_file(conn, id=file.id) is not None, "the file stays in the conversation"
    async with acting_as(conn, world.a_bob):
        assert await messages.delete_message(conn, id=reply.id) == 1
    assert await counters(conn, conversation.id) == (0, 0, 0)


