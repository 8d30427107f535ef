"""GET /v1/me: who the caller is, in which organization, with which role."""

from __future__ import annotations

from gen import memberships, organizations, users

from ..pipeline.auth import system_tx
from ..pipeline.context import Context
from ..pipeline.problems import Problem
from .models import Me, OrganizationOut, UserOut


async def get_me(ctx: Context) -> Me:
    caller = ctx.principal
    if caller.organization_id is None:
        # A session without an active organization: only the user's own row.
        assert caller.user_id is not None
        async with system_tx(ctx.app) as conn:
            user = await users.get_user(conn, id=caller.user_id)
        if user is None:
            raise Problem("user_deleted", "this user no longer exists")
        return Me(kind="user", user=UserOut.from_row(user), organization=None, role=None, api_key_id=None, scopes=[])
    async with ctx.tx() as conn:
        org = await organizations.get_organization(conn, id=caller.organization_id)
        user = None if caller.user_id is None else await users.get_user(conn, id=caller.user_id)
        role = (
            None
            if caller.user_id is None
            else await memberships.get_membership_role(conn, organization_id=caller.organization_id, user_id=caller.user_id)
        )
    if org is None:
        raise Problem("organization_deleted", "this organization has been deleted")
    return Me(
        kind="user" if caller.user_id is not None else "api_key",
        user=None if user is None else UserOut.from_row(user),
        organization=OrganizationOut.from_row(org),
        role=role,
        api_key_id=caller.api_key_id,
        scopes=list(caller.scopes),
    )
