"""The work aggregate (tasks, artifacts) through the generated code."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from isolation import Tenant, acting_as, acting_as_system, leaks, refused, visible_rows
from tenants import World, make_world

from gen import artifacts, conversations, init_connection, tasks, tenancy
from gen.models import ArtifactType, Task, TaskStatus

TABLES = ["tasks", "artifacts"]


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    """Organizations A and B with users, an agent each, and alice's conversation shared with bob."""
    return await make_world(conn)


async def delegate(
    conn: asyncpg.Connection, world: World, tenant: Tenant, task_type: str = "summarize", *,
    agent: UUID | None = None, conversation: UUID | None = None, **fields: Any,
) -> Task:
    values: dict[str, Any] = {"input": {"text": "..."}, "max_attempts": None, "run_after": None, "created_by": tenant.user} | fields
    task = await tasks.create_task(
        conn, organization_id=tenant.org, conversation_id=conversation, agent_id=agent or world.agent_a, task_type=task_type, **values
    )
    assert task is not None
    return task


async def add_artifact(conn: asyncpg.Connection, tenant: Tenant, name: str = "main.py", **fields: Any) -> Any:
    values: dict[str, Any] = {
        "conversation_id": None, "task_id": None, "agent_id": None, "created_by": tenant.user, "content": "print(1)",
        "mime_type": "text/x-python", "metadata": None, "artifact_type": ArtifactType.CODE,
    } | fields
    made = await artifacts.create_artifact(conn, organization_id=tenant.org, name=name, **values)
    assert made is not None
    return made


async def claim(conn: asyncpg.Connection, worker: str, limit: int = 10, agent: UUID | None = None) -> list[Task]:
    return await tasks.claim_tasks(conn, worker=worker, agent_id=agent, limit=limit)


async def filled_rows(conn: asyncpg.Connection, world: World) -> dict[str, dict[str, UUID]]:
    """Organization-wide and conversation tasks and artifacts of A."""
    rows: dict[str, dict[str, UUID]] = {}
    async with acting_as(conn, world.a_alice):
        for name, conversation in (("organization", None), ("conversation", world.conversation)):
            task = await delegate(conn, world, world.a_alice, conversation=conversation)
            art = await add_artifact(conn, world.a_alice, conversation_id=conversation, task_id=task.id)
            rows[name] = {"tasks": task.id, "artifacts": art.id}
    return rows


async def test_task_tables_are_isolated_between_organizations(conn: asyncpg.Connection, world: World) -> None:
    for rows in (await filled_rows(conn, world)).values():
        for table, row_id in rows.items():
            assert await leaks(conn, table, row_id, world.b_carol) == [], table


