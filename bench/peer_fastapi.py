"""The peer: the three benchmark endpoints as a team would write them with FastAPI and SQLAlchemy 2 (async).

    python bench/peer_fastapi.py --port P --database-url URL --key-dir DIR [--pool 10]

Idiomatic, by the two projects' documentation: declarative ORM classes mapped
onto the same tables, an `AsyncSession` per request from `async_sessionmaker`
(a dependency that opens `session.begin()`), the caller from an `HTTPBearer`
dependency, pydantic response models with `from_attributes=True` as each
route's `response_model`, run by uvicorn (uvloop, httptools, no access log),
one process. It does the same security work as the server: the RS256 check
(PyJWT, same key and claims) and the principal lookup plus tenant set-up with
the same SQL (fn.enter_session) in the request's transaction, so row level
security applies to every ORM query. Its resource queries are the ORM's own:
`session.get` for a conversation; for a new message the ORM first loads the
conversation (404 when the caller cannot see it), then INSERT ... RETURNING.
"""

import argparse
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar
from uuid import UUID

import jwt
import uvicorn
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, Text, select, text
from sqlalchemy.dialects.postgresql import ARRAY, ENUM, JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.config import DEV_ISSUER  # noqa: E402
from server.pipeline.devkeys import ensure_key_pair  # noqa: E402

ENTER_SESSION = text(
    "SELECT user_id, user_deleted_at, organization_id, organization_deleted_at, role "
    "FROM fn.enter_session(:clerk_user_id, :clerk_org_id)"
)


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    organization_id: Mapped[UUID]
    user_id: Mapped[UUID]
    agent_id: Mapped[UUID | None]
    title: Mapped[str | None]
    status: Mapped[str] = mapped_column(
        ENUM("active", "paused", "completed", "archived", "deleted", name="conversation_status", create_type=False)
    )
    participants: Mapped[list[str]] = mapped_column(ARRAY(Text))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB)
    message_count: Mapped[int]
    memory_count: Mapped[int]
    task_count: Mapped[int]
    input_tokens: Mapped[int]
    output_tokens: Mapped[int]
    last_activity_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Message(Base):
    __tablename__ = "messages"
    __mapper_args__: ClassVar[dict[str, Any]] = {"eager_defaults": True}  # server defaults come back with INSERT ... RETURNING

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    organization_id: Mapped[UUID]
    conversation_id: Mapped[UUID] = mapped_column(ForeignKey("conversations.id"))
    parent_message_id: Mapped[UUID | None]
    user_id: Mapped[UUID | None]
    agent_id: Mapped[UUID | None]
    role: Mapped[str] = mapped_column(ENUM("user", "assistant", "system", "tool", name="message_role", create_type=False))
    content: Mapped[str] = mapped_column(server_default="")
    content_parts: Mapped[Any] = mapped_column(JSONB, server_default=text("'[]'"))
    metadata_: Mapped[Any] = mapped_column("metadata", JSONB, server_default=text("'{}'"))
    status: Mapped[str] = mapped_column(
        ENUM("pending", "streaming", "sent", "delivered", "failed", name="message_status", create_type=False),
        server_default="sent",
    )
    version: Mapped[int] = mapped_column(server_default="1")
    input_tokens: Mapped[int] = mapped_column(server_default="0")
    output_tokens: Mapped[int] = mapped_column(server_default="0")
    # Tenants may not write edited_at (column grants): the ORM leaves it out and reads it back.
    edited_at: Mapped[datetime | None] = mapped_column(server_default=text("NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    user_id: UUID
    agent_id: UUID | None
    title: str | None
    status: str
    participants: list[str]
    metadata: Any
    message_count: int
    memory_count: int
    task_count: int
    input_tokens: int
    output_tokens: int
    last_activity_at: datetime
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Conversation) -> "ConversationOut":
        return cls.model_validate({**row.__dict__, "metadata": row.metadata_})


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    conversation_id: UUID
    parent_message_id: UUID | None
    user_id: UUID | None
    agent_id: UUID | None
    role: str
    content: str
    content_parts: Any
    metadata: Any
    status: str
    version: int
    input_tokens: int
    output_tokens: int
    edited_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Message) -> "MessageOut":
        return cls.model_validate({**row.__dict__, "metadata": row.metadata_})


