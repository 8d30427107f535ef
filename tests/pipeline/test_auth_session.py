"""fn.enter_session: the principal lookup and the tenant set-up in one call, entering a tenant only for a live member."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from gen import auth as auth_queries


async def world(db: asyncpg.Connection) -> dict[str, UUID]:
    """An organization with a member, a deleted organization the member belongs to, a deleted user, and a user of
    no organization."""
    ids: dict[str, UUID] = {}
    for key, clerk in (("org", "org_live"), ("gone_org", "org_gone")):
        ids[key] = await db.fetchval(
            "INSERT INTO organizations (clerk_org_id, name) VALUES ($1, $1) RETURNING id", clerk
        )
    await db.execute("UPDATE organizations SET deleted_at = now() WHERE clerk_org_id = 'org_gone'")
    for key, clerk in (("member", "user_member"), ("gone_user", "user_gone"), ("stranger", "user_stranger")):
        ids[key] = await db.fetchval("INSERT INTO users (clerk_user_id) VALUES ($1) RETURNING id", clerk)
    for org, user in (("org", "member"), ("gone_org", "member"), ("org", "gone_user")):
        await db.execute(
            "INSERT INTO organization_memberships (organization_id, user_id, role) VALUES ($1, $2, 'member')",
            ids[org], ids[user],
        )
    await db.execute("UPDATE users SET deleted_at = now() WHERE clerk_user_id = 'user_gone'")
    return ids


async def settings(db: asyncpg.Connection) -> tuple[str, str, str]:
    row = await db.fetchrow(
        "SELECT current_user::text AS role, current_setting('app.org_id', true) AS org, "
        "current_setting('app.user_id', true) AS usr"
    )
    assert row is not None
    return row["role"], row["org"] or "", row["usr"] or ""


async def test_a_live_member_enters_the_tenant_for_the_transaction_only(db: asyncpg.Connection) -> None:
    ids = await world(db)
    owner = await db.fetchval("SELECT current_user::text")
    async with db.transaction():
        row = await auth_queries.enter_session(db, clerk_user_id="user_member", clerk_org_id="org_live")
        assert row is not None
        assert (row.user_id, row.organization_id, row.role) == (ids["member"], ids["org"], "member")
        assert await settings(db) == ("app_tenant", str(ids["org"]), str(ids["member"]))
        # Row level security now answers as that member: their organization only.
        assert await db.fetchval("SELECT count(*) FROM organizations") == 1
    assert (await settings(db))[0] == owner


@pytest.mark.parametrize(
    ("user", "org", "why"),
    [
        ("user_nobody", "org_live", "unknown user"),
        ("user_member", "org_nowhere", "unknown organization"),
        ("user_stranger", "org_live", "no membership"),
        ("user_gone", "org_live", "deleted user"),
        ("user_member", "org_gone", "deleted organization"),
        ("user_member", None, "no organization"),
    ],
)
async def test_anything_but_a_live_member_is_left_as_app_system_without_a_tenant(
    db: asyncpg.Connection, user: str, org: str | None, why: str
) -> None:
    ids = await world(db)
    async with db.transaction():
        row = await auth_queries.enter_session(db, clerk_user_id=user, clerk_org_id=org)
        assert row is not None
        assert await settings(db) == ("app_system", "", ""), why
        if why == "deleted user":
            assert row.user_deleted_at is not None
        if why == "deleted organization":
            assert row.organization_deleted_at is not None and row.organization_id == ids["gone_org"]
        if why in ("no membership", "no organization", "unknown organization"):
            assert row.role is None


async def test_tenants_cannot_call_it(db: asyncpg.Connection) -> None:
    await world(db)
    async with db.transaction():
        await db.execute("SET LOCAL ROLE app_tenant")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await auth_queries.enter_session(db, clerk_user_id="user_member", clerk_org_id="org_live")
