"""The routes of tasks: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/v1/tasks",
        handler=handlers.list_tasks,
        auth=Auth.MEMBER,
        summary="List the organization's tasks, newest first",
        tag="tasks",
        description="Standalone tasks, and those of conversations the caller can access (owner or shared; "
        "API keys see only standalone ones).",
    ),
    Route(
        method="POST",
        path="/v1/tasks",
        handler=handlers.create_task,
        auth=Auth.MEMBER,
        summary="Delegate a task to an agent",
        tag="tasks",
        status=201,
        idempotent=True,
        errors=("conflict",),
        description="agent_id must be an agent the organization may use, conversation_id a conversation the "
        "caller can access (API keys: none); 409 naming the field otherwise. The task is pending, claimable "
        "by workers from run_after.",
    ),
    Route(
        method="GET",
        path="/v1/tasks/{id}",
        handler=handlers.get_task,
        auth=Auth.MEMBER,
        summary="Get a task with its status and output",
        tag="tasks",
    ),
    Route(
        method="POST",
        path="/v1/tasks/{id}/cancel",
        handler=handlers.cancel_task,
        auth=Auth.MEMBER,
        summary="Cancel a task",
        tag="tasks",
        errors=("conflict",),
        description="A pending or running task becomes cancelled (a running attempt's worker can no longer "
        "complete it). A finished one (succeeded, failed, cancelled) is 409 and stays as it is.",
    ),
    Route(
        method="DELETE",
        path="/v1/tasks/{id}",
        handler=handlers.delete_task,
        auth=Auth.MEMBER,
        summary="Delete a task",
        tag="tasks",
        description="Whatever its status; its artifacts stay, without task_id.",
    ),
]