class MessageDetail(MessageOut):
    file_ids: list[UUID] = []


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


class MessageCreate(BaseModel):
    content: str = ""


class Principal(BaseModel):
    user_id: UUID
    organization_id: UUID


def build(database_url: str, key_dir: Path, pool: int) -> FastAPI:
    key = ensure_key_pair(key_dir).public_key()
    # postgresql://user:@/db?host=/socket/dir -> the asyncpg dialect, same socket.
    engine = create_async_engine(database_url.replace("postgresql://", "postgresql+asyncpg://", 1),
                                 pool_size=pool, max_overflow=0)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    bearer = HTTPBearer()
    app = FastAPI()

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session, session.begin():
            yield session

    Session = Annotated[AsyncSession, Depends(get_session)]

    async def current_principal(
        credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)], session: Session
    ) -> Principal:
        try:
            claims = jwt.decode(credentials.credentials, key, algorithms=["RS256"], issuer=DEV_ISSUER, leeway=5,
                                options={"require": ["exp", "iat", "sub"], "verify_aud": False})
        except jwt.PyJWTError:
            raise HTTPException(401, "invalid token") from None
        org = (claims.get("o") or {}).get("id")
        row = (await session.execute(ENTER_SESSION, {"clerk_user_id": claims["sub"], "clerk_org_id": org})).one()
        if row.role is None or row.user_deleted_at is not None or row.organization_deleted_at is not None:
            raise HTTPException(403, "not a member")
        return Principal(user_id=row.user_id, organization_id=row.organization_id)

    Caller = Annotated[Principal, Depends(current_principal)]

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/v1/conversations/{id}", response_model=ConversationOut)
    async def get_conversation(id: UUID, caller: Caller, session: Session) -> ConversationOut:
        conversation = await session.get(Conversation, id)
        if conversation is None:
            raise HTTPException(404, "no such conversation")
        return ConversationOut.of(conversation)

    @app.get("/v1/conversations/{id}/messages", response_model=MessagePage)
    async def list_messages(id: UUID, caller: Caller, session: Session, limit: int = 50) -> MessagePage:
        if await session.get(Conversation, id) is None:
            raise HTTPException(404, "no such conversation")
        rows = (
            await session.scalars(
                select(Message)
                .where(Message.organization_id == caller.organization_id, Message.conversation_id == id)
                .order_by(Message.created_at, Message.id)
                .limit(limit + 1)
            )
        ).all()
        items = rows[:limit]
        cursor = f"{items[-1].created_at.timestamp()}_{items[-1].id.hex}" if len(rows) > limit else None
        return MessagePage(items=[MessageOut.of(m) for m in items], next_cursor=cursor)

    @app.post("/v1/conversations/{id}/messages", response_model=MessageDetail, status_code=201)
    async def create_message(id: UUID, body: MessageCreate, caller: Caller, session: Session) -> MessageDetail:
        conversation = await session.get(Conversation, id)
        if conversation is None:
            raise HTTPException(404, "no such conversation")
        message = Message(organization_id=conversation.organization_id, conversation_id=id, user_id=caller.user_id,
                          role="user", content=body.content, parent_message_id=None, agent_id=None)
        session.add(message)
        await session.flush()
        return MessageDetail.model_validate({**MessageOut.of(message).model_dump(), "file_ids": []})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--key-dir", type=Path, required=True)
    parser.add_argument("--pool", type=int, default=10)
    args = parser.parse_args()
    uvicorn.run(build(args.database_url, args.key_dir, args.pool), host="127.0.0.1", port=args.port, loop="uvloop",
                http="httptools", access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
