"""The file outbox in the database: who may write it, the delete trigger, and draining it against real storage.

Crashes are reproduced by stopping where the server would have died: an upload
that reserved its path and wrote its object but never recorded the row; a
delete that committed but never drained. The drain (and `python -m
jobs.file_outbox`) must then finish the work on either backend.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pytest
from isolation import acting_as, acting_as_system, refused
from tenants import World, make_world

from gen import files as q
from gen.models import FileKind, FileStatus
from server.config import ROOT, Config
from server.files.outbox import drain_batch
from server.files.storage import S3Storage, Storage, open_storage


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    return await make_world(conn)


@pytest.fixture
async def storage(storage_config: Config) -> AsyncIterator[Storage]:
    store = open_storage(storage_config)
    yield store
    await store.close()


def object_path(world: World, name: str) -> str:
    return f"{world.org_a}/{world.alice}/{world.conversation}/files/uploads/{name}"


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def record_file(conn: asyncpg.Connection, world: World, path: str) -> UUID:
    async with acting_as(conn, world.a_alice):
        row = await q.create_file(
            conn, id=None, conversation_id=world.conversation, created_by=world.alice, kind=FileKind.UPLOAD,
            status=FileStatus.READY, name=path.rsplit("/", 1)[1], original_name="a.txt", path=path,
            mime_type="text/plain", size_bytes=5, sha256="0" * 64, metadata=None,
        )
    assert row is not None
    return row.id


async def entries(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT path, reason, attempts, last_error, not_before FROM file_deletions"))


async def drain(conn: asyncpg.Connection, storage: Storage, *, now: datetime | None = None) -> tuple[int, int, int]:
    async with acting_as_system(conn):
        drained = await drain_batch(conn, storage, now=now)
    return drained.removed, drained.stale, drained.failed


async def test_members_reserve_upload_paths_only_in_their_own_organization(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        await q.reserve_file_path(conn, organization_id=world.org_a, path=object_path(world, "a.bin"))
        async with refused(conn, asyncpg.InsufficientPrivilegeError):  # RLS: another organization's id
            await q.reserve_file_path(conn, organization_id=world.org_b, path=f"{world.org_b}/x/y/files/uploads/z")
        async with refused(conn, asyncpg.CheckViolationError):  # its own id, another organization's tree
            await q.reserve_file_path(conn, organization_id=world.org_a, path=f"{world.org_b}/x/y/files/uploads/z")
        async with refused(conn):  # only the reservation columns: no 'deleted' entry, no due date of its own
            await conn.execute(
                "INSERT INTO file_deletions (organization_id, path, reason, not_before) VALUES ($1, $2, 'deleted', now())",
                world.org_a, object_path(world, "b.bin"),
            )
    async with acting_as(conn, world.b_carol):  # carol sees and releases none of A's reservations
        assert await conn.fetchval("SELECT count(*) FROM file_deletions") == 0
        assert await q.release_file_path(conn, path=object_path(world, "a.bin")) == 0
    async with acting_as(conn, world.a_dave):
        assert await conn.fetchval("SELECT count(*) FROM file_deletions") == 1
    assert [e["reason"] for e in await entries(conn)] == ["upload"]


async def test_deleting_files_rows_queues_their_objects_in_the_same_transaction(
    conn: asyncpg.Connection, world: World
) -> None:
    path = object_path(world, "c.txt")
    file_id = await record_file(conn, world, path)
    with pytest.raises(RuntimeError):
        async with acting_as(conn, world.a_alice):
            assert await q.delete_file(conn, id=file_id) is not None
            raise RuntimeError("rolled back")
    assert await entries(conn) == []  # the queue rolls back with the delete
    async with acting_as(conn, world.a_alice):
        await q.delete_file(conn, id=file_id)
        # Tenants never see deletions, only reservations.
        assert await conn.fetchval("SELECT count(*) FROM file_deletions") == 0
    (entry,) = await entries(conn)
    assert entry["path"] == path and entry["reason"] == "deleted"
    # A conversation's delete cascades to its files: each is queued too.
    second = await record_file(conn, world, object_path(world, "d.txt"))
    async with acting_as(conn, world.a_alice):
        await conn.execute("DELETE FROM conversations WHERE id = $1", world.conversation)
    assert {e["path"] for e in await entries(conn)} == {path, object_path(world, "d.txt")}
    assert second


async def test_an_upload_the_server_never_finished_is_removed_a_day_later(
    conn: asyncpg.Connection, world: World, storage: Storage
) -> None:
    path = object_path(world, "orphan.bin")
    async with acting_as(conn, world.a_alice):
        await q.reserve_file_path(conn, organization_id=world.org_a, path=path)
    await storage.write(path, chunks(b"half an upload"))  # ... and the server died before the row
    assert await drain(conn, storage) == (0, 0, 0)  # not due: the upload may still be running
    assert await storage.exists(path)
    assert await drain(conn, storage, now=datetime.now(UTC) + timedelta(days=1, seconds=1)) == (1, 0, 0)
    assert not await storage.exists(path) and await entries(conn) == []


async def test_an_upload_whose_reservation_was_drained_records_no_row(conn: asyncpg.Connection, world: World) -> None:
    path = object_path(world, "slow.bin")
    async with acting_as(conn, world.a_alice):
        await q.reserve_file_path(conn, organization_id=world.org_a, path=path)
    await conn.execute("DELETE FROM file_deletions")  # drained after a day
    async with acting_as(conn, world.a_alice):
        assert await q.release_file_path(conn, path=path) == 0  # the upload handler refuses to record it


async def test_a_delete_that_crashed_before_draining_is_finished_by_the_job(
    conn: asyncpg.Connection, world: World, storage: Storage, storage_config: Config, database_url: str
) -> None:
    paths = [object_path(world, f"gone-{i}.txt") for i in range(3)]
    for path in paths:
        await storage.write(path, chunks(b"bytes"))
        await record_file(conn, world, path)
    async with acting_as(conn, world.a_alice):
        await conn.execute("DELETE FROM files")  # committed; the server died before draining
    assert len(await entries(conn)) == 3 and all([await storage.exists(p) for p in paths])
    env = _job_env(storage_config, database_url)
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "jobs.file_outbox", "--once", "--batch", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "removed 2 object(s)" in result.stderr and "removed 1 object(s)" in result.stderr
    assert not any([await storage.exists(p) for p in paths]) and await entries(conn) == []


def _job_env(config: Config, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WORKSPACES_"))}
    env |= {"DATABASE_URL": database_url, "WORKSPACES_DIR": str(config.workspaces_dir)}
    if config.workspaces_url:
        env |= {
            "WORKSPACES_URL": config.workspaces_url,
            "AWS_ENDPOINT_URL": config.s3_endpoint or "",
            "AWS_REGION": config.s3_region or "",
            "AWS_ACCESS_KEY_ID": config.s3_access_key_id or "",
            "AWS_SECRET_ACCESS_KEY": config.s3_secret_access_key or "",
        }
    return env


async def test_an_entry_whose_path_a_row_owns_is_dropped_and_the_object_kept(
    conn: asyncpg.Connection, world: World, storage: Storage
) -> None:
    path = object_path(world, "kept.txt")
    await storage.write(path, chunks(b"keep me"))
    await record_file(conn, world, path)
    async with acting_as_system(conn):  # a stray entry (nothing the server writes): the row wins
        await conn.execute(
            "INSERT INTO file_deletions (organization_id, path, reason, not_before) VALUES ($1, $2, 'deleted', now())",
            world.org_a, path,
        )
    assert await drain(conn, storage) == (0, 1, 0)
    assert await storage.exists(path) and await entries(conn) == []


async def test_a_failed_removal_is_recorded_and_retried_after_a_backoff(
    conn: asyncpg.Connection, world: World, s3_server: object, storage_config: Config
) -> None:
    if not storage_config.workspaces_url:
        pytest.skip("a storage that refuses: the S3 server with a wrong secret")
    broken = S3Storage.from_config(dataclasses.replace(storage_config, s3_secret_access_key="wrong-secret"))
    good = open_storage(storage_config)
    path = object_path(world, "stuck.txt")
    await good.write(path, chunks(b"still here"))
    file_id = await record_file(conn, world, path)
    async with acting_as(conn, world.a_alice):
        await q.delete_file(conn, id=file_id)
    now = datetime.now(UTC)
    assert await drain(conn, broken, now=now) == (0, 0, 1)
    (entry,) = await entries(conn)
    assert entry["attempts"] == 1 and "PermissionDenied" in entry["last_error"]
    assert entry["not_before"] == now + timedelta(minutes=1)
    assert await drain(conn, good, now=now) == (0, 0, 0)  # backing off
    assert await drain(conn, good, now=now + timedelta(minutes=2)) == (1, 0, 0)
    assert not await good.exists(path) and await entries(conn) == []


async def test_two_drainers_never_take_one_entry(conn: asyncpg.Connection, world: World, database_url: str, storage: Storage) -> None:
    for i in range(4):
        file_id = await record_file(conn, world, object_path(world, f"p{i}.txt"))
        async with acting_as(conn, world.a_alice):
            await q.delete_file(conn, id=file_id)
    other = await asyncpg.connect(database_url)
    try:
        async with acting_as_system(conn):
            first = await q.claim_file_deletions(conn, now=datetime.now(UTC), organization_id=None, paths=None, limit=2)
            async with acting_as_system(other):
                second = await q.claim_file_deletions(
                    other, now=datetime.now(UTC), organization_id=None, paths=None, limit=10
                )
        assert len(first) == 2 and len(second) == 2
        assert {e.id for e in first}.isdisjoint(e.id for e in second)
    finally:
        await other.close()


def test_local_paths_outside_the_server_chosen_shape_are_refused(tmp_path: Path) -> None:
    from server.files.storage import LocalStorage, check_path

    for bad in ("../x", "/etc/passwd", "a//b", "a/./b", "a/../b", "a\\b", "a/b\x00", "", ".hidden/x"):
        with pytest.raises(ValueError):
            check_path(bad)
    assert LocalStorage(tmp_path).root == tmp_path
    assert check_path(f"{uuid4()}/files/uploads/ab12.png")[-1] == "ab12.png"
