"""/v1/tasks and /v1/artifacts: the background tasks delegated to agents and the artifacts they produce.

Row level security lets every member of the organization (and its API keys)
read, cancel and delete its standalone tasks and read, change and delete its
standalone artifacts; those of a conversation follow the conversation's access
(its owner and the users it is shared with), so API keys, which have no user,
reach only standalone ones. Anything else is 404. Tasks are delegated to agents
the organization may use; workers claim and finish them outside this API.
"""

from __future__ import annotations

from uuid import UUID

from aiohttp import web

from gen import Connection
from gen import agents as agent_queries
from gen import artifacts as artifact_queries
from gen import conversations as conversation_queries
from gen import tasks as q
from gen.models import Artifact, Task

from ..models import IdPath
from ..pagination import Page
from ..problems import FieldError, Problem, not_found
from ..routing import body, path, query
from ..tenancy import org_id, principal, tenant_tx
from ..work_models import ArtifactCreate, ArtifactOut, ArtifactQuery, ArtifactUpdate, TaskCreate, TaskOut, TaskQuery
from .common import Loc, missing_reference, write_tx

TASK_FIELDS: dict[str, Loc] = {
    "tasks_agent_id_fkey": ["body", "agent_id"],
    "tasks_organization_id_conversation_id_fkey": ["body", "conversation_id"],
    "tasks_task_type_check": ["body", "task_type"],
    "tasks_input_check": ["body", "input"],
    "tasks_max_attempts_check": ["body", "max_attempts"],
}
ARTIFACT_FIELDS: dict[str, Loc] = {
    "artifacts_agent_id_fkey": ["body", "agent_id"],
    "artifacts_organization_id_conversation_id_fkey": ["body", "conversation_id"],
    "artifacts_organization_id_task_id_fkey": ["body", "task_id"],
    "artifacts_name_check": ["body", "name"],
    "artifacts_mime_type_check": ["body", "mime_type"],
    "artifacts_metadata_check": ["body", "metadata"],
}


async def _check_agent(conn: Connection, agent_id: UUID) -> None:
    if await agent_queries.get_agent(conn, id=agent_id) is None:
        raise missing_reference(["body", "agent_id"], "agent")


async def _check_conversation(conn: Connection, conversation_id: UUID) -> None:
    # Only the owner and share recipients see it (never an API key), as the tables' policies require.
    if await conversation_queries.get_conversation(conn, id=conversation_id) is None:
        raise missing_reference(["body", "conversation_id"], "conversation")


async def _visible_task(conn: Connection, task_id: UUID) -> Task:
    task = await q.get_task(conn, id=task_id)
    if task is None:
        raise not_found("task")
    return task


# --- tasks -----------------------------------------------------------------------------


async def list_tasks(request: web.Request) -> Page[TaskOut]:
    page = query(request, TaskQuery)
    after = page.position()
    async with tenant_tx(request) as conn:
        rows = await q.list_tasks(
            conn,
            organization_id=org_id(request),
            status=page.status,
            agent_id=page.agent_id,
            conversation_id=page.conversation_id,
            cursor_created_at=None if after is None else after.created_at,
            cursor_id=None if after is None else after.id,
            limit=page.fetch_size,
        )
    return Page[TaskOut].build(rows, page, TaskOut.from_row)


async def create_task(request: web.Request) -> TaskOut:
    new = body(request, TaskCreate)
    async with write_tx(request, TASK_FIELDS) as conn:
        await _check_agent(conn, new.agent_id)
        if new.conversation_id is not None:
            await _check_conversation(conn, new.conversation_id)
        row = await q.create_task(
            conn,
            organization_id=org_id(request),
            conversation_id=new.conversation_id,
            agent_id=new.agent_id,
            created_by=principal(request).user_id,
            task_type=new.task_type,
            input=new.input,
            max_attempts=new.max_attempts,
            run_after=new.run_after,
        )
    assert row is not None  # INSERT ... RETURNING
    return TaskOut.from_row(row)


async def get_task(request: web.Request) -> TaskOut:
    task_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        return TaskOut.from_row(await _visible_task(conn, task_id))


async def cancel_task(request: web.Request) -> TaskOut:
    task_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        task = await _visible_task(conn, task_id)
        row = await q.cancel_task(conn, id=task_id)
    if row is None:  # only pending and running tasks are cancelled
        raise Problem(
            "conflict",
            f"the task has finished already ({task.status}); only pending or running tasks can be cancelled",
        )
    return TaskOut.from_row(row)


async def delete_task(request: web.Request) -> None:
    task_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        if await q.delete_task(conn, id=task_id) == 0:
            raise not_found("task")


# --- artifacts -------------------------------------------------------------------------


async def _visible_artifact(conn: Connection, artifact_id: UUID) -> Artifact:
    artifact = await artifact_queries.get_artifact(conn, id=artifact_id)
    if artifact is None:
        raise not_found("artifact")
    return artifact


async def list_artifacts(request: web.Request) -> Page[ArtifactOut]:
    page = query(request, ArtifactQuery)
    after = page.position()
    async with tenant_tx(request) as conn:
        rows = await artifact_queries.list_artifacts(
            conn,
            organization_id=org_id(request),
            conversation_id=page.conversation_id,
            task_id=page.task_id,
            artifact_type=page.artifact_type,
            cursor_created_at=None if after is None else after.created_at,
            cursor_id=None if after is None else after.id,
            limit=page.fetch_size,
        )
    return Page[ArtifactOut].build(rows, page, ArtifactOut.from_row)


async def create_artifact(request: web.Request) -> ArtifactOut:
    new = body(request, ArtifactCreate)
    conversation_id = new.conversation_id
    async with write_tx(request, ARTIFACT_FIELDS) as conn:
        if new.task_id is not None:
            task = await q.get_task(conn, id=new.task_id)
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
            await _check_conversation(conn, conversation_id)
        if new.agent_id is not None:
            await _check_agent(conn, new.agent_id)
        row = await artifact_queries.create_artifact(
            conn,
            organization_id=org_id(request),
            conversation_id=conversation_id,
            task_id=new.task_id,
            agent_id=new.agent_id,
            created_by=principal(request).user_id,
            artifact_type=new.artifact_type,
            name=new.name,
            content=new.content,
            mime_type=new.mime_type,
            metadata=new.metadata,
        )
    assert row is not None  # INSERT ... RETURNING
    return ArtifactOut.from_row(row)


async def get_artifact(request: web.Request) -> ArtifactOut:
    artifact_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        return ArtifactOut.from_row(await _visible_artifact(conn, artifact_id))


async def update_artifact(request: web.Request) -> ArtifactOut:
    artifact_id = path(request, IdPath).id
    change = body(request, ArtifactUpdate)
    async with write_tx(request, ARTIFACT_FIELDS) as conn:
        if all(v is None for v in (change.name, change.content, change.mime_type, change.metadata)):
            # Nothing to change: not even updated_at.
            row: Artifact | None = await _visible_artifact(conn, artifact_id)
        else:
            row = await artifact_queries.update_artifact(
                conn,
                id=artifact_id,
                name=change.name,
                content=change.content,
                mime_type=change.mime_type,
                metadata=change.metadata,
            )
    if row is None:
        raise not_found("artifact")
    return ArtifactOut.from_row(row)


async def delete_artifact(request: web.Request) -> None:
    artifact_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        if await artifact_queries.delete_artifact(conn, id=artifact_id) == 0:
            raise not_found("artifact")
