"""The routes of conversations: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/v1/conversations",
        handler=handlers.list_conversations,
        auth=Auth.USER,
        summary="List the caller's conversations and those shared with them",
        tag="conversations",
        description="Latest activity first. Without status, deleted (soft-deleted) ones are left out.",
    ),
    Route(
        method="POST",
        path="/v1/conversations",
        handler=handlers.create_conversation,
        auth=Auth.USER,
        summary="Start a conversation",
        tag="conversations",
        status=201,
        idempotent=True,
        errors=("conflict",),
        description="agent_id must be an agent the organization may use (409 otherwise).",
    ),
    Route(
        method="GET",
        path="/v1/conversations/{id}",
        handler=handlers.get_conversation,
        auth=Auth.USER,
        summary="Get a conversation",
        tag="conversations",
    ),
    Route(
        method="PATCH",
        path="/v1/conversations/{id}",
        handler=handlers.update_conversation,
        auth=Auth.USER,
        summary="Change a conversation's title, status, metadata or retention hold (owner)",
        tag="conversations",
        errors=("forbidden",),
        description="Omitted fields stay as they are; status deleted is a soft delete. Share recipients: 403.",
    ),
    Route(
        method="DELETE",
        path="/v1/conversations/{id}",
        handler=handlers.delete_conversation,
        auth=Auth.USER,
        summary="Delete a conversation (owner)",
        tag="conversations",
        errors=("forbidden",),
        description="With its shares, messages and attachments, for good. Share recipients: 403.",
    ),
    Route(
        method="GET",
        path="/v1/conversations/{id}/shares",
        handler=handlers.list_conversation_shares,
        auth=Auth.USER,
        summary="List the users a conversation is shared with",
        tag="conversations",
    ),
    Route(
        method="POST",
        path="/v1/conversations/{id}/shares",
        handler=handlers.share_conversation,
        auth=Auth.USER,
        summary="Share a conversation with a member of the organization (owner)",
        tag="conversations",
        status=201,
        idempotent=True,
        errors=("forbidden", "conflict"),
        description="Idempotent: sharing again answers the existing share. Users who are not other members of "
        "the organization: 409.",
    ),
    Route(
        method="DELETE",
        path="/v1/conversations/{id}/shares/{user_id}",
        handler=handlers.unshare_conversation,
        auth=Auth.USER,
        summary="Stop sharing a conversation with a user",
        tag="conversations",
        description="By the owner, or by the recipient leaving the conversation. No such share: 404.",
    ),
    Route(
        method="GET",
        path="/v1/conversations/{id}/chunks",
        handler=handlers.list_conversation_chunks,
        auth=Auth.USER,
        summary="List a conversation's chunks in order",
        tag="conversations",
        description="Large pieces of the conversation's text, by chunk_index. Search them with GET /v1/search "
        "(types=chunk, conversation_id).",
    ),
    Route(
        method="POST",
        path="/v1/conversations/{id}/chunks",
        handler=handlers.add_conversation_chunk,
        auth=Auth.USER,
        summary="Add a chunk of text to a conversation",
        tag="conversations",
        status=201,
        idempotent=True,
        errors=("conflict",),
        description="Owner or share recipient. At chunk_index, or after the last chunk when omitted; an index "
        "taken already: 409. Searchable (English and Japanese) as soon as it is stored.",
    ),
]