async def test_conversation_tasks_follow_the_conversations_access(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    for table, row_id in rows["conversation"].items():
        assert await leaks(conn, table, row_id, world.a_dave) == [], table
    async with acting_as(conn, world.a_bob):
        assert await tasks.get_task(conn, id=rows["conversation"]["tasks"]) is not None
    async with acting_as(conn, world.a_dave):
        assert await tasks.get_task(conn, id=rows["organization"]["tasks"]) is not None
        assert [t.id for t in await claim(conn, "dave-worker")] == [rows["organization"]["tasks"]], "a tenant worker runs what it can see"


async def test_with_no_tenant_set_no_task_is_visible(conn: asyncpg.Connection, world: World) -> None:
    await filled_rows(conn, world)
    assert await visible_rows(conn, TABLES) == {}


async def test_tasks_are_delegated_only_to_agents_the_organization_may_use(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        async with refused(conn):
            await delegate(conn, world, world.a_alice, agent=world.agent_b)
        async with refused(conn):
            await delegate(conn, world, world.a_alice, created_by=world.bob)
    async with acting_as(conn, world.a_dave):
        async with refused(conn):
            await delegate(conn, world, world.a_dave, conversation=world.conversation)


async def test_two_workers_claiming_at_once_never_claim_one_task_twice(conn: asyncpg.Connection, database_url: str, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        made = {(await delegate(conn, world, world.a_alice, f"t{i}")).id for i in range(30)}
    async with acting_as(conn, world.b_carol):
        made |= {(await delegate(conn, world, world.b_carol, f"b{i}", agent=world.agent_b)).id for i in range(10)}
    workers = [await asyncpg.connect(database_url) for _ in range(2)]
    for w in workers:
        await init_connection(w)

    async def run(w: asyncpg.Connection, name: str) -> list[UUID]:
        claimed: list[UUID] = []
        while True:
            async with w.transaction():
                await tenancy.enter_system(w)
                batch = await claim(w, name, limit=3)
                await asyncio.sleep(0.01)  # hold the locks a moment: the other worker must skip them
            if not batch:
                return claimed
            assert all(t.status == TaskStatus.RUNNING and t.locked_by == name and t.attempts == 1 for t in batch)
            claimed.extend(t.id for t in batch)

    try:
        first, second = await asyncio.gather(run(workers[0], "w1"), run(workers[1], "w2"))
    finally:
        for w in workers:
            await w.close()
    assert not set(first) & set(second), "a task claimed twice"
    assert sorted(first + second) == sorted(made) and first and second


async def test_a_task_is_claimed_only_when_due_and_completed_only_by_its_worker(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        later = await delegate(conn, world, world.a_alice, "later", run_after=datetime.now().astimezone() + timedelta(hours=1))
        now = await delegate(conn, world, world.a_alice, "now")
    async with acting_as_system(conn):
        claimed = await claim(conn, "w1")
        assert [t.id for t in claimed] == [now.id]
        assert claimed[0].started_at is not None and claimed[0].locked_at is not None
        assert await tasks.complete_task(conn, id=now.id, worker="w2", output={"ok": True}) is None
        done = await tasks.complete_task(conn, id=now.id, worker="w1", output={"summary": "short"})
        assert done is not None and done.status == TaskStatus.SUCCEEDED and done.output == {"summary": "short"}
        assert done.locked_by is None and done.finished_at is not None
        assert await tasks.complete_task(conn, id=now.id, worker="w1", output=None) is None, "finished already"
        assert await claim(conn, "w1") == []
    assert later.status == TaskStatus.PENDING


async def test_failed_attempts_back_off_until_max_attempts(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        task = await delegate(conn, world, world.a_alice, max_attempts=2)
    async with acting_as_system(conn):
        await claim(conn, "w")
        retry = await tasks.fail_task(conn, id=task.id, worker="w", error="timeout", backoff_seconds=30)
        assert retry is not None and retry.status == TaskStatus.PENDING and retry.error == "timeout"
        wait = retry.run_after - retry.updated_at
        assert timedelta(seconds=29) < wait <= timedelta(seconds=31)
        assert await claim(conn, "w") == [], "backing off"
        await conn.execute("UPDATE tasks SET run_after = now() WHERE id = $1", task.id)  # time passes (as the test's superuser)
        again = await claim(conn, "w")
        assert [(t.id, t.attempts, t.error) for t in again] == [(task.id, 2, None)]
        final = await tasks.fail_task(conn, id=task.id, worker="w", error="timeout again", backoff_seconds=30)
        assert final is not None and final.status == TaskStatus.FAILED and final.finished_at is not None and final.attempts == 2
        assert await claim(conn, "w") == []


async def test_expired_leases_are_released_and_cancelled_tasks_cannot_be_completed(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        stuck = await delegate(conn, world, world.a_alice, "stuck")
        cancelled = await delegate(conn, world, world.a_alice, "cancelled")
    async with acting_as_system(conn):
        assert len(await claim(conn, "dead-worker")) == 2
    await conn.execute("UPDATE tasks SET locked_at = now() - interval '1 hour' WHERE id = $1", stuck.id)
    async with acting_as(conn, world.a_bob):
        done = await tasks.cancel_task(conn, id=cancelled.id)
        assert done is not None and done.status == TaskStatus.CANCELLED and done.finished_at is not None
        assert await tasks.cancel_task(conn, id=cancelled.id) is None
    async with acting_as_system(conn):
        assert await tasks.complete_task(conn, id=cancelled.id, worker="dead-worker", output=None) is None
        assert await tasks.release_expired_tasks(conn, lease_seconds=600) == 1
        released = await claim(conn, "w2")
        assert [(t.id, t.attempts) for t in released] == [(stuck.id, 2)]


async def test_task_checks_refuse_bad_values(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        for fields, constraint in (
            ({"max_attempts": 0}, "tasks_max_attempts_check"),
            ({"input": ["x"]}, "tasks_input_check"),
        ):
            async with refused(conn, asyncpg.CheckViolationError) as error:
                await delegate(conn, world, world.a_alice, **fields)
            assert error.value.constraint_name == constraint
        async with refused(conn, asyncpg.CheckViolationError) as error:
            await delegate(conn, world, world.a_alice, " ")
        assert error.value.constraint_name == "tasks_task_type_check"
        task = await delegate(conn, world, world.a_alice, max_attempts=1)
        async with refused(conn, asyncpg.CheckViolationError) as error:
            await conn.execute("UPDATE tasks SET attempts = 2 WHERE id = $1", task.id)
        assert error.value.constraint_name == "tasks_attempts_within_max"
        async with refused(conn, asyncpg.CheckViolationError) as error:
            await conn.execute("UPDATE tasks SET status = 'running' WHERE id = $1", task.id)
        assert error.value.constraint_name == "tasks_running_tasks_are_locked"
        async with refused(conn):
            await conn.execute("UPDATE tasks SET agent_id = $2 WHERE id = $1", task.id, world.agent_a)


async def test_task_pages_and_filters(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        made = [await delegate(conn, world, world.a_alice, f"t{i}", conversation=world.conversation if i % 2 else None) for i in range(9)]
        seen: list[Task] = []
        cursor: tuple[datetime | None, UUID | None] = (None, None)
        while page := await tasks.list_tasks(
            conn, organization_id=world.org_a, status=TaskStatus.PENDING, agent_id=world.agent_a, conversation_id=None,
            cursor_at=cursor[0], cursor_id=cursor[1], limit=4,
        ):
            seen.extend(page)
            cursor = (page[-1].created_at, page[-1].id)
        assert [t.id for t in seen] == [t.id for t in reversed(made)]
        in_conversation = await tasks.list_tasks(
            conn, organization_id=world.org_a, status=None, agent_id=None, conversation_id=world.conversation,
            cursor_at=None, cursor_id=None, limit=20,
        )
        assert len(in_conversation) == 4


async def test_conversation_task_count_follows_inserts_and_deletes(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_bob):
        one = await delegate(conn, world, world.a_bob, conversation=world.conversation)
        await delegate(conn, world, world.a_bob, conversation=world.conversation)
        await delegate(conn, world, world.a_bob)
    assert await conn.fetchval("SELECT task_count FROM conversations WHERE id = $1", world.conversation) == 2
    async with acting_as(conn, world.a_bob):
        assert await tasks.delete_task(conn, id=one.id) == 1
    assert await conn.fetchval("SELECT task_count FROM conversations WHERE id = $1", world.conversation) == 1


async def test_artifacts_are_stored_updated_listed_and_deleted(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        task = await delegate(conn, world, world.a_alice)
        code = await add_artifact(conn, world.a_alice, "main.py", task_id=task.id, agent_id=world.agent_a)
        doc = await add_artifact(conn, world.a_alice, "README.md", artifact_type=ArtifactType.DOCUMENT, content="# Hi", mime_type="text/markdown")
        updated = await artifacts.update_artifact(conn, id=code.id, name=None, content="print(2)", mime_type=None, metadata={"lang": "python"})
        assert updated is not None and (updated.content, updated.metadata, updated.name) == ("print(2)", {"lang": "python"}, "main.py")
        by_task = await artifacts.list_artifacts(
            conn, organization_id=world.org_a, conversation_id=None, task_id=task.id, artifact_type=None,
            cursor_at=None, cursor_id=None, limit=10,
        )
        assert [a.id for a in by_task] == [code.id]
        documents = await artifacts.list_artifacts(
            conn, organization_id=world.org_a, conversation_id=None, task_id=None, artifact_type=ArtifactType.DOCUMENT,
            cursor_at=None, cursor_id=None, limit=10,
        )
        assert [a.id for a in documents] == [doc.id]
        async with refused(conn, asyncpg.CheckViolationError):
            await add_artifact(conn, world.a_alice, " ")
        assert await artifacts.delete_artifact(conn, id=doc.id) == 1
        assert await artifacts.get_artifact(conn, id=doc.id) is None
    async with acting_as(conn, world.b_carol):
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            async with conn.transaction():
                await add_artifact(conn, world.b_carol, "theirs.py", task_id=task.id)  # A's task: the key includes the organization


async def test_deleting_a_task_keeps_its_artifacts_and_deleting_an_agent_removes_its_tasks(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        task = await delegate(conn, world, world.a_alice)
        art = await add_artifact(conn, world.a_alice, task_id=task.id, agent_id=world.agent_a)
        assert await tasks.delete_task(conn, id=task.id) == 1
        kept = await artifacts.get_artifact(conn, id=art.id)
        assert kept is not None and kept.task_id is None and kept.organization_id == world.org_a
        other = await delegate(conn, world, world.a_alice)
    await conn.execute("DELETE FROM agents WHERE id = $1", world.agent_a)
    assert await conn.fetchval("SELECT count(*) FROM tasks WHERE id = $1", other.id) == 0
    assert await conn.fetchval("SELECT agent_id FROM artifacts WHERE id = $1", art.id) is None


async def test_deleting_a_conversation_or_organization_removes_its_work(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    async with acting_as(conn, world.a_alice):
        assert await conversations.delete_conversation(conn, id=world.conversation) == 1
    for table, row_id in rows["conversation"].items():
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", row_id) == 0, table
    await conn.execute("DELETE FROM organizations WHERE id = $1", world.org_a)
    for table in TABLES:
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE organization_id = $1", world.org_a) == 0, table


async def test_the_system_role_runs_tasks_but_does_not_create_or_delete_them(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    async with acting_as_system(conn):
        async with refused(conn):
            await conn.execute("DELETE FROM tasks")
        async with refused(conn):
            await conn.execute("UPDATE tasks SET input = '{}'")
        async with refused(conn):
            await delegate(conn, world, world.a_alice)
        made = await artifacts.create_artifact(
            conn, organization_id=world.org_a, conversation_id=None, task_id=rows["organization"]["tasks"], agent_id=world.agent_a,
            created_by=None, artifact_type=ArtifactType.DATA, name="result.json", content="{}", mime_type="application/json", metadata=None,
        )
        assert made is not None


async def test_the_isolation_check_catches_a_task_policy_without_the_organization(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    await conn.execute('DROP POLICY "members read their organization\'s tasks" ON tasks')
    await conn.execute('CREATE POLICY "everyone reads every task" ON tasks FOR SELECT TO app_tenant USING (true)')
    assert await leaks(conn, "tasks", rows["organization"]["tasks"], world.b_carol) == ["read"]
