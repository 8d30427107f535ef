"""POST /webhooks/clerk: Svix verification, the inbox, ordering and deletion, over real HTTP.

Every delivery is signed with the real svix library, as Clerk's Svix would sign it.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import itertools
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
import orjson
import pytest
from aiohttp.test_utils import TestClient
from support import Client, ClientFactory, TokenFactory, bearer, create_key, problem
from svix.webhooks import Webhook

from server.app import create_app
from server.config import Config
from server.webhooks import handlers as webhook_handler

SECRET = "whsec_" + base64.b64encode(b"clerk-webhook-test-secret-32byte").decode()
T0 = 1_763_000_000_000  # ms since the epoch, as Clerk sends updated_at
_ids = itertools.count(1)


@pytest.fixture
def config(config: Config) -> Config:
    """The server tests' configuration with a Clerk webhook signing secret."""
    return dataclasses.replace(config, clerk_webhook_secret=SECRET)


# --- payloads, as Clerk sends them ------------------------------------------------


def user_event(kind: str, user: str, at: int = T0, *, email: str = "a@example.com", first: str = "Ada") -> dict[str, Any]:
    return {
        "type": f"user.{kind}",
        "object": "event",
        "data": {
            "id": user,
            "object": "user",
            "email_addresses": [
                {"id": "idn_other", "email_address": "other@example.com", "object": "email_address"},
                {"id": "idn_primary", "email_address": email, "object": "email_address"},
            ],
            "primary_email_address_id": "idn_primary",
            "first_name": first,
            "last_name": "Lovelace",
            "image_url": "https://img.clerk.com/u.png",
            "created_at": T0,
            "updated_at": at,
        },
    }


def org_event(kind: str, org: str, at: int = T0, *, name: str = "Acme") -> dict[str, Any]:
    return {
        "type": f"organization.{kind}",
        "object": "event",
        "data": {
            "id": org,
            "object": "organization",
            "name": name,
            "slug": name.lower(),
            "image_url": "https://img.clerk.com/o.png",
            "created_at": T0,
            "updated_at": at,
        },
    }


def membership_event(
    kind: str, org: str, user: str, at: int = T0, *, role: str = "org:member", membership: str | None = None
) -> dict[str, Any]:
    return {
        "type": f"organizationMembership.{kind}",
        "object": "event",
        "data": {
            "id": membership or f"orgmem_{org}_{user}",
            "object": "organization_membership",
            "role": role,
            "organization": {"id": org, "name": f"Org {org}", "slug": org, "object": "organization", "updated_at": T0},
            "public_user_data": {"user_id": user, "first_name": "Ada", "identifier": "a@example.com"},
            "created_at": T0,
            "updated_at": at,
        },
    }


def deleted_event(kind: str, clerk_id: str) -> dict[str, Any]:
    return {"type": f"{kind}.deleted", "object": "event", "data": {"id": clerk_id, "deleted": True, "object": kind}}


def sign(body: bytes, msg_id: str, *, at: datetime | None = None, secret: str = SECRET) -> dict[str, str]:
    at = at or datetime.now(UTC)
    return {
        "svix-id": msg_id,
        "svix-timestamp": str(int(at.timestamp())),
        "svix-signature": Webhook(secret).sign(msg_id, at, body.decode()),
        "Content-Type": "application/json",
    }


async def deliver(client: Client, event: dict[str, Any], msg_id: str | None = None, *, status: int = 200) -> dict[str, Any]:
    body = orjson.dumps(event)
    resp = await client.post("/webhooks/clerk", data=body, headers=sign(body, msg_id or f"msg_{next(_ids)}"))
    assert resp.status == status, await resp.text()
    result: dict[str, Any] = await resp.json(content_type=None)
    return result


async def user_row(db: asyncpg.Connection, clerk_id: str) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT * FROM users WHERE clerk_user_id = $1", clerk_id)


async def org_row(db: asyncpg.Connection, clerk_id: str) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT * FROM organizations WHERE clerk_org_id = $1", clerk_id)


