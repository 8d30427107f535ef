"""Retention through the API and storage: the owner's hold flag, and files of expired conversations
leaving storage only after their rows (on the local tree and on S3)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import obstore
from support import Client, TokenFactory, bearer, new_conversation, problem

from jobs.retention import run_retention
from server.config import Config
from server.files.storage import S3Storage, open_storage

NOW = datetime.now(UTC) + timedelta(days=31)


async def stored(config: Config) -> set[str]:
    """Every object the configured storage holds."""
    if config.workspaces_url:
        storage = S3Storage.from_config(config)
        found: set[str] = set()
        async for batch in obstore.list(storage.store):
            found.update(item["path"] for item in batch)
        return found
    root = config.workspaces_dir
    return {str(Path(folder, name).relative_to(root)) for folder, _, names in os.walk(root) for name in names}


async def upload(client: Client, tok: str, conversation_id: str, data: bytes) -> str:
    form = aiohttp.FormData()
    form.add_field("file", data, filename="notes.txt", content_type="text/plain")
    resp = await client.post(f"/v1/conversations/{conversation_id}/files", data=form, headers=bearer(tok))
    assert resp.status == 201, await resp.text()
    return str((await resp.json())["id"])


async def test_the_owner_holds_a_conversation_and_retention_keeps_it(
    client: Client, token: TokenFactory, conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    owner = token("user_alice", "org_a", "member")
    held, expiring = await new_conversation(client, owner), await new_conversation(client, owner)
    resp = await client.patch(f"/v1/conversations/{held}", json={"retention_hold": True}, headers=bearer(owner))
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["retention_hold"] is True
    got = await (await client.get(f"/v1/conversations/{expiring}", headers=bearer(owner))).json()
    assert got["retention_hold"] is False
    await problem(
        await client.patch(f"/v1/conversations/{held}", json={"retention_hold": "yes"}, headers=bearer(owner)),
        422, "validation_failed",
    )
    report = await run_retention(conn, None, now=NOW)
    assert report.counts["conversations"] == 1
    assert {str(r["id"]) for r in await db.fetch("SELECT id FROM conversations")} == {held}
    # Released, it expires like any other.
    resp = await client.patch(f"/v1/conversations/{held}", json={"retention_hold": False}, headers=bearer(owner))
    assert resp.status == 200
    await run_retention(conn, None, now=NOW)
    assert await db.fetchval("SELECT count(*) FROM conversations") == 0


async def test_only_the_owner_sets_the_hold(client: Client, token: TokenFactory, db: asyncpg.Connection) -> None:
    owner = token("user_alice", "org_a", "member")
    other = token("user_bob", "org_a", "member")
    conversation = await new_conversation(client, owner)
    await client.get("/v1/me", headers=bearer(other))  # provisions bob
    bob = await db.fetchval("SELECT id FROM users WHERE clerk_user_id = 'user_bob'")
    resp = await client.post(f"/v1/conversations/{conversation}/shares", json={"user_id": str(bob)}, headers=bearer(owner))
    assert resp.status == 201, await resp.text()
    url = f"/v1/conversations/{conversation}"
    await problem(await client.patch(url, json={"retention_hold": True}, headers=bearer(other)), 403, "forbidden")
    assert await db.fetchval("SELECT retention_hold FROM conversations") is False


async def test_files_of_expired_conversations_leave_storage_after_their_rows(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    tok = token()
    expiring, kept = await new_conversation(files_client, tok), await new_conversation(files_client, tok)
    for n in range(3):
        await upload(files_client, tok, expiring, f"old {n}\n".encode())
    survivor = await upload(files_client, tok, kept, b"kept\n")
    await files_client.patch(f"/v1/conversations/{kept}", json={"retention_hold": True}, headers=bearer(tok))
    before = await stored(storage_config)
    assert len(before) == 4
    storage = open_storage(storage_config)
    try:
        # A run whose drain never happens (a crash after the deletes committed): the rows are gone, every
        # object is still there and queued; no row points at a missing object.
        first = await run_retention(conn, storage, now=NOW, batch=1, drain=False)
        assert first.counts["files"] == 3 and first.files_removed == 0
        (row,) = await db.fetch("SELECT id, path FROM files")
        assert str(row["id"]) == survivor
        assert await stored(storage_config) == before
        queued = {r["path"] for r in await db.fetch("SELECT path FROM file_deletions WHERE reason = 'deleted'")}
        assert queued == before - {row["path"]}
        # The next run drains what the first left.
        second = await run_retention(conn, storage, now=NOW)
        assert second.files_removed == 3 and second.counts == {}
        assert await stored(storage_config) == {row["path"]}
        assert await db.fetchval("SELECT count(*) FROM file_deletions") == 0
    finally:
        await storage.close()
    resp = await files_client.get(f"/v1/files/{survivor}/content", headers=bearer(tok))
    assert resp.status == 200 and await resp.read() == b"kept\n"
