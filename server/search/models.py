"""Request and response models of GET /v1/search.

Hits are ordered by rank, so the cursor is a position in that order:
`<rank as the 16 hex digits of its IEEE 754 double>_<kind>_<id as 32 hex digits>`.
Clients treat it as opaque; its pattern admits exactly the strings the server
accepts (each is a position, whether or not a page ended there); anything else
is 400 invalid_cursor.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gen.search import SearchRow

from ..pipeline.pagination import CURSOR_SCHEMA
from ..pipeline.problems import FieldError, Problem
from ..types import NON_BLANK

KINDS = ("chunk", "memory", "message")
Kind = Literal["message", "chunk", "memory"]
SEARCH_CURSOR_PATTERN = r"^[0-9a-f]{16}_(chunk|memory|message)_[0-9a-f]{32}$"
_SEARCH_CURSOR = re.compile(SEARCH_CURSOR_PATTERN)
TYPES_PATTERN = r"^(message|chunk|memory)(,(message|chunk|memory))*$"
# The highlight markers fn.search_snippet puts around each match.
MARK_START, MARK_END = "\ue000", "\ue001"
MAX_SEARCH_LIMIT = 100

QueryText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=NON_BLANK,
        description="What to find. English words are stemmed (report finds reports, reporting); "
        '"a phrase" in double quotes, OR between alternatives, -word to exclude, word* for a prefix. '
        "Japanese (or other CJK) text is found as a substring, whatever its length (稟, 稟議, 承認フロー); "
        "each run of CJK characters is a term every hit contains. All terms are required.",
        examples=["承認フロー", "quarterly report", "稟議 deploy*"],
    ),
]


@dataclass(frozen=True)
class SearchPosition:
    """Where a page of hits ends: the rank, kind and id of its last hit."""

    rank: float
    kind: str
    id: UUID

    def encode(self) -> str:
        return f"{struct.pack('>d', self.rank).hex()}_{self.kind}_{self.id.hex}"

    @classmethod
    def decode(cls, cursor: str) -> SearchPosition:
        """The position a cursor encodes; Problem 400 invalid_cursor for anything else."""
        if _SEARCH_CURSOR.fullmatch(cursor) is None:
            raise Problem(
                "invalid_cursor",
                "cursor is not a next_cursor this API returned",
                errors=[FieldError(loc=["query", "cursor"], message="not a valid cursor")],
            )
        rank, kind, id_ = cursor.split("_")
        return cls(struct.unpack(">d", bytes.fromhex(rank))[0], kind, UUID(hex=id_))


class SearchQuery(BaseModel):
    """The query string of GET /v1/search."""

    model_config = ConfigDict(extra="forbid")

    q: QueryText
    types: Annotated[str, Field(max_length=100, pattern=TYPES_PATTERN)] | None = Field(
        None,
        description="Comma-separated kinds to search: message, chunk, memory (default: all three).",
        examples=["message,chunk"],
    )
    conversation_id: UUID | None = Field(None, description="Only hits in this conversation (its messages, chunks, memories).")
    agent_id: UUID | None = Field(
        None, description="Only messages and chunks of conversations with this agent, and memories of this agent."
    )
    limit: int = Field(20, ge=1, le=MAX_SEARCH_LIMIT, description="Most hits to return.")
    cursor: str | None = Field(
        None,
        description="next_cursor of the previous page, as it was returned (an opaque string); omit for the first page.",
        json_schema_extra=CURSOR_SCHEMA | {"pattern": SEARCH_CURSOR_PATTERN},
    )

    @field_validator("cursor")
    @classmethod
    def _a_position(cls, cursor: str | None) -> str | None:
        if cursor is not None:
            SearchPosition.decode(cursor)
        return cursor

    def type_list(self) -> list[str] | None:
        return None if self.types is None else list(dict.fromkeys(self.types.split(",")))

    def position(self) -> SearchPosition | None:
        return None if self.cursor is None else SearchPosition.decode(self.cursor)


class Highlight(BaseModel):
    """A highlighted match in a snippet: snippet[start:end], in Unicode code points."""

    start: int
    end: int


class SearchHit(BaseModel):
    """One hit: what matched, where it lives, and an excerpt with the matches highlighted."""

    kind: Kind = Field(description="message, chunk (of a conversation) or memory.")
    id: UUID = Field(description="The message's, chunk's or memory's id.")
    conversation_id: UUID | None = Field(description="The conversation it lives in (null: a memory of none).")
    message_id: UUID | None = Field(description="Set for a message.")
    chunk_id: UUID | None = Field(description="Set for a chunk.")
    memory_id: UUID | None = Field(description="Set for a memory.")
    agent_id: UUID | None = Field(description="The agent that wrote the message, or the memory's agent.")
    rank: float = Field(description="Relevance (ts_rank, normalized by length); hits come best first.")
    snippet: str = Field(description="An excerpt of the text around the matches (plain text).")
    highlights: list[Highlight] = Field(description="Where the snippet matches the query.")
    snippet_html: str = Field(description="The snippet as HTML: escaped, each match in <mark>.")
    created_at: datetime

    @classmethod
    def from_row(cls, row: SearchRow) -> SearchHit:
        snippet, highlights = unmark(row.snippet or "")
        return cls.model_validate(
            row.model_dump(exclude={"snippet"})
            | {"snippet": snippet, "highlights": highlights, "snippet_html": _html(snippet, highlights)}
        )


def unmark(marked: str) -> tuple[str, list[Highlight]]:
    """The snippet without its markers, and the ranges they enclosed (nested or adjacent ranges merged)."""
    text: list[str] = []
    ranges: list[Highlight] = []
    depth = 0
    start = 0
    for char in marked:
        if char == MARK_START:
            if depth == 0:
                start = len(text)
            depth += 1
        elif char == MARK_END:
            depth = max(depth - 1, 0)
            if depth == 0 and len(text) > start:
                if ranges and ranges[-1].end == start:
                    ranges[-1].end = len(text)
                else:
                    ranges.append(Highlight(start=start, end=len(text)))
        else:
            text.append(char)
    return "".join(text), ranges


def _html(snippet: str, highlights: list[Highlight]) -> str:
    parts: list[str] = []
    at = 0
    for h in highlights:
        parts += [escape(snippet[at : h.start]), "<mark>", escape(snippet[h.start : h.end]), "</mark>"]
        at = h.end
    parts.append(escape(snippet[at:]))
    return "".join(parts)
