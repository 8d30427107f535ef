"""The routes of artifacts: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/v1/artifacts",
        handler=handlers.list_artifacts,
        auth=Auth.MEMBER,
        summary="List the organization's artifacts, newest first",
        tag="artifacts",
        description="Standalone artifacts, and those of conversations the caller can access (API keys see only "
        "standalone ones).",
    ),
    Route(
        method="POST",
        path="/v1/artifacts",
        handler=handlers.create_artifact,
        auth=Auth.MEMBER,
        summary="Store an artifact",
        tag="artifacts",
        status=201,
        idempotent=True,
        errors=("conflict",),
        description="conversation_id, task_id and agent_id must be visible to the caller (409 naming the field "
        "otherwise). The artifact of a task of a conversation belongs to that conversation (the default; "
        "another conversation_id is 409).",
    ),
    Route(
        method="GET",
        path="/v1/artifacts/{id}",
        handler=handlers.get_artifact,
        auth=Auth.MEMBER,
        summary="Get an artifact",
        tag="artifacts",
    ),
    Route(
        method="PATCH",
        path="/v1/artifacts/{id}",
        handler=handlers.update_artifact,
        auth=Auth.MEMBER,
        summary="Change an artifact's name, content, mime type or metadata",
        tag="artifacts",
        description="Omitted (or null) fields stay as they are.",
    ),
    Route(
        method="DELETE",
        path="/v1/artifacts/{id}",
        handler=handlers.delete_artifact,
        auth=Auth.MEMBER,
        summary="Delete an artifact",
        tag="artifacts",
    ),
]
