"""/v1/conversations/{id}/files and /v1/files: uploads, downloads and deletes on both storage backends.

Every test here runs twice (storage_config): on the local workspace tree and on
a real S3-compatible server (SeaweedFS) started by the tests. `stored()` lists
what the backend really holds, so "nothing left behind" is checked on storage,
not inferred from responses.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import re
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import obstore
import pytest
from support import Client, ClientFactory, TokenFactory, bearer, create_key, new_conversation, problem

from server.app import create_app
from server.config import Config
from server.files.storage import S3Storage, open_storage

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


async def stored(config: Config) -> set[str]:
    """Every object the configured storage holds (temporary files and incomplete uploads included)."""
    if config.workspaces_url:
        storage = S3Storage.from_config(config)
        found: set[str] = set()
        async for batch in obstore.list(storage.store):
            found.update(item["path"] for item in batch)
        return found
    root = config.workspaces_dir
    return {
        str(Path(folder, name).relative_to(root))
        for folder, _, names in os.walk(root)
        for name in names
    }


async def upload(
    client: Client,
    tok: str,
    conversation_id: str,
    data: bytes,
    *,
    filename: str = "report.png",
    content_type: str = "image/png",
    kind: str | None = None,
    status: int = 201,
) -> dict[str, Any]:
    form = aiohttp.FormData(quote_fields=False)
    if kind is not None:
        form.add_field("kind", kind)
    form.add_field("file", data, filename=filename, content_type=content_type)
    resp = await client.post(f"/v1/conversations/{conversation_id}/files", data=form, headers=bearer(tok))
    assert resp.status == status, await resp.text()
    body: dict[str, Any] = await resp.json(content_type=None)
    return body


async def raw_upload(client: Client, tok: str, conversation_id: str, data: bytes, filename: str) -> Any:
    """An upload whose file name goes out exactly as given, in UTF-8 (as curl sends it), control characters too."""
    boundary = "rawboundary7f3a"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    headers = bearer(tok) | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return await client.post(f"/v1/conversations/{conversation_id}/files", data=body, headers=headers)


async def rows(conn: asyncpg.Connection, table: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(f"SELECT * FROM {table}"))


async def test_an_upload_is_stored_by_a_server_chosen_name_and_downloaded_whole(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection
) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    created = await upload(files_client, tok, conversation, PNG, filename="Quarterly chart.png")
    assert created["filename"] == "Quarterly chart.png" and created["content_type"] == "image/png"
    assert created["size_bytes"] == len(PNG) and created["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert created["kind"] == "upload" and created["status"] == "ready" and "path" not in created

    (row,) = await rows(conn, "files")
    owner = await conn.fetchval("SELECT user_id FROM conversations WHERE id = $1", row["conversation_id"])
    assert row["path"] == f"{row['organization_id']}/{owner}/{conversation}/files/uploads/{row['id'].hex}.png"
    assert await stored(storage_config) == {row["path"]}
    assert await rows(conn, "file_deletions") == []  # the reservation went with the row's commit

    resp = await files_client.get(f"/v1/files/{created['id']}/content", headers=bearer(tok))
    assert resp.status == 200 and await resp.read() == PNG
    assert resp.headers["Content-Type"] == "image/png" and resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["ETag"] == f'"{created["sha256"]}"' and resp.headers["Accept-Ranges"] == "bytes"
    assert resp.headers["Content-Disposition"].startswith('inline; filename="Quarterly chart.png"')
    assert await (await files_client.get(f"/v1/files/{created['id']}", headers=bearer(tok))).json() == created
    listed = await (await files_client.get(f"/v1/conversations/{conversation}/files", headers=bearer(tok))).json()
    assert listed["items"] == [created]


async def test_generated_files_and_attachments_have_folders_of_their_own(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection
) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    generated = await upload(files_client, tok, conversation, b"print('hi')\n", filename="x.py", kind="generated")
    attached = await upload(files_client, tok, conversation, PNG, kind="attachment")
    paths = {r["id"]: r["path"] for r in await rows(conn, "files")}
    assert "/files/generated/" in paths[_uuid(generated)] and "/files/attachments/" in paths[_uuid(attached)]
    assert await stored(storage_config) == set(paths.values())
    only = await files_client.get(f"/v1/conversations/{conversation}/files?kind=generated", headers=bearer(tok))
    assert [f["id"] for f in (await only.json())["items"]] == [generated["id"]]
    await problem(await files_client.post(
        f"/v1/conversations/{conversation}/files", data=_form(PNG, kind="secret"), headers=bearer(tok)
    ), 422, "validation_failed")


def _uuid(created: dict[str, Any]) -> Any:
    import uuid

    return uuid.UUID(created["id"])


def _form(data: bytes, *, kind: str | None = None, filename: str = "f.bin") -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    if kind is not None:
        form.add_field("kind", kind)
    form.add_field("file", data, filename=filename, content_type="application/octet-stream")
    return form


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../../etc/passwd", "passwd"),
        ("/etc/shadow", "shadow"),
        ("C:\\\\Users\\\\a\\\\evil.bat", "evil.bat"),  # quoted-string escapes: C:\\Users\\a\\evil.bat
        ("in\u200bvisible\u2066.txt", "invisible.txt"),
        ("x" * 300 + ".txt", "x" * 255),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("..", None),
        ("名前 ファイル.txt", "名前 ファイル.txt"),
    ],
)
async def test_hostile_file_names_are_kept_only_as_display_names(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection, given: str, kept: str | None
) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    resp = await raw_upload(files_client, tok, conversation, b"plain text\n", given)
    assert resp.status == 201, await resp.text()
    created = await resp.json()
    assert created["filename"] == kept
    (row,) = await rows(conn, "files")
    assert re.fullmatch(r"[0-9a-f]{32}\.txt", row["name"]) and row["path"].endswith("/files/uploads/" + row["name"])
    assert await stored(storage_config) == {row["path"]}
    resp = await files_client.get(f"/v1/files/{created['id']}/content", headers=bearer(tok))
    disposition = resp.headers["Content-Disposition"]
    assert disposition.isascii() and not any(ord(ch) < 32 for ch in disposition)
    assert "/" not in disposition.split("filename*=")[0] and "\\" not in disposition


async def test_a_file_name_with_nul_is_422_and_stores_nothing(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection
) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    body = await problem(await raw_upload(files_client, tok, conversation, b"x", "a\x00b.txt"), 422, "validation_failed")
    assert body["errors"][0]["loc"] == ["body"] and "headers" in body["errors"][0]["message"]
    assert await stored(storage_config) == set() and await rows(conn, "files") == []


@pytest.mark.parametrize(
    ("data", "content_type", "disposition"),
    [
        (HTML, "text/html", "attachment"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "image/svg+xml", "attachment"),
        (b'<?xml version="1.0"?><note>hi</note>', "application/xml", "attachment"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", "inline"),
        (b"alert(document.cookie)\n", "text/plain; charset=utf-8", "inline"),
        (bytes(range(256)), "application/octet-stream", "attachment"),
    ],
)
async def test_the_content_type_comes_from_the_content_and_active_content_is_an_attachment(
    files_client: Client, token: TokenFactory, data: bytes, content_type: str, disposition: str
) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    # The client claims a harmless image: the server looks at the bytes instead.
    created = await upload(files_client, tok, conversation, data, filename="photo.png", content_type="image/png")
    assert created["content_type"] == content_type
    resp = await files_client.get(f"/v1/files/{created['id']}/content", headers=bearer(tok))
    assert resp.headers["Content-Type"] == content_type.replace("; charset=", "; charset=")
    assert resp.headers["Content-Disposition"].split(";")[0] == disposition
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert await resp.read() == data


async def test_an_upload_past_the_limit_is_413_and_leaves_nothing(
    storage_config: Config, aiohttp_client: ClientFactory, token: TokenFactory, conn: asyncpg.Connection
) -> None:
    client = await aiohttp_client(create_app(dataclasses.replace(storage_config, max_upload_bytes=100_000)))
    tok = token()
    conversation = await new_conversation(client, tok)
    body = await upload(client, tok, conversation, PNG * 10, status=413)  # 102,490 bytes
    assert body["code"] == "payload_too_large" and "100000 bytes" in body["detail"]
    assert await stored(storage_config) == set()
    assert await rows(conn, "files") == [] and await rows(conn, "file_deletions") == []
    await upload(client, tok, conversation, PNG * 9)  # under the limit: stored


async def test_ranges_etags_and_conditional_downloads(files_client: Client, token: TokenFactory) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    data = bytes(range(256)) * 4096  # 1 MiB
    created = await upload(files_client, tok, conversation, data, filename="blob.bin")
    url, etag = f"/v1/files/{created['id']}/content", f'"{created["sha256"]}"'

    async def get(**headers: str) -> aiohttp.ClientResponse:
        return await files_client.get(url, headers=bearer(tok) | headers)

    resp = await get(Range="bytes=10-19")
    assert resp.status == 206 and await resp.read() == data[10:20]
    assert resp.headers["Content-Range"] == f"bytes 10-19/{len(data)}" and resp.headers["Content-Length"] == "10"
    resp = await get(Range="bytes=-5")
    assert resp.status == 206 and await resp.read() == data[-5:]
    resp = await get(Range=f"bytes={len(data) - 3}-")
    assert resp.status == 206 and await resp.read() == data[-3:]
    resp = await get(Range="bytes=1000-999999999")
    assert resp.status == 206 and await resp.read() == data[1000:]
    unsatisfiable = await get(Range=f"bytes={len(data)}-")
    await problem(unsatisfiable, 416, "range_not_satisfiable")
    assert unsatisfiable.headers["Content-Range"] == f"bytes */{len(data)}"
    for ignored in ("bytes=0-1,5-6", "items=0-5", "bytes=9-3", "nonsense"):
        resp = await get(Range=ignored)
        assert resp.status == 200 and await resp.read() == data, ignored
    resp = await get(**{"If-None-Match": etag})
    assert resp.status == 304 and resp.headers["ETag"] == etag and await resp.read() == b""
    assert (await get(**{"If-None-Match": f'"other", W/{etag}'})).status == 304
    assert (await get(**{"If-None-Match": '"other"'})).status == 200
    resp = await get(Range="bytes=0-0", **{"If-Range": '"stale"'})
    assert resp.status == 200 and len(await resp.read()) == len(data)
    resp = await get(Range="bytes=0-0", **{"If-Range": etag})
    assert resp.status == 206 and await resp.read() == data[:1]


async def test_files_follow_their_conversation_and_other_tenants_get_404(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection
) -> None:
    owner, bob = token("user_alice", "org_a"), token("user_bob", "org_a", "member")
    outsider = token("user_carol", "org_b")
    conversation = await new_conversation(files_client, owner)
    created = await upload(files_client, owner, conversation, PNG)
    file_urls = [f"/v1/files/{created['id']}", f"/v1/files/{created['id']}/content"]
    for tok in (bob, outsider):  # not shared with bob; carol is in another organization
        for url in file_urls:
            await problem(await files_client.get(url, headers=bearer(tok)), 404, "not_found")
        await problem(await files_client.delete(file_urls[0], headers=bearer(tok)), 404, "not_found")
        await problem(
            await files_client.get(f"/v1/conversations/{conversation}/files", headers=bearer(tok)), 404, "not_found"
        )
        await problem(await files_client.post(
            f"/v1/conversations/{conversation}/files", data=_form(PNG), headers=bearer(tok)
        ), 404, "not_found")

    bob_id = (await (await files_client.get("/v1/me", headers=bearer(bob))).json())["user"]["id"]
    share = await files_client.post(
        f"/v1/conversations/{conversation}/shares", json={"user_id": bob_id}, headers=bearer(owner)
    )
    assert share.status == 201, await share.text()
    assert (await files_client.get(file_urls[1], headers=bearer(bob))).status == 200
    bobs = await upload(files_client, bob, conversation, b"bob's notes\n", filename="notes.txt")
    # A user it is shared with deletes their own files, not the owner's; the owner deletes any.
    await problem(await files_client.delete(file_urls[0], headers=bearer(bob)), 403, "forbidden")
    assert (await files_client.delete(f"/v1/files/{bobs['id']}", headers=bearer(owner))).status == 204
    assert len(await rows(conn, "files")) == 1 and len(await stored(storage_config)) == 1


async def test_deleting_a_file_removes_its_object_after_the_row(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection
) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    created = await upload(files_client, tok, conversation, PNG)
    assert len(await stored(storage_config)) == 1
    assert (await files_client.delete(f"/v1/files/{created['id']}", headers=bearer(tok))).status == 204
    assert await stored(storage_config) == set()
    assert await rows(conn, "files") == [] and await rows(conn, "file_deletions") == []
    await problem(await files_client.get(f"/v1/files/{created['id']}", headers=bearer(tok)), 404, "not_found")


async def test_deleting_a_conversation_removes_its_files_objects(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection
) -> None:
    tok = token()
    gone, kept = await new_conversation(files_client, tok), await new_conversation(files_client, tok)
    for data in (PNG, HTML, b"text\n"):
        await upload(files_client, tok, gone, data)
    survivor = await upload(files_client, tok, kept, PNG)
    assert (await files_client.delete(f"/v1/conversations/{gone}", headers=bearer(tok))).status == 204
    (row,) = await rows(conn, "files")
    assert str(row["id"]) == survivor["id"] and await stored(storage_config) == {row["path"]}
    assert await rows(conn, "file_deletions") == []


async def test_concurrent_uploads_are_each_stored_whole(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection
) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    blobs = [os.urandom(200_000 + i * 1000) for i in range(8)]
    created = await asyncio.gather(*(upload(files_client, tok, conversation, b) for b in blobs))
    assert sorted(c["sha256"] for c in created) == sorted(hashlib.sha256(b).hexdigest() for b in blobs)
    assert len(await stored(storage_config)) == 8 and len(await rows(conn, "files")) == 8
    for c, b in zip(created, blobs, strict=True):
        assert await (await files_client.get(f"/v1/files/{c['id']}/content", headers=bearer(tok))).read() == b


async def test_an_upload_cut_off_mid_stream_leaves_nothing(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection
) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    boundary = "cutoffboundary"
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    declared = 8 * 1024 * 1024
    server = files_client.server
    _, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(
        (
            f"POST /v1/conversations/{conversation}/files HTTP/1.1\r\nHost: {server.host}\r\n"
            f"Authorization: Bearer {tok}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {declared}\r\n\r\n"
        ).encode()
        + head
        + os.urandom(6 * 1024 * 1024)  # more than one S3 part has gone out when the client vanishes
    )
    await writer.drain()
    await asyncio.sleep(0.5)
    writer.close()
    for _ in range(100):  # the server notices the hang-up and cleans up
        if not await stored(storage_config) and not await rows(conn, "file_deletions"):
            break
        await asyncio.sleep(0.1)
    assert await stored(storage_config) == set()
    assert await rows(conn, "files") == [] and await rows(conn, "file_deletions") == []


async def test_a_database_failure_between_the_object_and_the_row_leaves_nothing(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection
) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    await conn.execute(
        """CREATE FUNCTION public.fail_file_insert() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'disk full' USING ERRCODE = '53100'; END $$;
           CREATE TRIGGER files_fail BEFORE INSERT ON files FOR EACH ROW EXECUTE FUNCTION public.fail_file_insert();"""
    )
    resp = await files_client.post(f"/v1/conversations/{conversation}/files", data=_form(PNG), headers=bearer(tok))
    assert resp.status >= 500, await resp.text()
    assert await stored(storage_config) == set()
    assert await rows(conn, "files") == [] and await rows(conn, "file_deletions") == []


async def test_attached_files_are_listed_with_their_message(files_client: Client, token: TokenFactory) -> None:
    tok = token()
    conversation, other = await new_conversation(files_client, tok), await new_conversation(files_client, tok)
    mine = await upload(files_client, tok, conversation, PNG)
    elsewhere = await upload(files_client, tok, other, PNG)
    url = f"/v1/conversations/{conversation}/messages"
    resp = await files_client.post(url, json={"content": "see chart", "file_ids": [mine["id"]]}, headers=bearer(tok))
    assert resp.status == 201, await resp.text()
    message = await resp.json()
    assert message["file_ids"] == [mine["id"]]
    got = await (await files_client.get(f"/v1/messages/{message['id']}", headers=bearer(tok))).json()
    assert got["file_ids"] == [mine["id"]]
    resp = await files_client.post(url, json={"content": "x", "file_ids": [elsewhere["id"]]}, headers=bearer(tok))
    await problem(resp, 409, "conflict")


async def test_api_keys_cannot_upload_files_to_conversations(files_client: Client, token: TokenFactory) -> None:
    tok = token()
    conversation = await new_conversation(files_client, tok)
    secret = (await create_key(files_client, tok))["secret"]
    resp = await files_client.post(
        f"/v1/conversations/{conversation}/files", data=_form(PNG), headers={"X-API-Key": secret}
    )
    await problem(resp, 403, "user_required")


async def test_storage_is_the_configured_backend(storage_config: Config) -> None:
    storage = open_storage(storage_config)
    assert ("S3 bucket" in storage.description) == bool(storage_config.workspaces_url)


async def test_a_symlink_planted_in_the_workspace_tree_is_never_followed(
    files_client: Client, token: TokenFactory, storage_config: Config, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    if storage_config.workspaces_url:
        pytest.skip("symlinks exist only in the local workspace tree")
    tok = token()
    conversation = await new_conversation(files_client, tok)
    created = await upload(files_client, tok, conversation, b"secret plan\n", filename="plan.txt")
    (row,) = await rows(conn, "files")
    stored_file = storage_config.workspaces_dir / row["path"]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0\n")
    # The stored file swapped for a link to a file outside: the download refuses it.
    stored_file.unlink()
    stored_file.symlink_to(outside / "passwd")
    resp = await files_client.get(f"/v1/files/{created['id']}/content", headers=bearer(tok))
    assert resp.status == 404 and b"root:x" not in await resp.read()
    # The uploads folder swapped for a link to a folder outside: uploads fail, nothing lands outside.
    uploads = stored_file.parent
    stored_file.unlink()
    uploads.rmdir()
    uploads.symlink_to(outside, target_is_directory=True)
    resp = await files_client.post(f"/v1/conversations/{conversation}/files", data=_form(PNG), headers=bearer(tok))
    await problem(resp, 503, "service_unavailable")
    assert sorted(p.name for p in outside.iterdir()) == ["passwd"]
    assert len(await rows(conn, "files")) == 1 and await rows(conn, "file_deletions") == []
