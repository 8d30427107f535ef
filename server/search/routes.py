"""The routes of search: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/v1/search",
        handler=handlers.search,
        auth=Auth.MEMBER,
        summary="Search messages, conversation chunks and memories (English and Japanese)",
        tag="search",
        # Its q is free text, which a batch operation's path pattern cannot describe.
        batchable=False,
        description="Full text over what the caller may read: messages and chunks of conversations they own or "
        "that are shared with them, organization-wide memories, their own private memories and those of "
        "conversations they can access (API keys: organization-wide memories only). English words are stemmed, "
        'with "phrases", OR, -exclusion and word* prefixes; Japanese terms of any length are found inside longer '
        "text. Best rank first; each hit says where it lives and carries a snippet with its matches highlighted. "
        "A query with nothing searchable (only stop words or punctuation) finds nothing.",
    ),
]
