"""The routes of identity: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/v1/me",
        handler=handlers.get_me,
        auth=Auth.ACCOUNT,
        summary="The caller: user, active organization and role",
        tag="identity",
        description="Works without an active organization (organization and role are null then). "
        "The role is read from the database, not from the token.",
    ),
]
