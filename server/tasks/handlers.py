"""/v1/tasks: the background tasks delegated to agents.

Row level security lets every member of the organization (and its API keys)
read, cancel and delete its standalone tasks; those of a conversation follow
the conversation's access (its owner and the users it is shared with), so API
keys, which have no user, reach only standalone ones. Anything else is 404.
Tasks are delegated to agents the organization may use; workers claim and
finish them outside this API.
"""

from __future__ import annotations

from uuid import UUID

from gen import Connection
from gen import tasks as q
from gen.models import Task

from ..agents.handlers import referenced_agent
from ..conversations.handlers import referenced_conversation
from ..pipeline.context import Context
from ..pipeline.pagination import Page
from ..pipeline.problems import Problem, not_found
from ..types import IdPath
from .models import TaskCreate, TaskOut, TaskQuery

FIELDS = {
    "tasks_agent_id_fkey": ["body", "agent_id"],
    "tasks_organization_id_conversation_id_fkey": ["body", "conversation_id"],
    "tasks_task_type_check": ["body", "task_type"],
    "tasks_input_check": ["body", "input"],
    "tasks_max_attempts_check": ["body", "max_attempts"],
}


async def _visible_task(conn: Connection, task_id: UUID) -> Task:
    task = await q.get_task(conn, id=task_id)
    if task is None:
        raise not_found("task")
    return task


async def list_tasks(ctx: Context, *, query: TaskQuery) -> Page[TaskOut]:
    async with ctx.tx() as conn:
        rows = await q.list_tasks(
            conn,
            organization_id=ctx.org_id,
            status=query.status,
            agent_id=query.agent_id,
            conversation_id=query.conversation_id,
            **query.window(),
        )
    return Page[TaskOut].of(rows, query, TaskOut.from_row)


async def create_task(ctx: Context, *, body: TaskCreate) -> TaskOut:
    async with ctx.write_tx(FIELDS) as conn:
        await referenced_agent(conn, body.agent_id)
        if body.conversation_id is not None:
            await referenced_conversation(conn, body.conversation_id)
        row = await q.create_task(
            conn,
            organization_id=ctx.org_id,
            conversation_id=body.conversation_id,
            agent_id=body.agent_id,
            created_by=ctx.principal.user_id,
            task_type=body.task_type,
            input=body.input,
            max_attempts=body.max_attempts,
            run_after=body.run_after,
        )
    assert row is not None  # INSERT ... RETURNING
    return TaskOut.from_row(row)


async def get_task(ctx: Context, *, path: IdPath) -> TaskOut:
    task_id = path.id
    async with ctx.tx() as conn:
        return TaskOut.from_row(await _visible_task(conn, task_id))


async def cancel_task(ctx: Context, *, path: IdPath) -> TaskOut:
    task_id = path.id
    async with ctx.tx() as conn:
        task = await _visible_task(conn, task_id)
        row = await q.cancel_task(conn, id=task_id)
    if row is None:  # only pending and running tasks are cancelled
        raise Problem(
            "conflict",
            f"the task has finished already ({task.status}); only pending or running tasks can be cancelled",
        )
    return TaskOut.from_row(row)


async def delete_task(ctx: Context, *, path: IdPath) -> None:
    task_id = path.id
    async with ctx.tx() as conn:
        if await q.delete_task(conn, id=task_id) == 0:
            raise not_found("task")


