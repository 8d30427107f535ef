"""Cursor pagination, shared by every list endpoint.

A list takes `limit` (1..200, default 50) and `cursor`, and answers
`{"items": [...], "next_cursor": "..." | null}`. Items are ordered by a
timestamp and their id (created_at unless the endpoint says otherwise), newest
first unless the endpoint says otherwise; the cursor is the position of the
last item returned: `<microseconds since 1970-01-01 UTC>_<id as 32 hex digits>`.
Clients treat it as opaque. Its pattern describes exactly the cursors the
server accepts (any such string is a position in the list, if not one a page
ended at), so a client that generates values from the document never sends a
schema-valid cursor the server refuses; anything else is 400 invalid_cursor.

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

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypedDict, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .problems import FieldError, Problem

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# 17 digits of microseconds reach the year 5138; positions before 1970 have none (no row is that old).
CURSOR_PATTERN = r"^[0-9]{1,17}_[0-9a-f]{32}$"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# What /openapi.json says of a cursor besides its pattern: an opaque string of its own format.
CURSOR_SCHEMA: dict[str, Any] = {"format": "cursor"}
_CURSOR = re.compile(CURSOR_PATTERN)


@dataclass(frozen=True)
class Position:
    """Where a page ends: the (timestamp, id) of its last item."""

    at: datetime
    id: UUID

    def encode(self) -> str:
        return f"{(self.at - EPOCH) // MICROSECOND}_{self.id.hex}"

    @classmethod
    def decode(cls, cursor: str) -> Position:
        """The position a cursor encodes; Problem 400 invalid_cursor for anything else."""
        match = _CURSOR.fullmatch(cursor)
        if match is None:
            raise Problem(
                "invalid_cursor",
                "cursor is not a next_cursor this API returned",
                errors=[FieldError(loc=["query", "cursor"], message="not a valid cursor")],
            )
        at, _, id_ = cursor.partition("_")
        return cls(EPOCH + int(at) * MICROSECOND, UUID(hex=id_))


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
        description="next_cursor of the previous page, as it was returned (an opaque string); omit for the first page.",
        json_schema_extra=CURSOR_SCHEMA | {"pattern": CURSOR_PATTERN},
    )

    @field_validator("cursor")
    @classmethod
    def _a_position(cls, cursor: str | None) -> str | None:
        # Checked here rather than as the field's pattern: a cursor that is not one is 400 invalid_cursor.
        if cursor is not None:
            Position.decode(cursor)
        return cursor

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
        # The items are models of ItemT already: nothing to validate.
        return cls.model_construct(items=[convert(row) for row in shown], next_cursor=next_cursor)