async def membership_row(db: asyncpg.Connection, org: str, user: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        """SELECT m.* FROM organization_memberships m
           JOIN organizations o ON o.id = m.organization_id JOIN users u ON u.id = m.user_id
           WHERE o.clerk_org_id = $1 AND u.clerk_user_id = $2""",
        org,
        user,
    )


async def inbox(db: asyncpg.Connection) -> list[asyncpg.Record]:
    return await db.fetch("SELECT * FROM webhook_events ORDER BY received_at")


def ms(at: int) -> datetime:
    return datetime.fromtimestamp(at / 1000, UTC)


# --- each event type ---------------------------------------------------------------


async def test_user_events_sync_primary_email_and_name_then_tombstone(client: Client, db: asyncpg.Connection) -> None:
    assert (await deliver(client, user_event("created", "user_1")))["outcome"] == "applied"
    row = await user_row(db, "user_1")
    assert row is not None
    assert (row["email"], row["name"], row["image_url"]) == ("a@example.com", "Ada Lovelace", "https://img.clerk.com/u.png")
    assert row["clerk_updated_at"] == ms(T0)

    await deliver(client, user_event("updated", "user_1", T0 + 1000, email="b@example.com", first="Grace"))
    row = await user_row(db, "user_1")
    assert row is not None and (row["email"], row["name"]) == ("b@example.com", "Grace Lovelace")

    await deliver(client, deleted_event("user", "user_1"))
    row = await user_row(db, "user_1")
    assert row is not None and row["deleted_at"] is not None


async def test_organization_events_sync_name_slug_and_image_then_tombstone(client: Client, db: asyncpg.Connection) -> None:
    await deliver(client, org_event("created", "org_1", name="Acme"))
    row = await org_row(db, "org_1")
    assert row is not None and (row["name"], row["slug"], row["image_url"]) == ("Acme", "acme", "https://img.clerk.com/o.png")
    await deliver(client, org_event("updated", "org_1", T0 + 1, name="Acme Two"))
    row = await org_row(db, "org_1")
    assert row is not None and row["name"] == "Acme Two" and row["deleted_at"] is None
    await deliver(client, deleted_event("organization", "org_1"))
    row = await org_row(db, "org_1")
    assert row is not None and row["deleted_at"] is not None


async def test_membership_events_map_roles_and_remove_the_membership(client: Client, db: asyncpg.Connection) -> None:
    await deliver(client, user_event("created", "user_1"))
    await deliver(client, org_event("created", "org_1"))
    await deliver(client, membership_event("created", "org_1", "user_1", role="org:member"))
    row = await membership_row(db, "org_1", "user_1")
    assert row is not None and row["role"] == "member" and row["clerk_membership_id"] == "orgmem_org_1_user_1"
    await deliver(client, membership_event("updated", "org_1", "user_1", T0 + 1, role="org:admin"))
    row = await membership_row(db, "org_1", "user_1")
    assert row is not None and row["role"] == "admin"
    await deliver(client, membership_event("updated", "org_1", "user_1", T0 + 2, role="org:billing_manager"))
    row = await membership_row(db, "org_1", "user_1")
    assert row is not None and row["role"] == "member"  # every role but org:admin is member
    await deliver(client, membership_event("deleted", "org_1", "user_1", T0 + 3))
    assert await membership_row(db, "org_1", "user_1") is None


async def test_a_membership_event_for_unseen_user_and_org_creates_stubs_their_events_complete(
    client: Client, db: asyncpg.Connection
) -> None:
    await deliver(client, membership_event("created", "org_new", "user_new", role="org:admin"))
    user, org = await user_row(db, "user_new"), await org_row(db, "org_new")
    assert user is not None and user["clerk_updated_at"] is None and user["email"] is None
    assert org is not None and org["clerk_updated_at"] is None and org["name"] == "Org org_new"
    member = await membership_row(db, "org_new", "user_new")
    assert member is not None and member["role"] == "admin"

    await deliver(client, user_event("created", "user_new"))
    await deliver(client, org_event("created", "org_new", name="Newco"))
    user, org = await user_row(db, "user_new"), await org_row(db, "org_new")
    assert user is not None and user["email"] == "a@example.com" and user["clerk_updated_at"] == ms(T0)
    assert org is not None and org["name"] == "Newco"
    assert await db.fetchval("SELECT count(*) FROM users") == 1


