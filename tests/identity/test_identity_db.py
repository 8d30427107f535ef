"""Identity tables through the generated code, as app_tenant and app_system."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import asyncpg
import pytest
from isolation import T0, refused, seed_identities

from gen import api_keys, memberships, organizations, tenancy, users, webhook_events
from gen.models import MembershipRole


@asynccontextmanager
async def as_tenant(conn: asyncpg.Connection, org: UUID, user: UUID | None) -> AsyncIterator[None]:
    """A transaction acting as app_tenant for org and user."""
    async with conn.transaction():
        await tenancy.enter_tenant(conn, org_id=org, user_id=user)
        yield


@asynccontextmanager
async def as_system(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """A transaction acting as app_system."""
    async with conn.transaction():
        await tenancy.enter_system(conn)
        yield


@dataclass
class World:
    org_a: UUID
    org_b: UUID
    alice: UUID  # admin of A
    bob: UUID  # member of A
    carol: UUID  # admin of B


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    """Two organizations: A with an admin and a member, B with an admin."""
    orgs, people = await seed_identities(conn, (("alice", "a", "admin"), ("bob", "a", "member"), ("carol", "b", "admin")))
    return World(orgs["a"], orgs["b"], people["alice"], people["bob"], people["carol"])


async def test_a_tenant_sees_only_its_own_organization(conn: asyncpg.Connection, world: World) -> None:
    async with as_tenant(conn, world.org_a, world.bob):
        own = await organizations.get_organization(conn, id=world.org_a)
        assert own is not None and own.name == "Org A"
        assert await organizations.get_organization(conn, id=world.org_b) is None
        assert await organizations.get_organization_by_clerk_id(conn, clerk_org_id="org_b") is None


async def test_with_no_tenant_set_nothing_is_visible(conn: asyncpg.Connection, world: World) -> None:
    async with conn.transaction():
        await conn.execute("SET LOCAL ROLE app_tenant")
        for table in ("organizations", "users", "organization_memberships", "api_keys"):
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table


async def test_app_tenant_cannot_read_the_webhook_inbox(conn: asyncpg.Connection, world: World) -> None:
    async with as_tenant(conn, world.org_a, world.alice):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch("SELECT * FROM webhook_events")


async def test_members_see_the_people_of_their_organization_only(conn: asyncpg.Connection, world: World) -> None:
    async with as_tenant(conn, world.org_a, world.bob):
        members = await memberships.list_organization_members(conn, organization_id=world.org_a)
        assert [(m.name, m.role) for m in members] == [("Alice", MembershipRole.ADMIN), ("Bob", MembershipRole.MEMBER)]
        assert await memberships.list_organization_members(conn, organization_id=world.org_b) == []
        assert await users.get_user(conn, id=world.carol) is None
        assert await memberships.get_membership_role(conn, organization_id=world.org_a, user_id=world.alice) == MembershipRole.ADMIN


async def test_tenants_cannot_add_change_or_remove_memberships(conn: asyncpg.Connection, world: World) -> None:
    async with as_tenant(conn, world.org_a, world.alice):  # an admin
        async with refused(conn):
            await memberships.delete_membership(conn, organization_id=world.org_a, user_id=world.bob)
        async with refused(conn):
            await memberships.upsert_membership(
                conn, organization_id=world.org_a, user_id=world.bob, role=MembershipRole.ADMIN, clerk_membership_id=None, clerk_updated_at=None
            )
        async with refused(conn):
            await memberships.upsert_membership(
                conn, organization_id=world.org_a, user_id=world.carol, role=MembershipRole.MEMBER, clerk_membership_id=None, clerk_updated_at=None
            )
        async with refused(conn):
            await conn.execute("UPDATE organization_memberships SET role = 'admin' WHERE user_id = $1", world.bob)
    assert await memberships.get_membership_role(conn, organization_id=world.org_a, user_id=world.bob) == MembershipRole.MEMBER
    assert await memberships.get_membership_role(conn, organization_id=world.org_a, user_id=world.carol) is None


def key_hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


async def test_only_admins_create_and_list_api_keys(conn: asyncpg.Connection, world: World) -> None:
    async with as_tenant(conn, world.org_a, world.alice):
        key = await api_keys.create_api_key(
            conn, organization_id=world.org_a, name="ci", prefix="ajc_ab12", key_hash=key_hash("s1"), scopes=["commands"], created_by=world.alice
        )
        assert key is not None and key.scopes == ["commands"]
        assert [k.id for k in await api_keys.list_api_keys(conn, organization_id=world.org_a)] == [key.id]
    async with as_tenant(conn, world.org_a, world.bob):
        assert await api_keys.list_api_keys(conn, organization_id=world.org_a) == []
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await api_keys.create_api_key(
                conn, organization_id=world.org_a, name="x", prefix="ajc_x", key_hash=key_hash("s2"), scopes=[], created_by=world.bob
            )


async def test_an_admin_cannot_create_a_key_for_another_organization(conn: asyncpg.Connection, world: World) -> None:
    async with as_tenant(conn, world.org_a, world.alice):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await api_keys.create_api_key(
                conn, organization_id=world.org_b, name="x", prefix="ajc_x", key_hash=key_hash("s3"), scopes=[], created_by=world.alice
            )


async def test_an_api_key_resolves_to_its_organization_until_revoked(conn: asyncpg.Connection, world: World) -> None:
    async with as_tenant(conn, world.org_b, world.carol):
        key = await api_keys.create_api_key(
            conn, organization_id=world.org_b, name="svc", prefix="ajc_cd34", key_hash=key_hash("secret"), scopes=["commands"], created_by=world.carol
        )
        assert key is not None
    # Resolution happens before any tenant is known: as app_tenant with no org.
    async with conn.transaction():
        await conn.execute("SET LOCAL ROLE app_tenant")
        resolved = await api_keys.resolve_api_key(conn, key_hash=key_hash("secret"))
        assert resolved is not None
        assert (resolved.api_key_id, resolved.organization_id, resolved.scopes) == (key.id, world.org_b, ["commands"])
        assert await api_keys.resolve_api_key(conn, key_hash=key_hash("wrong")) is None
    async with as_tenant(conn, world.org_b, world.carol):
        listed = await api_keys.list_api_keys(conn, organization_id=world.org_b)
        assert listed[0].last_used_at is not None
        assert await api_keys.revoke_api_key(conn, id=key.id) == 1
        assert await api_keys.revoke_api_key(conn, id=key.id) == 0
    async with conn.transaction():
        await conn.execute("SET LOCAL ROLE app_tenant")
        assert await api_keys.resolve_api_key(conn, key_hash=key_hash("secret")) is None


async def test_a_deleted_organizations_keys_stop_resolving(conn: asyncpg.Connection, world: World) -> None:
    async with as_tenant(conn, world.org_a, world.alice):
        await api_keys.create_api_key(
            conn, organization_id=world.org_a, name="svc", prefix="ajc_ef56", key_hash=key_hash("k"), scopes=[], created_by=None
        )
    async with as_system(conn):
        assert await organizations.mark_organization_deleted(conn, clerk_org_id="org_a", deleted_at=T0) == 1
        assert await api_keys.resolve_api_key(conn, key_hash=key_hash("k")) is None
    async with as_tenant(conn, world.org_a, world.alice):
        assert await organizations.get_organization(conn, id=world.org_a) is None


async def test_a_stale_clerk_payload_never_overwrites_newer_data(conn: asyncpg.Connection, world: World) -> None:
    async with as_system(conn):
        newer = await organizations.upsert_organization_from_clerk(
            conn, clerk_org_id="org_a", name="Renamed", slug="a", image_url=None, clerk_updated_at=T0 + timedelta(minutes=5)
        )
        assert newer is not None and newer.name == "Renamed"
        stale = await organizations.upsert_organization_from_clerk(
            conn, clerk_org_id="org_a", name="Old name", slug="a", image_url=None, clerk_updated_at=T0 + timedelta(minutes=1)
        )
        assert stale is None
        current = await organizations.get_organization(conn, id=world.org_a)
        assert current is not None and current.name == "Renamed"
        assert current.updated_at > current.created_at


async def test_a_deleted_organization_is_not_revived_by_a_late_update(conn: asyncpg.Connection, world: World) -> None:
    async with as_system(conn):
        await organizations.mark_organization_deleted(conn, clerk_org_id="org_b", deleted_at=T0 + timedelta(minutes=1))
        late = await organizations.upsert_organization_from_clerk(
            conn, clerk_org_id="org_b", name="Back", slug="b", image_url=None, clerk_updated_at=T0 + timedelta(minutes=9)
        )
        assert late is None
        org = await organizations.get_organization(conn, id=world.org_b)
        assert org is not None and org.deleted_at is not None and org.name == "Org B"


async def test_deleting_a_user_removes_every_membership(conn: asyncpg.Connection, world: World) -> None:
    async with as_system(conn):
        await memberships.upsert_membership(
            conn, organization_id=world.org_b, user_id=world.alice, role=MembershipRole.MEMBER,
            clerk_membership_id="orgmem_b_alice", clerk_updated_at=T0,
        )
        assert await users.mark_user_deleted(conn, clerk_user_id="user_alice", deleted_at=T0) == 2, "both memberships"
        for org in (world.org_a, world.org_b):
            assert await memberships.get_membership_role(conn, organization_id=org, user_id=world.alice) is None
    assert await conn.fetchval("SELECT count(*) FROM organization_memberships WHERE user_id = $1", world.alice) == 0
    assert await conn.fetchval("SELECT count(*) FROM organization_memberships") == 2, "bob's and carol's stay"


async def test_settings_merge_and_stay_json(conn: asyncpg.Connection, world: World) -> None:
    async with as_system(conn):
        org = await organizations.update_organization_settings(conn, id=world.org_a, settings={"retention_days": 7})
        assert org is not None and org.settings == {"retention_days": 7}


async def test_a_redelivered_webhook_is_recorded_once(conn: asyncpg.Connection, world: World) -> None:
    async with as_system(conn):
        payload = {"type": "user.created", "data": {"id": "user_x"}}
        first = await webhook_events.record_webhook_event(conn, svix_id="msg_1", type="user.created", payload=payload)
        assert first is not None and first.payload == payload
        assert await webhook_events.record_webhook_event(conn, svix_id="msg_1", type="user.created", payload=payload) is None
        await webhook_events.mark_webhook_event_processed(conn, id=first.id)


async def test_neither_app_role_can_bypass_row_level_security(conn: asyncpg.Connection) -> None:
    for role in ("app_tenant", "app_system"):
        row = await conn.fetchrow(
            "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1", role
        )
        assert row is not None and not row["rolsuper"] and not row["rolbypassrls"] and not row["rolcanlogin"], role
        owned = await conn.fetchval(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = $1 AND c.relkind IN ('r', 'p')",
            role,
        )
        assert owned == 0, f"{role} owns tables, so RLS would not apply to it"


async def test_a_member_acted_for_by_an_api_key_has_no_admin_rights_even_when_an_admin(conn: asyncpg.Connection) -> None:
    orgs, people = await seed_identities(conn, (("alice", "a", "admin"),))
    org, alice = orgs["a"], people["alice"]

    async def create_key(name: str) -> None:
        await api_keys.create_api_key(
            conn, organization_id=org, name=name, prefix=f"ajc_{name}", key_hash=hashlib.sha256(name.encode()).digest(),
            scopes=[], created_by=alice,
        )

    async with conn.transaction():
        await tenancy.enter_tenant_with_member_rights(conn, org_id=org, user_id=alice)
        assert await conn.fetchval("SELECT app.current_user_is_admin()") is False
        async with refused(conn):  # admin-only policies refuse: a key's member never gets an admin's rights
            await create_key("acting")
        assert await api_keys.list_api_keys(conn, organization_id=org) == []
        await tenancy.enter_tenant(conn, org_id=org, user_id=alice)  # back to alice herself, same transaction
        assert await conn.fetchval("SELECT app.current_user_is_admin()") is True
        await create_key("herself")
    assert await conn.fetchval("SELECT count(*) FROM api_keys") == 1
