"""server.pipeline.serialize: responses built from rows without validation, written by orjson, byte for byte what
pydantic writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, JsonValue, field_serializer

from gen.messages import ListMessagesRow
from gen.models import Conversation, ConversationStatus, MessageRole, MessageStatus
from server.conversations.models import ConversationOut
from server.messages.models import MessageDetail, MessageOut
from server.pipeline.pagination import Page
from server.pipeline.serialize import dump_json, is_plain, projection

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)
times = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(9000, 1, 1), timezones=st.sampled_from([UTC, timezone(timedelta(hours=9))])
)


def message_row(**values: Any) -> ListMessagesRow:
    """A row as list_messages returns it (the query's own row class)."""
    return ListMessagesRow.model_construct(**values)


@st.composite
def messages(draw: st.DrawFn) -> ListMessagesRow:
    return message_row(
        id=uuid4(),
        organization_id=uuid4(),
        conversation_id=uuid4(),
        parent_message_id=draw(st.none() | st.uuids()),
        user_id=draw(st.none() | st.uuids()),
        agent_id=None,
        role=draw(st.sampled_from(list(MessageRole))),
        content=draw(st.text()),
        content_parts=draw(json_values),
        metadata=draw(json_values),
        status=draw(st.sampled_from(list(MessageStatus))),
        version=draw(st.integers(1, 2**31 - 1)),
        input_tokens=draw(st.integers(0, 2**31 - 1)),
        output_tokens=0,
        edited_at=draw(st.none() | times),
        created_at=draw(times),
        updated_at=draw(times),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(messages(), max_size=5), st.none() | st.text())
def test_a_page_of_messages_is_written_as_pydantic_writes_it(rows: list[ListMessagesRow], cursor: str | None) -> None:
    page = Page[MessageOut].model_construct(items=[MessageOut.from_row(r) for r in rows], next_cursor=cursor)
    assert is_plain(Page[MessageOut])
    assert dump_json(page) == page.model_dump_json().encode()


@settings(max_examples=100, deadline=None)
@given(messages(), st.lists(st.uuids(), max_size=3))
def test_a_message_with_its_files_is_the_validated_model(row: ListMessagesRow, file_ids: list[UUID]) -> None:
    detail = MessageDetail.with_files(row, file_ids)
    validated = MessageDetail.model_validate({**row.model_dump(include=set(MessageOut.model_fields)), "file_ids": file_ids})
    assert detail == validated
    assert dump_json(detail) == validated.model_dump_json().encode()


@settings(max_examples=100, deadline=None)
@given(json_values, st.lists(st.text(), max_size=3), times)
def test_a_conversation_is_the_validated_model(metadata: JsonValue, participants: list[str], at: datetime) -> None:
    row = Conversation.model_construct(
        id=uuid4(), organization_id=uuid4(), user_id=uuid4(), agent_id=None, title="t", status=ConversationStatus.ACTIVE,
        participants=participants, metadata=metadata, message_count=1, memory_count=0, task_count=0, input_tokens=0,
        output_tokens=0, last_activity_at=at, created_at=at, updated_at=at, retention_hold=False,
    )
    out = ConversationOut.from_row(row)
    validated = ConversationOut.model_validate(row.model_dump(include=set(ConversationOut.model_fields)))
    assert out == validated
    assert dump_json(out) == validated.model_dump_json().encode()


def test_a_projection_with_a_field_of_another_type_is_refused() -> None:
    class Wider(BaseModel):
        id: UUID
        user_id: UUID | None  # the row's user_id may be NULL: nothing guarantees this one is set

    class Out(BaseModel):
        id: UUID
        user_id: UUID

    with pytest.raises(TypeError, match="user_id"):
        projection(Out, Wider)


def test_a_projection_of_a_model_that_serializes_itself_is_refused() -> None:
    class Row(BaseModel):
        id: UUID

    class Out(BaseModel):
        id: UUID

        @field_serializer("id")
        def _hex(self, value: UUID) -> str:
            return value.hex

    with pytest.raises(TypeError, match="serializes"):
        projection(Out, Row)
    assert dump_json(Out(id=UUID(int=1))) == Out(id=UUID(int=1)).model_dump_json().encode()  # pydantic writes it


def test_models_with_aliases_are_written_by_pydantic() -> None:
    class Aliased(BaseModel):
        value: int = Field(serialization_alias="v")

    assert not is_plain(Aliased)
    assert dump_json(Aliased(value=1)) == b'{"value":1}'