async def test_rows_provisioned_from_a_token_are_completed_by_webhooks_not_duplicated(
    client: Client, db: asyncpg.Connection, token: TokenFactory
) -> None:
    resp = await client.get("/v1/me", headers=bearer(token("user_jit", "org_jit", "member")))
    assert resp.status == 200, await resp.text()
    await deliver(client, user_event("created", "user_jit", email="jit@example.com"))
    await deliver(client, org_event("created", "org_jit", name="Jit Inc"))
    await deliver(client, membership_event("created", "org_jit", "user_jit", role="org:admin", membership="orgmem_jit"))
    assert await db.fetchval("SELECT count(*) FROM users") == 1
    assert await db.fetchval("SELECT count(*) FROM organizations") == 1
    assert await db.fetchval("SELECT count(*) FROM organization_memberships") == 1
    user, org = await user_row(db, "user_jit"), await org_row(db, "org_jit")
    member = await membership_row(db, "org_jit", "user_jit")
    assert user is not None and user["email"] == "jit@example.com"
    assert org is not None and org["name"] == "Jit Inc"
    assert member is not None and member["role"] == "admin" and member["clerk_membership_id"] == "orgmem_jit"


async def test_unknown_event_types_are_recorded_and_acknowledged(client: Client, db: asyncpg.Connection) -> None:
    result = await deliver(client, {"type": "session.created", "object": "event", "data": {"id": "sess_1"}}, "msg_s")
    assert result == {"svix_id": "msg_s", "type": "session.created", "outcome": "ignored"}
    [event] = await inbox(db)
    assert event["type"] == "session.created" and event["processed_at"] is not None
    assert event["payload"]["data"] == {"id": "sess_1"}


# --- the inbox: duplicates, concurrency, failures ----------------------------------------


async def test_a_redelivered_event_changes_nothing(client: Client, db: asyncpg.Connection) -> None:
    event = user_event("created", "user_1")
    assert (await deliver(client, event, "msg_dup"))["outcome"] == "applied"
    await db.execute("UPDATE users SET name = 'changed since' WHERE clerk_user_id = 'user_1'")
    assert (await deliver(client, event, "msg_dup"))["outcome"] == "duplicate"
    row = await user_row(db, "user_1")
    assert row is not None and row["name"] == "changed since"
    [recorded] = await inbox(db)
    assert recorded["svix_id"] == "msg_dup" and recorded["type"] == "user.created"
    assert recorded["payload"] == event and recorded["processed_at"] is not None and recorded["error"] is None


async def test_concurrent_duplicate_deliveries_apply_exactly_once(client: Client, db: asyncpg.Connection) -> None:
    body = orjson.dumps(membership_event("created", "org_c", "user_c", role="org:admin"))
    headers = sign(body, "msg_concurrent")
    responses = await asyncio.gather(*(client.post("/webhooks/clerk", data=body, headers=headers) for _ in range(8)))
    assert [r.status for r in responses] == [200] * 8
    outcomes = sorted([(await r.json())["outcome"] for r in responses])
    assert outcomes == ["applied"] + ["duplicate"] * 7
    assert len(await inbox(db)) == 1
    assert await db.fetchval("SELECT count(*) FROM organization_memberships") == 1
    assert await db.fetchval("SELECT count(*) FROM users") == 1


