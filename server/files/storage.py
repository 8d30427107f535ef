"""Where file contents live: one small interface, two backends.

    storage = open_storage(config)        # LocalStorage (WORKSPACES_DIR) or S3Storage (WORKSPACES_URL)
    await storage.write(path, chunks)     # atomic: the whole object or nothing
    async for chunk in storage.read(path, start, end): ...
    await storage.delete(path)            # a missing object is not an error

Paths are relative, `/`-separated and chosen by the server
(`{org_id}/{user_id}/{conversation_id}/files/{uploads|generated|attachments}/{name}`);
`check_path` refuses anything else before either backend sees it.

LocalStorage writes a temporary file beside the target, fsyncs it, renames it
into place and fsyncs the directory, so a crash leaves the old state or the
whole new object. Every directory on the way and the file itself are opened
relative to the workspace root with O_NOFOLLOW: a symlink planted in the tree
is refused (ObjectNotFound / OSError), never followed.

S3Storage talks to any S3-compatible server (AWS S3, MinIO, SeaweedFS, Neon
Object Storage) through obstore: a write streams as a multipart upload (parts
of PART_BYTES, at most PART_CONCURRENCY in flight: a 100 MiB upload grows the
server by 12-17 MiB, bench/results/files.md) that becomes visible only when completed and is aborted on
failure; an object that fits one part is sent with one PUT.
"""

from __future__ import annotations

import asyncio
import errno
import os
import re
import secrets
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import obstore
import obstore.exceptions
from aiohttp import web
from obstore.store import S3Store

from ..config import Config

READ_BYTES = 256 * 1024
PART_BYTES = 5 * 1024 * 1024  # S3's smallest part (all but the last)
PART_CONCURRENCY = 2
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class StorageError(Exception):
    """The backend failed (unreachable, refused, a symlink in the local tree...): not the database's fault."""


@contextmanager
def _failures(storage: str, action: str, path: str) -> Iterator[None]:
    """Backend errors (OSError locally, obstore's errors) as StorageError naming the backend and the path."""
    try:
        yield
    except (ObjectNotFound, StorageError):
        raise
    except (OSError, obstore.exceptions.BaseError) as exc:
        raise StorageError(f"{action} {path} on {storage}: {type(exc).__name__}: {exc}") from exc


class ObjectNotFound(Exception):
    """No object at this path (or, locally, a path that is not a plain file reached without symlinks)."""


def check_path(path: str) -> list[str]:
    """The segments of a server-chosen object path; ValueError for anything else (absolute, .., odd names)."""
    segments = path.split("/")
    if not segments or any(not _SEGMENT.match(s) or s in (".", "..") for s in segments):
        raise ValueError(f"not an object path: {path!r}")
    return segments


