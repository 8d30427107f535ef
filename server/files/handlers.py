"""/v1/conversations/{id}/files and /v1/files/{id}: store, list, read, download and delete files.

Access follows the conversation: its owner and the users it is shared with
read its files and add to them (row level security on files); the file's
creator and the conversation's owner delete them. Anything else is 404.

An upload never leaves half of itself behind:
  1. the path is chosen by the server and reserved in file_deletions (a crash
     from here on leaves an entry the drain removes the object by);
  2. the body streams to storage (hashed and counted on the way, never whole
     in memory); the object appears only when complete;
  3. one transaction releases the reservation and records the files row.
If 2 or 3 fails (the client hangs up, the size limit, the database), the
object is removed, then the reservation: no row without its object, no
object without its row.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

from aiohttp import web

from gen import Connection, embeddings
from gen import files as q
from gen.models import EmbeddingSourceType, File, FileKind, FileStatus

from ..conversations.handlers import visible_conversation
from ..pipeline.context import Context
from ..pipeline.inputs import Multipart
from ..pipeline.pagination import Page
from ..pipeline.problems import Problem, forbidden, not_found
from ..types import IdPath
from .content import SNIFF_BYTES, FileType, Unsatisfiable, byte_range, content_disposition, detect_type, display_name
from .models import DownloadHeaders, FileOut, FileQuery, UploadForm
from .outbox import drain_after_commit
from .storage import STORAGE, ObjectNotFound, StorageError

log = logging.getLogger(__name__)

FOLDERS = {FileKind.UPLOAD: "uploads", FileKind.GENERATED: "generated", FileKind.ATTACHMENT: "attachments"}


async def _visible_file(conn: Connection, file_id: UUID) -> File:
    row = await q.get_file(conn, id=file_id)
    if row is None:
        raise not_found("file")
    return row


class _Digest:
    """The size and SHA-256 of what passes through."""

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()
        self.size = 0

    async def through(self, head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """head, then the rest of the stream, counted and hashed on the way."""
        if head:
            self._count(head)
            yield head
        async for chunk in rest:
            self._count(chunk)
            yield chunk

    def _count(self, chunk: bytes) -> None:
        self.sha256.update(chunk)
        self.size += len(chunk)


async def _head(chunks: AsyncIterator[bytes]) -> bytes:
    """The first SNIFF_BYTES of the stream (fewer when it ends sooner), to detect the type before storing."""
    head = bytearray()
    while len(head) < SNIFF_BYTES:
        chunk = await anext(chunks, None)
        if chunk is None:
            break
        head += chunk
    return bytes(head)


async def upload_file(ctx: Context, *, path: IdPath, body: Multipart[UploadForm]) -> FileOut:
    storage = ctx.app[STORAGE]
    async with ctx.tx() as conn:
        conversation = await visible_conversation(conn, path.id)
    chunks = body.chunks()
    head = await _head(chunks)
    file_type = detect_type(head)
    file_id = uuid4()
    name = file_id.hex + file_type.extension
    object_path = "/".join(
        (
            str(conversation.organization_id),
            str(conversation.user_id),
            str(conversation.id),
            "files",
            FOLDERS[body.fields.kind],
            name,
        )
    )
    async with ctx.tx() as conn:
        await q.reserve_file_path(conn, organization_id=conversation.organization_id, path=object_path)
    digest = _Digest()
    try:
        try:
            await storage.write(object_path, digest.through(head, chunks))
        except StorageError as exc:
            log.error("upload failed: %s", exc)
            raise storage_unavailable() from None
        async with ctx.tx() as conn:
            if await q.release_file_path(conn, path=object_path) == 0:
                raise Problem("service_unavailable", "the upload took too long and was discarded; send it again")
            row = await q.create_file(
                conn,
                id=file_id,
                conversation_id=conversation.id,
                created_by=ctx.user_id,
                kind=body.fields.kind,
                status=FileStatus.READY,
                name=name,
                original_name=display_name(body.filename),
                path=object_path,
                mime_type=file_type.mime_type,
                size_bytes=digest.size,
                sha256=digest.sha256.hexdigest(),
                metadata=None,
            )
            if row is None:  # the conversation went away (or out of reach) meanwhile
                raise not_found("conversation")
    except BaseException:
        await _discard(ctx, object_path)
        raise
    return FileOut.from_row(row)


async def _discard(ctx: Context, object_path: str) -> None:
    """Remove a failed upload's object, then its reservation. Failures are logged, never raised over the
    upload's own error: what stays is the reservation, which the drain finishes a day later."""
    try:
        await ctx.app[STORAGE].delete(object_path)
        async with ctx.tx() as conn:
            await q.release_file_path(conn, path=object_path)
    except Exception:
        log.exception("could not clean up the failed upload %s; file_outbox will", object_path)


