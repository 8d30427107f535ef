"""Request and response models of /v1/conversations/{id}/files and /v1/files."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field, JsonValue

from gen.models import File, FileKind, FileStatus

from ..pipeline.pagination import PageQuery
from ..types import Strict


class UploadForm(Strict):
    """The form fields sent before the `file` part."""

    kind: FileKind = Field(
        FileKind.UPLOAD,
        description="upload: a user's file (files/uploads/); generated: written by an agent (files/generated/); "
        "attachment: attached from elsewhere (files/attachments/).",
    )


class FileQuery(PageQuery):
    kind: FileKind | None = Field(None, description="Only files of this kind.")


class DownloadHeaders(BaseModel):
    """Conditional and partial downloads."""

    range: str | None = Field(
        None,
        alias="Range",
        max_length=200,
        description="One byte range, bytes=<first>-<last>, bytes=<first>- or bytes=-<suffix length> (206 Partial "
        "Content); a range starting past the end is 416. Several ranges, or another unit, are ignored (200, the "
        "whole file).",
    )
    if_none_match: str | None = Field(
        None,
        alias="If-None-Match",
        max_length=1000,
        description="ETags the client holds (the file's is its quoted sha256), or *: 304 Not Modified when one matches.",
    )
    if_range: str | None = Field(
        None,
        alias="If-Range",
        max_length=200,
        description="Honour Range only if the file still has this ETag (otherwise 200, the whole file).",
    )


class FileOut(BaseModel):
    id: UUID
    conversation_id: UUID
    created_by: UUID | None = Field(description="The user who stored it; null when that user was deleted.")
    kind: FileKind
    status: FileStatus
    filename: str | None = Field(
        description="The client's file name, as sent (its last path segment, without control characters); never "
        "used to store the file."
    )
    content_type: str = Field(description="Detected from the content when stored (never taken from the client).")
    size_bytes: int
    sha256: str | None = Field(description="Lower-case hex SHA-256 of the content; the download's ETag, quoted.")
    metadata: JsonValue
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: File) -> FileOut:
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            created_by=row.created_by,
            kind=row.kind,
            status=row.status,
            filename=row.original_name,
            content_type=row.mime_type,
            size_bytes=row.size_bytes,
            sha256=row.sha256,
            metadata=row.metadata,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