async def test_a_failed_delivery_rolls_back_is_recorded_with_its_error_and_its_retry_applies(
    client: Client, db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = webhook_handler.apply_event

    async def crash_after_writing(*args: Any) -> bool:
        await real(*args)  # the write happened, in the delivery's transaction
        raise RuntimeError("crashed mid-way")

    monkeypatch.setattr(webhook_handler, "apply_event", crash_after_writing)
    event = user_event("created", "user_f")
    await problem(await post(client, event, "msg_fail"), 500, "internal_error")
    assert await user_row(db, "user_f") is None  # rolled back: nothing of the event applied
    [failed] = await inbox(db)
    assert failed["svix_id"] == "msg_fail" and failed["processed_at"] is None
    assert "crashed mid-way" in failed["error"]

    monkeypatch.setattr(webhook_handler, "apply_event", real)
    assert (await deliver(client, event, "msg_fail"))["outcome"] == "applied"  # Svix's retry: same svix-id
    assert await user_row(db, "user_f") is not None
    [done] = await inbox(db)
    assert done["processed_at"] is not None and done["error"] is None
    assert (await deliver(client, event, "msg_fail"))["outcome"] == "duplicate"


async def test_a_payload_the_sync_cannot_read_is_422_and_recorded_unprocessed(client: Client, db: asyncpg.Connection) -> None:
    event = {"type": "user.created", "object": "event", "data": {"first_name": "no id"}}
    await problem(await post(client, event, "msg_bad"), 422, "validation_failed")
    [recorded] = await inbox(db)
    assert recorded["processed_at"] is None and "id" in recorded["error"]
    assert await db.fetchval("SELECT count(*) FROM users") == 0


async def post(client: Client, event: dict[str, Any], msg_id: str) -> Any:
    body = orjson.dumps(event)
    return await client.post("/webhooks/clerk", data=body, headers=sign(body, msg_id))


# --- signatures ------------------------------------------------------------------


async def test_a_tampered_body_is_refused_and_changes_nothing(client: Client, db: asyncpg.Connection) -> None:
    body = orjson.dumps(user_event("created", "user_1"))
    headers = sign(body, "msg_t")
    tampered = body.replace(b"a@example.com", b"evil@example.com")
    await problem(await client.post("/webhooks/clerk", data=tampered, headers=headers), 403, "invalid_signature")
    assert await inbox(db) == [] and await user_row(db, "user_1") is None


async def test_a_signature_with_another_secret_or_another_id_is_refused(client: Client, db: asyncpg.Connection) -> None:
    body = orjson.dumps(user_event("created", "user_1"))
    other = "whsec_" + base64.b64encode(b"some-other-endpoint-secret-32byt").decode()
    await problem(await client.post("/webhooks/clerk", data=body, headers=sign(body, "m", secret=other)), 403, "invalid_signature")
    headers = {**sign(body, "msg_a"), "svix-id": "msg_b"}
    await problem(await client.post("/webhooks/clerk", data=body, headers=headers), 403, "invalid_signature")
    headers = {**sign(body, "msg_a"), "svix-signature": "v1,not base64!"}
    await problem(await client.post("/webhooks/clerk", data=body, headers=headers), 403, "invalid_signature")
    headers = {**sign(body, "msg_a"), "svix-signature": "garbage"}
    await problem(await client.post("/webhooks/clerk", data=body, headers=headers), 403, "invalid_signature")
    assert await inbox(db) == []


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)], ids=["too-old", "too-new"])
async def test_timestamps_outside_the_tolerance_are_refused(client: Client, db: asyncpg.Connection, offset: timedelta) -> None:
    body = orjson.dumps(user_event("created", "user_1"))
    headers = sign(body, "msg_old", at=datetime.now(UTC) + offset)
    await problem(await client.post("/webhooks/clerk", data=body, headers=headers), 403, "invalid_signature")
    headers = {**sign(body, "msg_old"), "svix-timestamp": "yesterday"}
    await problem(await client.post("/webhooks/clerk", data=body, headers=headers), 403, "invalid_signature")
    assert await inbox(db) == []


@pytest.mark.parametrize("missing", ["svix-id", "svix-timestamp", "svix-signature"])
async def test_a_missing_svix_header_is_refused(client: Client, db: asyncpg.Connection, missing: str) -> None:
    body = orjson.dumps(user_event("created", "user_1"))
    headers = {k: v for k, v in sign(body, "msg_m").items() if k != missing}
    await problem(await client.post("/webhooks/clerk", data=body, headers=headers), 403, "invalid_signature")
    assert await inbox(db) == []


