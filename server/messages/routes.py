"""The routes of messages: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/v1/conversations/{id}/messages",
        handler=handlers.list_messages,
        auth=Auth.USER,
        summary="List a conversation's messages, oldest or newest first",
        tag="messages",
    ),
    Route(
        method="POST",
        path="/v1/conversations/{id}/messages",
        handler=handlers.create_message,
        auth=Auth.USER,
        summary="Post a message to a conversation",
        tag="messages",
        status=201,
        idempotent=True,
        errors=("conflict",),
        description="By its owner or a user it is shared with. parent_message_id and file_ids must be of the "
        "same conversation (409 otherwise).",
    ),
    Route(
        method="GET",
        path="/v1/messages/{id}",
        handler=handlers.get_message,
        auth=Auth.USER,
        summary="Get a message with its file ids",
        tag="messages",
    ),
    Route(
        method="PATCH",
        path="/v1/messages/{id}",
        handler=handlers.edit_message,
        auth=Auth.USER,
        summary="Edit a message",
        tag="messages",
        errors=("forbidden",),
        description="A user message by its author only (403 for others). A finished message keeps its earlier "
        "content as a version and its version increments.",
    ),
    Route(
        method="GET",
        path="/v1/messages/{id}/versions",
        handler=handlers.list_message_versions,
        auth=Auth.USER,
        summary="List a message's earlier versions, oldest first",
        tag="messages",
    ),
]