async def list_files(ctx: Context, *, path: IdPath, query: FileQuery) -> Page[FileOut]:
    async with ctx.tx() as conn:
        await visible_conversation(conn, path.id)
        rows = await q.list_files(
            conn, organization_id=ctx.org_id, conversation_id=path.id, kind=query.kind, **query.window()
        )
    return Page[FileOut].of(rows, query, FileOut.from_row)


async def get_file(ctx: Context, *, path: IdPath) -> FileOut:
    async with ctx.tx() as conn:
        return FileOut.from_row(await _visible_file(conn, path.id))


async def delete_file(ctx: Context, *, path: IdPath) -> None:
    async with ctx.tx() as conn:
        await _visible_file(conn, path.id)
        deleted = await q.delete_file(conn, id=path.id)
        if deleted is None:
            raise forbidden("only the file's creator or the conversation's owner may delete it")
        # Knowledge cut from the file goes with it.
        await embeddings.delete_embeddings_of_source(
            conn, organization_id=ctx.org_id, source_type=EmbeddingSourceType.FILE, source_id=path.id
        )
    await drain_after_commit(ctx.app, paths=[deleted.path])


async def download_file(
    ctx: Context, *, request: web.Request, path: IdPath, headers: DownloadHeaders
) -> web.StreamResponse:
    async with ctx.tx() as conn:
        row = await _visible_file(conn, path.id)
    if row.sha256 is None:
        raise Problem("conflict", "the file is not ready yet")
    etag = f'"{row.sha256}"'
    file_type = FileType(row.mime_type, "")
    common = {
        "ETag": etag,
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
        "Accept-Ranges": "bytes",
    }
    if headers.if_none_match is not None and _matches(headers.if_none_match, etag):
        return web.Response(status=304, headers=common)
    wanted = headers.range if headers.if_range is None or headers.if_range.strip() == etag else None
    try:
        window = byte_range(wanted, row.size_bytes)
    except Unsatisfiable:
        problem = Problem("range_not_satisfiable", f"the file has {row.size_bytes} bytes")
        problem.headers["Content-Range"] = f"bytes */{row.size_bytes}"
        raise problem from None
    start, end = window or (0, row.size_bytes)
    chunks = ctx.app[STORAGE].read(row.path, start, end)
    try:
        first = await anext(chunks, b"")
    except ObjectNotFound:
        log.error("file %s has no object at %s", row.id, row.path)
        raise not_found("file content") from None
    except StorageError as exc:
        log.error("download failed: %s", exc)
        raise storage_unavailable() from None
    response = web.StreamResponse(status=200 if window is None else 206, headers=common)
    response.content_type = file_type.mime_type.split(";")[0]
    if ";" in file_type.mime_type:
        response.charset = file_type.mime_type.split("charset=")[-1].strip()
    response.headers["Content-Disposition"] = content_disposition(file_type, row.original_name)
    if window is not None:
        response.headers["Content-Range"] = f"bytes {start}-{end - 1}/{row.size_bytes}"
    response.content_length = end - start
    await response.prepare(request)
    if first:
        await response.write(first)
    async for chunk in chunks:
        await response.write(chunk)
    await response.write_eof()
    return response


def storage_unavailable() -> Problem:
    return Problem("service_unavailable", "file storage is unavailable; try again later")


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags
