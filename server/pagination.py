"""Cursor pagination, shared by every list endpoint.

A list takes `limit` (1..200, default 50) and `cursor`, and answers
`{"items": [...], "next_cursor": "..." | null}`. Items are ordered by
(created_at, id), newest first unless the endpoint says otherwise; the cursor
is the position of the last item returned: base64url (no padding) of
`1|<created_at, ISO 8601 with microseconds>|<id>`. Clients treat it as opaque;
the server rejects anything it did not produce with 400 invalid_cursor.

A list query takes the position as two nullable parameters and `LIMIT limit + 1`:

    AND (sqlc.narg(after_created_at)::timestamptz IS NULL
         OR (created_at, id) < (sqlc.narg(after_created_at)::timestamptz, sqlc.narg(after_id)::uuid))
    ORDER BY created_at DESC, id DESC
    LIMIT sqlc.arg(page_size)

and the handler: `after = page.position()`, call it with `page_size=page.fetch_size`,
then `Page[Out].build(rows, page, Out.from_row)`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from .problems import FieldError, Problem

CURSOR_VERSION = "1"
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"
_DECODED = re.compile(r"1\|(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d)\|([0-9a-f-]{36})")


@dataclass(frozen=True)
class Position:
    """Where a page ends: the (created_at, id) of its last item."""

    created_at: datetime
    id: UUID

    def encode(self) -> str:
        text = f"{CURSOR_VERSION}|{self.created_at.isoformat(timespec='microseconds')}|{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        """The position a cursor encodes; Problem 400 invalid_cursor for anything else."""
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            match = _DECODED.fullmatch(text)
            if match is None:
                raise ValueError("not a cursor")
            return cls(datetime.fromisoformat(match[1]), UUID(match[2]))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise Problem(
                "invalid_cursor",
                "cursor is not a next_cursor this API returned",
                errors=[FieldError(loc=["query", "cursor"], message="not a valid cursor")],
            ) from None


class PageQuery(BaseModel):
    """The query parameters of every list endpoint."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Most items to return.")
    cursor: str | None = Field(
        None,
        pattern=CURSOR_PATTERN,
        description="next_cursor of the previous page; omit for the first page.",
        json_schema_extra={"format": "cursor"},
    )

    def position(self) -> Position | None:
        return None if self.cursor is None else Position.decode(self.cursor)

    @property
    def fetch_size(self) -> int:
        """Rows to ask the query for: one more than the page, to know whether another follows."""
        return self.limit + 1


class Positioned(Protocol):
    @property
    def created_at(self) -> datetime: ...
    @property
    def id(self) -> UUID: ...


RowT = TypeVar("RowT", bound=Positioned)
ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(BaseModel, Generic[ItemT]):
    """One page of a list and the cursor of the next one (null on the last page)."""

    items: list[ItemT]
    next_cursor: str | None = Field(description="Pass as cursor to get the next page; null when this is the last.")

    @classmethod
    def build(cls, rows: Sequence[RowT], query: PageQuery, convert: Callable[[RowT], ItemT]) -> Page[ItemT]:
        """The page of rows fetched with LIMIT query.fetch_size."""
        more = len(rows) > query.limit
        shown = rows[: query.limit]
        next_cursor = Position(shown[-1].created_at, shown[-1].id).encode() if more and shown else None
        return cls(items=[convert(row) for row in shown], next_cursor=next_cursor)
