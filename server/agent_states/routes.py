"""The routes of agent_states: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ETAG = {"ETag": 'The state\'s version as a strong entity tag ("3"): send it back in If-Match to replace the state.'}

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/v1/agents/{id}/state",
        handler=handlers.get_agent_state,
        response_headers=ETAG,
        auth=Auth.MEMBER,
        summary="Get an agent's state",
        tag="agent-state",
        errors=("user_required",),
        description="The state with this key: scope, conversation_id (required for scope session) and owner "
        "(user: the caller's private state; organization: the one every member shares). The ETag header holds "
        "its version. No such state yet: 404. Agents the organization cannot use, and conversations the caller "
        "cannot read, are 404. API keys have only the organization's states (owner=user is 403).",
    ),
    Route(
        method="PUT",
        path="/v1/agents/{id}/state",
        handler=handlers.put_agent_state,
        response_headers=ETAG,
        auth=Auth.MEMBER,
        summary="Create or replace an agent's state (optimistic concurrency)",
        tag="agent-state",
        other_statuses=(201,),
        errors=("user_required", "conflict", "precondition_failed", "precondition_required"),
        description="The state is the key of GET's. With If-Match (the version GET answered, as its ETag \"3\" "
        "or bare), replaces the whole state if it is still at that version and answers 200 with the next one; "
        "otherwise 412 precondition_failed naming the current version (ETag header too) and nothing changes, so "
        "of two writers from one version exactly one wins. Without If-Match, creates the state (201, version 1) "
        "when there is none; when there is one, 428 precondition_required naming its version: an update always "
        "names the version it replaces.",
    ),
    Route(
        method="GET",
        path="/v1/agents/{id}/state/checkpoints",
        handler=handlers.list_state_checkpoints,
        auth=Auth.MEMBER,
        summary="List a state's checkpoints, newest first",
        tag="agent-state",
        errors=("user_required",),
        description="The state is chosen as in GET /v1/agents/{id}/state (404 when there is none). kind filters "
        "auto, manual or pre_restore checkpoints.",
    ),
    Route(
        method="POST",
        path="/v1/agents/{id}/state/checkpoints",
        handler=handlers.create_state_checkpoint,
        auth=Auth.MEMBER,
        summary="Checkpoint a state (manual)",
        tag="agent-state",
        status=201,
        idempotent=True,
        errors=("user_required",),
        description="A copy of the current state and its version, with an optional label; kept until deleted "
        "(manual checkpoints are never pruned). The state is chosen as in GET /v1/agents/{id}/state.",
    ),
    Route(
        method="POST",
        path="/v1/agents/{id}/state/checkpoints/{checkpoint_id}/restore",
        handler=handlers.restore_state_checkpoint,
        response_headers=ETAG,
        auth=Auth.MEMBER,
        summary="Restore a checkpoint",
        tag="agent-state",
        errors=("conflict", "precondition_failed"),
        description="Puts the checkpoint's exact state back as the state's next version, after saving the "
        "current one as a pre_restore checkpoint (restore that to undo). With If-Match, only if the state is "
        "still at that version (412 otherwise, naming it). A checkpoint kept for the record only (restorable "
        "false) is 409. Answers the restored state with its ETag.",
    ),
]
