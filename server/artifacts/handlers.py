"""/v1/artifacts: the code, documents and other output agents produce.

Row level security lets every member of the organization (and its API keys)
read, change and delete its standalone artifacts; those of a conversation
follow the conversation's access (its owner and the users it is shared with),
so API keys, which have no user, reach only standalone ones. Anything else is
404. The artifact of a task of a conversation belongs to that conversation.
"""

from __future__ import annotations

from uuid import UUID

from gen import Connection
from gen import artifacts as q
from gen import tasks as task_queries
from gen.models import Artifact

from ..agents.handlers import referenced_agent
from ..conversations.handlers import referenced_conversation
from ..pipeline.context import Context
from ..pipeline.pagination import Page
from ..pipeline.problems import FieldError, Problem, missing_reference, not_found
from ..types import IdPath
from .models import ArtifactCreate, ArtifactOut, ArtifactQuery, ArtifactUpdate

FIELDS = {
    "artifacts_agent_id_fkey": ["body", "agent_id"],
    "artifacts_organization_id_conversation_id_fkey": ["body", "conversation_id"],
    "artifacts_organization_id_task_id_fkey": ["body", "task_id"],
    "artifacts_name_check": ["body", "name"],
    "artifacts_mime_type_check": ["body", "mime_type"],
    "artifacts_metadata_check": ["body", "metadata"],
}


async def _visible_artifact(conn: Connection, artifact_id: UUID) -> Artifact:
    artifact = await q.get_artifact(conn, id=artifact_id)
    if artifact is None:
        raise not_found("artifact")
    return artifact


async def list_artifacts(ctx: Context, *, query: ArtifactQuery) -> Page[ArtifactOut]:
    async with ctx.tx() as conn:
        rows = await q.list_artifacts(
            conn,
            organization_id=ctx.org_id,
            conversation_id=query.conversation_id,
            task_id=query.task_id,
            artifact_type=query.artifact_type,
            **query.window(),
        )
    return Page[ArtifactOut].of(rows, query, ArtifactOut.from_row)


async def create_artifact(ctx: Context, *, body: ArtifactCreate) -> ArtifactOut:
    conversation_id = body.conversation_id
    async with ctx.write_tx(FIELDS) as conn:
        if body.task_id is not None:
            task = await task_queries.get_task(conn, id=body.task_id)
            if task is None:
                raise missing_reference(["body", "task_id"], "task")
            if task.conversation_id is not None:
                # A task's output stays with its conversation: no less private than the task.
                if conversation_id is None:
                    conversation_id = task.conversation_id
                elif conversation_id != task.conversation_id:
                    raise Problem(
                        "conflict",
                        "the task was delegated from another conversation",
                        errors=[FieldError(loc=["body", "task_id"], message="a task of another conversation")],
                    )
        if conversation_id is not None:
            await referenced_conversation(conn, conversation_id)
        if body.agent_id is not None:
            await referenced_agent(conn, body.agent_id)
        row = await q.create_artifact(
            conn,
            organization_id=ctx.org_id,
            conversation_id=conversation_id,
            task_id=body.task_id,
            agent_id=body.agent_id,
            created_by=ctx.principal.user_id,
            artifact_type=body.artifact_type,
            name=body.name,
            content=body.content,
            mime_type=body.mime_type,
            metadata=body.metadata,
        )
    assert row is not None  # INSERT ... RETURNING
    return ArtifactOut.from_row(row)


async def get_artifact(ctx: Context, *, path: IdPath) -> ArtifactOut:
    artifact_id = path.id
    async with ctx.tx() as conn:
        return ArtifactOut.from_row(await _visible_artifact(conn, artifact_id))


async def update_artifact(ctx: Context, *, path: IdPath, body: ArtifactUpdate) -> ArtifactOut:
    artifact_id = path.id
    async with ctx.write_tx(FIELDS) as conn:
        if all(v is None for v in (body.name, body.content, body.mime_type, body.metadata)):
            # Nothing to change: not even updated_at.
            row: Artifact | None = await _visible_artifact(conn, artifact_id)
        else:
            row = await q.update_artifact(
                conn,
                id=artifact_id,
                name=body.name,
                content=body.content,
                mime_type=body.mime_type,
                metadata=body.metadata,
            )
    if row is None:
        raise not_found("artifact")
    return ArtifactOut.from_row(row)


async def delete_artifact(ctx: Context, *, path: IdPath) -> None:
    artifact_id = path.id
    async with ctx.tx() as conn:
        if await q.delete_artifact(conn, id=artifact_id) == 0:
            raise not_found("artifact")