async def test_a_signed_body_that_is_not_an_event_is_refused(client: Client, db: asyncpg.Connection) -> None:
    for body, code, status in ((b"not json", "invalid_json", 400), (b'{"data": {}}', "validation_failed", 422)):
        resp = await client.post("/webhooks/clerk", data=body, headers=sign(body, f"msg_{code}"))
        await problem(resp, status, code)
    body = orjson.dumps({"type": "user.created", "data": {"id": "user_\u0000"}})
    await problem(await client.post("/webhooks/clerk", data=body, headers=sign(body, "msg_nul")), 422, "validation_failed")
    assert await inbox(db) == []


async def test_an_oversized_body_is_413(config: Config, aiohttp_client: ClientFactory) -> None:
    small: TestClient[Any, Any] = await aiohttp_client(create_app(dataclasses.replace(config, max_body_bytes=2048)))
    event = user_event("created", "user_1", first="x" * 4096)
    body = orjson.dumps(event)
    await problem(await small.post("/webhooks/clerk", data=body, headers=sign(body, "msg_big")), 413, "payload_too_large")


async def test_without_a_webhook_secret_the_endpoint_is_503(config: Config, aiohttp_client: ClientFactory) -> None:
    unconfigured = await aiohttp_client(create_app(dataclasses.replace(config, clerk_webhook_secret=None)))
    body = orjson.dumps(user_event("created", "user_1"))
    resp = await unconfigured.post("/webhooks/clerk", data=body, headers=sign(body, "msg_x"))
    await problem(resp, 503, "webhooks_not_configured")


async def test_the_webhook_is_in_the_openapi_document_with_its_statuses(client: Client) -> None:
    document = await (await client.get("/openapi.json")).json()
    operation = document["paths"]["/webhooks/clerk"]["post"]
    assert operation["security"] == []
    assert {"200", "400", "403", "413", "422", "500", "503"} <= set(operation["responses"])
    assert "invalid_signature" in operation["responses"]["403"]["content"]["application/problem+json"]["examples"]


# --- ordering: every permutation ends in the same state ---------------------------------

Deliver = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


@pytest.mark.parametrize("with_delete", [False, True], ids=["created-updated", "created-updated-deleted"])
async def test_user_events_in_any_order_end_in_the_same_state(
    client: Client, db: asyncpg.Connection, with_delete: bool
) -> None:
    for n, order in enumerate(itertools.permutations(["created", "updated", "deleted"] if with_delete else ["created", "updated"])):
        user = f"user_p{n}"
        events = {
            "created": user_event("created", user, T0, email="old@example.com", first="Old"),
            "updated": user_event("updated", user, T0 + 5000, email="new@example.com", first="New"),
            "deleted": deleted_event("user", user),
        }
        for kind in order:
            await deliver(client, events[kind])
        row = await user_row(db, user)
        assert row is not None, order
        if with_delete:
            assert row["deleted_at"] is not None, order
        else:
            assert (row["email"], row["name"], row["deleted_at"]) == ("new@example.com", "New Lovelace", None), order
            assert row["clerk_updated_at"] == ms(T0 + 5000)
    assert await db.fetchval("SELECT count(*) FROM users") == (6 if with_delete else 2)


@pytest.mark.parametrize("with_delete", [False, True], ids=["created-updated", "created-updated-deleted"])
async def test_organization_events_in_any_order_end_in_the_same_state(
    client: Client, db: asyncpg.Connection, with_delete: bool
) -> None:
    for n, order in enumerate(itertools.permutations(["created", "updated", "deleted"] if with_delete else ["created", "updated"])):
        org = f"org_p{n}"
        events = {
            "created": org_event("created", org, T0, name="Old"),
            "updated": org_event("updated", org, T0 + 5000, name="New"),
            "deleted": deleted_event("organization", org),
        }
        for kind in order:
            await deliver(client, events[kind])
        row = await org_row(db, org)
        assert row is not None, order
        if with_delete:
            assert row["deleted_at"] is not None, order
        else:
            assert (row["name"], row["slug"], row["deleted_at"]) == ("New", "new", None), order


