"""Cursor pagination, shared by every list endpoint.

A list takes `limit` (1..200, default 50) and `cursor`, and answers
`{"items": [...], "next_cursor": "..." | null}`. Items are ordered by a
timestamp and their id (created_at unless the endpoint says otherwise), newest
first unless the endpoint says otherwise; the cursor is the position of the
last item returned: base64url (no padding) of
`1|<timestamp, ISO 8601 with microseconds>|<id>`. Clients treat it as opaque;
the server rejects anything it did not produce with 400 invalid_cursor.

A list query in db/queries takes the position as `cursor_at` and `cursor_id`
(NULL for the first page) and its page size as `limit`:

    AND (created_at, id) < (
        coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
        coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
    )
    ORDER BY created_at DESC, id DESC
    LIMIT sqlc.arg('limit')

and its handler passes the page's window and builds the page from the rows:

    rows = await q.list_things(conn, organization_id=ctx.org_id, **page.window())
    return Page.of(rows, page, ThingOut.from_row)
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypedDict, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from .problems import FieldError, Problem

CURSOR_VERSION = "1"
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"
# What /openapi.json says of a cursor besides its pattern: an opaque string of its own format.
CURSOR_SCHEMA: dict[str, Any] = {"format": "cursor"}
_DECODED = re.compile(r"1\|(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d)\|([0-9a-f-]{36})")


@dataclass(frozen=True)
class Position:
    """Where a page ends: the (timestamp, id) of its last item."""

    at: datetime
    id: UUID

    def encode(self) -> str:
        text = f"{CURSOR_VERSION}|{self.at.isoformat(timespec='microseconds')}|{self.id}"
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


class Window(TypedDict):
    """The arguments every list query of db/queries pages with."""

    cursor_at: datetime | None
    cursor_id: UUID | None
    limit: int


class PageQuery(BaseModel):
    """The query parameters of every list endpoint."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Most items to return.")
    cursor: str | None = Field(
        None,
        pattern=CURSOR_PATTERN,
        description="next_cursor of the previous page, as it was returned (an opaque string); omit for the first page.",
        json_schema_extra=CURSOR_SCHEMA,
    )

    def window(self) -> Window:
        """The list query's cursor_at, cursor_id and limit: one row more than the page, to know whether
        another page follows."""
        at = self.position()
        return Window(
            cursor_at=None if at is None else at.at, cursor_id=None if at is None else at.id, limit=self.limit + 1
        )

    def position(self) -> Position | None:
        return None if self.cursor is None else Position.decode(self.cursor)


class Positioned(Protocol):
    @property
    def created_at(self) -> datetime: ...
    @property
    def id(self) -> UUID: ...


RowT = TypeVar("RowT")
ItemT = TypeVar("ItemT", bound=BaseModel)


def created_at(row: Positioned) -> Position:
    """The position of a row of a list ordered by (created_at, id)."""
    return Position(row.created_at, row.id)


class Page(BaseModel, Generic[ItemT]):
    """One page of a list and the cursor of the next one (null on the last page)."""

    items: list[ItemT]
    next_cursor: str | None = Field(description="Pass as cursor to get the next page; null when this is the last.")

    @classmethod
    def of(
        cls,
        rows: Sequence[RowT],
        query: PageQuery,
        convert: Callable[[RowT], ItemT],
        position: Callable[[RowT], Position] = created_at,  # type: ignore[assignment]
    ) -> Page[ItemT]:
        """The page of rows fetched with query.window(); `position` tells a row's place in the list's order."""
        more = len(rows) > query.limit
        shown = rows[: query.limit]
        next_cursor = position(shown[-1]).encode() if more and shown else None
        return cls(items=[convert(row) for row in shown], next_cursor=next_cursor)
