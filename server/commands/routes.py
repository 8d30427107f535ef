"""The routes of commands: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="POST",
        path="/v1/commands",
        handler=handlers.run_command,
        auth=Auth.MEMBER,
        summary="Run a command of the session command protocol",
        tag="commands",
        idempotent=True,
        batchable=False,
        errors=("not_found", "forbidden", "conflict", "user_required", "admin_required", "invalid_cursor"),
        description="Seed 002's protocol for agents and service callers (API keys): create_session, "
        "resume_session, pause_session, complete_session, list_sessions, get_session_summary, store_memory, "
        "retrieve_memory, query_memories, list_memories, conversation_chunk, delegate_task, add_artifact and "
        "batch (several commands, all or nothing). Each maps onto the REST route it stands for and answers as it "
        "would (status, validation, problems). A session is a conversation, named by its id or by the session_id "
        "it was created with. Sessions belong to users: an API key names the member it acts for in on_behalf_of.",
    ),
]