@pytest.mark.parametrize("with_delete", [False, True], ids=["created-updated", "created-updated-deleted"])
async def test_membership_events_in_any_order_end_in_the_same_state(
    client: Client, db: asyncpg.Connection, with_delete: bool
) -> None:
    for n, order in enumerate(itertools.permutations(["created", "updated", "deleted"] if with_delete else ["created", "updated"])):
        org, user = f"org_p{n}", f"user_p{n}"
        events = {
            "created": membership_event("created", org, user, T0, role="org:member"),
            "updated": membership_event("updated", org, user, T0 + 5000, role="org:admin"),
            "deleted": membership_event("deleted", org, user, T0 + 9000, role="org:admin"),
        }
        for kind in order:
            await deliver(client, events[kind])
        row = await membership_row(db, org, user)
        if with_delete:
            assert row is None, order
        else:
            assert row is not None and row["role"] == "admin", order


async def test_a_late_deletion_of_an_old_membership_spares_the_user_readded_under_a_new_id(
    client: Client, db: asyncpg.Connection
) -> None:
    await deliver(client, membership_event("created", "org_1", "user_1", T0, membership="orgmem_old"))
    await deliver(client, membership_event("created", "org_1", "user_1", T0 + 10_000, membership="orgmem_new", role="org:admin"))
    await deliver(client, membership_event("deleted", "org_1", "user_1", T0 + 5000, membership="orgmem_old"))
    row = await membership_row(db, "org_1", "user_1")
    assert row is not None and row["clerk_membership_id"] == "orgmem_new" and row["role"] == "admin"


async def test_membership_events_for_deleted_users_or_organizations_change_nothing(
    client: Client, db: asyncpg.Connection
) -> None:
    await deliver(client, deleted_event("user", "user_gone"))
    await deliver(client, deleted_event("organization", "org_gone"))
    await deliver(client, user_event("created", "user_ok"))
    await deliver(client, membership_event("created", "org_ok", "user_gone"))
    await deliver(client, membership_event("created", "org_gone", "user_ok"))
    assert await db.fetchval("SELECT count(*) FROM organization_memberships") == 0
    gone = await user_row(db, "user_gone")
    assert gone is not None and gone["deleted_at"] is not None  # a late user.created cannot revive it
    await deliver(client, user_event("created", "user_gone"))
    gone = await user_row(db, "user_gone")
    assert gone is not None and gone["deleted_at"] is not None and gone["email"] is None


# --- deletion takes effect on the next request -----------------------------------------


async def sync_member_by_webhooks(client: Client, org: str, user: str, role: str = "org:admin") -> None:
    await deliver(client, user_event("created", user))
    await deliver(client, org_event("created", org))
    await deliver(client, membership_event("created", org, user, role=role))


async def test_a_deleted_user_loses_every_membership_and_is_refused_on_the_next_request(
    client: Client, db: asyncpg.Connection, token: TokenFactory
) -> None:
    await sync_member_by_webhooks(client, "org_1", "user_1")
    await deliver(client, membership_event("created", "org_2", "user_1"))
    tok = token("user_1", "org_1", "admin")
    assert (await client.get("/v1/me", headers=bearer(tok))).status == 200
    await deliver(client, deleted_event("user", "user_1"))
    assert await db.fetchval("SELECT count(*) FROM organization_memberships") == 0
    await problem(await client.get("/v1/me", headers=bearer(tok)), 401, "user_deleted")
    await problem(await client.get("/v1/me", headers=bearer(token("user_1", "org_2", "member"))), 401, "user_deleted")


async def test_a_removed_membership_is_refused_on_the_next_request(client: Client, token: TokenFactory) -> None:
    await sync_member_by_webhooks(client, "org_1", "user_1")
    tok = token("user_1", "org_1", "admin", iat=int(time.time()) - 30)
    assert (await client.get("/v1/me", headers=bearer(tok))).status == 200
    await deliver(client, membership_event("deleted", "org_1", "user_1", T0 + 1))
    await problem(await client.get("/v1/me", headers=bearer(tok)), 403, "not_a_member")