class Storage(Protocol):
    """The contents of files, by path."""

    description: str

    async def write(self, path: str, chunks: AsyncIterable[bytes]) -> None:
        """Store the chunks as the object at path, atomically; on any failure (the chunks' included) nothing stays."""

    def read(self, path: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The object's bytes from start to end (exclusive; None: its end), streamed; ObjectNotFound if missing."""

    async def delete(self, path: str) -> None:
        """Remove the object (a missing one is not an error)."""

    async def exists(self, path: str) -> bool:
        """Whether an object is stored at path."""

    async def close(self) -> None:
        """Release what the backend holds."""


# The app's storage (opened and closed by server.app.create_app).
STORAGE: web.AppKey[Storage] = web.AppKey("storage")


def open_storage(config: Config) -> Storage:
    """The backend the configuration names: S3Storage for WORKSPACES_URL, LocalStorage on WORKSPACES_DIR otherwise."""
    if config.workspaces_url:
        return S3Storage.from_config(config)
    return LocalStorage(config.workspaces_dir)


class LocalStorage:
    """Objects as files under a directory (the workspace tree), never following a symlink inside it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = f"local directory {root}"

    def _open_root(self) -> int:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o750)
        return os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def _open_dir(self, segments: list[str], *, create: bool) -> int:
        """A descriptor of the directory segments name under the root, each opened without following symlinks."""
        fd = self._open_root()
        try:
            for segment in segments:
                if create:
                    try:
                        os.mkdir(segment, 0o750, dir_fd=fd)
                    except FileExistsError:
                        pass
                child = os.open(segment, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = child
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR) and not create:
                raise ObjectNotFound(segments) from None
            raise
        return fd

    async def write(self, path: str, chunks: AsyncIterable[bytes]) -> None:
        *dirs, name = check_path(path)
        with _failures(self.description, "writing", path):
            await self._write(dirs, name, chunks)

    async def _write(self, dirs: list[str], name: str, chunks: AsyncIterable[bytes]) -> None:
        dir_fd = await asyncio.to_thread(self._open_dir, dirs, create=True)
        temp = f".{name}.{secrets.token_hex(8)}.part"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640, dir_fd=dir_fd)
            try:
                try:
                    async for chunk in chunks:
                        view = memoryview(chunk)
                        while view:
                            view = view[os.write(fd, view) :]
                    await asyncio.to_thread(os.fsync, fd)
                finally:
                    os.close(fd)
                os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            except BaseException:
                try:
                    os.unlink(temp, dir_fd=dir_fd)
                except FileNotFoundError:
                    pass
                raise
            await asyncio.to_thread(os.fsync, dir_fd)
        finally:
            os.close(dir_fd)

    def _open_file(self, segments: list[str]) -> int:
        *dirs, name = segments
        dir_fd = self._open_dir(dirs, create=False)
        try:
            return os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ELOOP):
                raise ObjectNotFound(name) from None
            raise
        finally:
            os.close(dir_fd)

    async def read(self, path: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        with _failures(self.description, "reading", path):
            fd = await asyncio.to_thread(self._open_file, check_path(path))
        try:
            position = start
            while end is None or position < end:
                size = READ_BYTES if end is None else min(READ_BYTES, end - position)
                with _failures(self.description, "reading", path):
                    chunk = await asyncio.to_thread(os.pread, fd, size, position)
                if not chunk:
                    break
                position += len(chunk)
                yield chunk
        finally:
            os.close(fd)

    async def delete(self, path: str) -> None:
        *dirs, name = check_path(path)
        with _failures(self.description, "removing", path):
            try:
                dir_fd = await asyncio.to_thread(self._open_dir, dirs, create=False)
            except ObjectNotFound:
                return
            try:
                os.unlink(name, dir_fd=dir_fd)
            except FileNotFoundError:
                pass
            finally:
                os.close(dir_fd)

    async def exists(self, path: str) -> bool:
        try:
            with _failures(self.description, "looking up", path):
                fd = await asyncio.to_thread(self._open_file, check_path(path))
        except ObjectNotFound:
            return False
        os.close(fd)
        return True

    async def close(self) -> None:
        return None


@dataclass(frozen=True)
class S3Settings:
    """Where the bucket is and how to sign requests (WORKSPACES_URL and the usual AWS_* settings)."""

    url: str
    endpoint: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None


class S3Storage:
    """Objects in an S3-compatible bucket under a prefix, through obstore."""

    def __init__(self, settings: S3Settings) -> None:
        parts = urlsplit(settings.url)
        prefix = parts.path.strip("/") or None
        kwargs: dict[str, str] = {}
        if settings.endpoint:
            kwargs["endpoint"] = settings.endpoint
        if settings.region:
            kwargs["region"] = settings.region
        if settings.access_key_id:
            kwargs["access_key_id"] = settings.access_key_id
        if settings.secret_access_key:
            kwargs["secret_access_key"] = settings.secret_access_key
        allow_http = bool(settings.endpoint and settings.endpoint.startswith("http://"))
        self.store = S3Store(
            parts.netloc,
            prefix=prefix,
            client_options={"allow_http": allow_http},
            **kwargs,  # type: ignore[arg-type]
        )
        self.description = f"S3 bucket {settings.url}" + (f" at {settings.endpoint}" if settings.endpoint else "")

    @classmethod
    def from_config(cls, config: Config) -> S3Storage:
        return cls(
            S3Settings(
                url=config.workspaces_url or "",
                endpoint=config.s3_endpoint,
                region=config.s3_region,
                access_key_id=config.s3_access_key_id,
                secret_access_key=config.s3_secret_access_key,
            )
        )

    async def write(self, path: str, chunks: AsyncIterable[bytes]) -> None:
        check_path(path)
        with _failures(self.description, "writing", path):
            await self._write(path, chunks)

    async def _write(self, path: str, chunks: AsyncIterable[bytes]) -> None:
        stream = aiter(chunks)
        first = bytearray()
        async for chunk in stream:
            first += chunk
            if len(first) >= PART_BYTES:
                break
        else:  # the whole object fits one part: one PUT
            await obstore.put_async(self.store, path, bytes(first), use_multipart=False)
            return

        async def parts() -> AsyncIterator[bytes]:
            yield bytes(first)
            first.clear()
            async for chunk in stream:
                yield chunk

        await obstore.put_async(
            self.store, path, parts(), chunk_size=PART_BYTES, max_concurrency=PART_CONCURRENCY, use_multipart=True
        )

    async def read(self, path: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        check_path(path)
        if end is not None and end <= start:
            return
        with _failures(self.description, "reading", path):
            try:
                if start == 0 and end is None:
                    result = await obstore.get_async(self.store, path)
                elif end is None:
                    result = await obstore.get_async(self.store, path, options={"range": {"offset": start}})
                else:
                    result = await obstore.get_async(self.store, path, options={"range": (start, end)})
            except FileNotFoundError:
                raise ObjectNotFound(path) from None
            stream = result.stream(min_chunk_size=READ_BYTES)
        while True:
            with _failures(self.description, "reading", path):
                chunk = await anext(stream, None)
            if chunk is None:
                return
            yield bytes(chunk)

    async def delete(self, path: str) -> None:
        check_path(path)
        with _failures(self.description, "removing", path):
            try:
                await obstore.delete_async(self.store, path)
            except FileNotFoundError:
                pass

    async def exists(self, path: str) -> bool:
        check_path(path)
        with _failures(self.description, "looking up", path):
            try:
                await obstore.head_async(self.store, path)
            except FileNotFoundError:
                return False
        return True

    async def close(self) -> None:
        return None
