"""The routes of batch: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers
from .openapi import describe_operations

ROUTES: list[Route] = [
    Route(
        method="POST",
        path="/v1/batch",
        handler=handlers.run_batch,
        auth=Auth.MEMBER,
        summary="Run several operations in one transaction, all or nothing",
        tag="batch",
        idempotent=True,
        batchable=False,
        refine_openapi=describe_operations,
        errors=("not_found", "forbidden", "conflict", "admin_required", "user_required", "batch_operation_failed",
                "invalid_json", "invalid_cursor", "precondition_failed"),
        description="Each operation is checked and run exactly as if sent alone (its own auth, validation and "
        "handler), in order, in one transaction. The first that fails rolls all back: the answer is its problem "
        "(its status and code), errors[].loc starting [\"body\", \"operations\", <index>]. At most 50 operations; "
        "batch and commands cannot be nested. The BatchOperation schema lists what a batch may hold: one variant "
        "per operation, with its method, its path pattern, its body (none where the route takes none) and the "
        "headers it reads.",
    ),
]