async def test_a_deleted_organization_refuses_tokens_and_api_keys_at_once(
    client: Client, db: asyncpg.Connection, token: TokenFactory
) -> None:
    await sync_member_by_webhooks(client, "org_1", "user_1")
    tok = token("user_1", "org_1", "admin")
    key = await create_key(client, tok)
    assert (await client.get("/v1/me", headers={"X-API-Key": key["secret"]})).status == 200
    await deliver(client, deleted_event("organization", "org_1"))
    await problem(await client.get("/v1/me", headers=bearer(tok)), 403, "organization_deleted")
    await problem(await client.get("/v1/me", headers={"X-API-Key": key["secret"]}), 401, "unknown_api_key")
    org = await org_row(db, "org_1")
    assert org is not None and org["deleted_at"] is not None  # the tombstone stays
    assert await db.fetchval("SELECT count(*) FROM organization_memberships") == 0
    await deliver(client, org_event("updated", "org_1", T0 + 99_000, name="Revived?"))
    org = await org_row(db, "org_1")
    assert org is not None and org["deleted_at"] is not None and org["name"] == "Acme"


async def test_a_deleted_organizations_data_is_purged_and_its_tombstone_kept(
    client: Client, db: asyncpg.Connection, token: TokenFactory
) -> None:
    await sync_member_by_webhooks(client, "org_1", "user_1")
    await sync_member_by_webhooks(client, "org_2", "user_2")
    await create_key(client, token("user_1", "org_1", "admin"))
    await create_key(client, token("user_2", "org_2", "admin"))
    before = await org_row(db, "org_1")
    assert before is not None
    orgs = {r["clerk_org_id"]: r["id"] for r in await db.fetch("SELECT id, clerk_org_id FROM organizations")}
    for clerk_org, clerk_user in (("org_1", "user_1"), ("org_2", "user_2")):
        user = await user_row(db, clerk_user)
        assert user is not None
        agent = await db.fetchval(
            "INSERT INTO agents (organization_id, name, type) VALUES ($1, 'Helper', 'generic_chat') RETURNING id",
            orgs[clerk_org],
        )
        await db.execute(
            "INSERT INTO conversations (organization_id, user_id, agent_id, title) VALUES ($1, $2, $3, 'Plans')",
            orgs[clerk_org], user["id"], agent,
        )

    await deliver(client, deleted_event("organization", "org_1"))

    owned = "SELECT (SELECT count(*) FROM agents WHERE organization_id = $1) + (SELECT count(*) FROM conversations WHERE organization_id = $1) + (SELECT count(*) FROM api_keys WHERE organization_id = $1)"
    assert await db.fetchval(owned, orgs["org_1"]) == 0
    assert await db.fetchval(owned, orgs["org_2"]) == 3  # another organization keeps everything
    after = await org_row(db, "org_1")
    assert after is not None and after["id"] == before["id"] and after["deleted_at"] is not None
    assert after["name"] == before["name"]


async def test_a_deleted_organizations_files_leave_storage_after_the_purge_commits(
    client: Client, db: asyncpg.Connection, token: TokenFactory, config: Config
) -> None:
    stored: dict[str, str] = {}
    for clerk_org, clerk_user in (("org_1", "user_1"), ("org_2", "user_2")):
        await sync_member_by_webhooks(client, clerk_org, clerk_user)
        tok = token(clerk_user, clerk_org, "admin")
        resp = await client.post("/v1/conversations", json={"title": "Plans"}, headers=bearer(tok))
        assert resp.status == 201, await resp.text()
        form = aiohttp.FormData()
        form.add_field("file", b"quarterly numbers\n", filename="numbers.txt")
        resp = await client.post(f"/v1/conversations/{(await resp.json())['id']}/files", data=form, headers=bearer(tok))
        assert resp.status == 201, await resp.text()
        stored[clerk_org] = await db.fetchval("SELECT path FROM files WHERE id = $1", (await resp.json())["id"])
    assert all((config.workspaces_dir / path).is_file() for path in stored.values())

    await deliver(client, deleted_event("organization", "org_1"))

    assert not (config.workspaces_dir / stored["org_1"]).exists()
    assert (config.workspaces_dir / stored["org_2"]).is_file()  # another organization's files stay
    assert await db.fetchval("SELECT count(*) FROM files") == 1
    assert await db.fetchval("SELECT count(*) FROM file_deletions") == 0
