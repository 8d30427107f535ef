"""POST /v1/commands: seed 002's command protocol over the same routes, for API keys acting for a member."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import asyncpg
from support import Client, TokenFactory, bearer, create_key, problem

from server.pipeline.route import Auth
from server.routes import ROUTES


class Commands:
    """Send commands with one API key, acting for one member."""

    def __init__(self, client: Client, secret: str, member: str | None) -> None:
        self.client, self.secret, self.member = client, secret, member

    async def raw(self, command: str, data: dict[str, Any] | None = None, **envelope: Any) -> Any:
        body: dict[str, Any] = {"type": "collaborative_session_command", "command": command} | envelope
        if data is not None:
            body["data"] = data
        if self.member is not None:
            body.setdefault("on_behalf_of", self.member)
        return await self.client.post("/v1/commands", json=body, headers={"X-API-Key": self.secret})

    async def ok(self, command: str, data: dict[str, Any] | None = None, **envelope: Any) -> Any:
        resp = await self.raw(command, data, **envelope)
        assert resp.status == 200, await resp.text()
        answer = await resp.json()
        assert answer["status"] == "success" and answer["command"] == command and answer["message"]
        return answer["result"]


async def commands_for(client: Client, token: TokenFactory, member: str | None = "user_alice") -> Commands:
    admin = token("user_alice", "org_a", "admin")
    secret = (await create_key(client, admin))["secret"]
    return Commands(client, secret, member)


async def test_the_seed_session_walkthrough(client: Client, token: TokenFactory, db: asyncpg.Connection) -> None:
    cmd = await commands_for(client, token)
    session = await cmd.ok(
        "create_session",
        {"session_id": "mobile_test_001", "title": "Mobile LLM Test Session", "participants": ["chatgpt", "developer"]},
    )
    assert session["title"] == "Mobile LLM Test Session" and session["metadata"] == {"session_id": "mobile_test_001"}
    idea = {
        "session_id": "mobile_test_001", "type": "idea", "key": "feature_carbon_tracking",
        "content": {"title": "Add carbon emissions tracking", "priority": "medium"},
        "tags": ["sustainability", "feature", "api"],
    }
    stored = await cmd.ok("store_memory", idea)
    assert stored["kind"] == "idea" and stored["conversation_id"] == session["id"]
    decision = {
        "session_id": "mobile_test_001", "type": "decision", "key": "use_opentelemetry",
        "content": {"decision": "Use OpenTelemetry"}, "tags": ["architecture", "observability"],
    }
    await cmd.ok("store_memory", decision)
    found = await cmd.ok("query_memories", {"session_id": "mobile_test_001", "type": "idea", "tags": ["feature"]})
    assert [m["key"] for m in found["items"]] == ["feature_carbon_tracking"]
    every = await cmd.ok("list_memories", {"session_id": "mobile_test_001"})
    assert {m["key"] for m in every["items"]} == {"feature_carbon_tracking", "use_opentelemetry"}
    again = await cmd.ok("retrieve_memory", {"session_id": "mobile_test_001", "key": "use_opentelemetry"})
    assert again["content"] == {"decision": "Use OpenTelemetry"}
    summary = await cmd.ok("get_session_summary", {"session_id": "mobile_test_001"})
    assert summary["memory_count"] == 2 and summary["id"] == session["id"]
    # The session is a conversation of the member the key acts for.
    owner = await db.fetchval("SELECT u.clerk_user_id FROM conversations c JOIN users u ON u.id = c.user_id")
    assert owner == "user_alice"


async def test_session_status_commands_and_listing(client: Client, token: TokenFactory) -> None:
    cmd = await commands_for(client, token)
    created = await cmd.ok("create_session", {"session_id": "s-1"})
    for command, status in (("pause_session", "paused"), ("resume_session", "active"), ("complete_session", "completed")):
        changed = await cmd.ok(command, {"session_id": "s-1"})
        assert changed["status"] == status
    # By id as well as by name.
    assert (await cmd.ok("pause_session", {"session_id": created["id"]}))["status"] == "paused"
    listed = await cmd.ok("list_sessions", {"status": "paused"})
    assert [s["id"] for s in listed["items"]] == [created["id"]]
    resp = await cmd.raw("create_session", {"session_id": "s-1"})
    body = await problem(resp, 409, "conflict")
    assert body["errors"][0]["loc"] == ["body", "data", "session_id"]


async def test_chunks_tasks_and_artifacts_land_in_the_session(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    admin = token("user_alice", "org_a", "admin")
    agent = await (await client.post("/v1/agents", json={"name": "Reviewer"}, headers=bearer(admin))).json()
    cmd = await commands_for(client, token)
    session = await cmd.ok("create_session", {"session_id": "review-123"})
    first = await cmd.ok("conversation_chunk", {"session_id": "review-123", "content": "Reviewer: rename foo."})
    second = await cmd.ok("conversation_chunk", {"session_id": "review-123", "content": "Author: done."})
    assert (first["chunk_number"], second["chunk_number"]) == (0, 1)
    task = await cmd.ok(
        "delegate_task",
        {"session_id": "review-123", "agent_id": agent["id"], "task_type": "summarize", "input": {"style": "short"}},
    )
    assert task["status"] == "pending" and task["conversation_id"] == session["id"]
    artifact = await cmd.ok(
        "add_artifact", {"session_id": "review-123", "artifact_type": "document", "name": "notes.md", "content": "# Notes"}
    )
    assert artifact["conversation_id"] == session["id"]
    assert await db.fetchval("SELECT count(*) FROM conversation_chunks WHERE conversation_id = $1", session["id"]) == 2
    summary = await cmd.ok("get_session_summary", {"session_id": "review-123"})
    assert summary["task_count"] == 1


async def test_a_batch_of_commands_is_all_or_nothing(client: Client, token: TokenFactory, db: asyncpg.Connection) -> None:
    cmd = await commands_for(client, token)
    done = await cmd.ok(
        "batch",
        {
            "commands": [
                {"command": "create_session", "data": {"session_id": "setup"}},
                {"command": "store_memory", "data": {"session_id": "setup", "type": "fact", "key": "a", "content": {}}},
                {"command": "store_memory", "data": {"session_id": "setup", "type": "risk", "key": "b", "content": {}}},
            ]
        },
    )
    assert [r["command"] for r in done] == ["create_session", "store_memory", "store_memory"]
    assert await db.fetchval("SELECT count(*) FROM memories") == 2
    resp = await cmd.raw(
        "batch",
        {
            "commands": [
                {"command": "create_session", "data": {"session_id": "doomed"}},
                {"command": "store_memory", "data": {"session_id": "doomed", "type": "fact", "key": "c"}},
                {"command": "store_memory", "data": {"session_id": "nowhere", "type": "fact", "key": "d"}},
            ]
        },
    )
    body = await problem(resp, 404, "not_found")
    assert body["errors"][0]["loc"] == ["body", "data", "commands", 2] and "nowhere" in body["detail"]
    assert await db.fetchval("SELECT count(*) FROM conversations WHERE metadata->>'session_id' = 'doomed'") == 0
    assert await db.fetchval("SELECT count(*) FROM memories") == 2


async def test_sessions_need_a_member_to_act_for(client: Client, token: TokenFactory, db: asyncpg.Connection) -> None:
    nobody = await commands_for(client, token, member=None)
    await problem(await nobody.raw("create_session", {"session_id": "x"}), 403, "user_required")
    # Organization-wide memories need no user.
    stored = await nobody.ok("store_memory", {"type": "fact", "key": "org-fact", "content": {"v": 1}})
    assert stored["user_id"] is None
    stranger = Commands(client, nobody.secret, "user_carol")
    await client.get("/v1/me", headers=bearer(token("user_carol", "org_b")))  # a member elsewhere only
    resp = await stranger.raw("create_session", {"session_id": "x"})
    body = await problem(resp, 404, "not_found")
    assert body["errors"][0]["loc"] == ["body", "on_behalf_of"]
    assert await db.fetchval("SELECT count(*) FROM conversations") == 0


async def test_a_key_acting_for_an_admin_gets_a_members_rights_never_an_admins(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    cmd = await commands_for(client, token)  # alice is an admin; the key acts for her as a member
    admin = token("user_alice", "org_a", "admin")
    agent = await (await client.post("/v1/agents", json={"name": "Mine"}, headers=bearer(admin))).json()
    task = await cmd.ok("delegate_task", {"agent_id": agent["id"], "task_type": "run"})
    assert task["agent_id"] == agent["id"], "a member's work is done"
    key_id = await db.fetchval("SELECT id FROM api_keys")
    ids = {"id": agent["id"], "organization_id": str(uuid4())}
    bodies: dict[str, Any] = {
        "/v1/api-keys": {"name": "k", "scopes": []}, "/v1/agents": {"name": "Theirs"}, "/v1/agents/{id}": {"name": "Renamed"},
        "/v1/agents/{id}/knowledge-sources": {"source_type": "url", "source_path": "https://x.example", "source_name": "x"},
        "/v1/agents/{id}/quick-tasks": {"title": "t", "prompt": "p"}, "/v1/agents/{id}/access": {"organization_id": ids["organization_id"]},
    }
    admin_only = [route for route in ROUTES if route.auth is Auth.ADMIN]
    assert len(admin_only) >= 10
    for route in admin_only:
        path = route.path.replace("/v1/api-keys/{id}", f"/v1/api-keys/{key_id}").format(**ids)
        body = bodies.get(route.path) if route.method in ("POST", "PATCH") else None
        await problem(await client.request(route.method, path, json=body, headers={"X-API-Key": cmd.secret}), 403, "user_required")
        if route.in_batch:
            operation = {"method": route.method, "path": path} | ({"body": body} if body is not None else {})
            resp = await client.post("/v1/batch", json={"operations": [operation]}, headers={"X-API-Key": cmd.secret})
            await problem(resp, 403, "user_required")
    # No command stands for an admin-only operation: naming one is refused before anything runs.
    await problem(await cmd.raw("create_agent", {"name": "Theirs"}), 422, "validation_failed")
    assert await db.fetchval("SELECT count(*) FROM agents") == 1
    assert await db.fetchval("SELECT name FROM agents") == "Mine"
    assert await db.fetchval("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL") == 1
    assert await db.fetchval("SELECT count(*) FROM agent_knowledge_sources") + await db.fetchval("SELECT count(*) FROM agent_quick_tasks") == 0


async def test_signed_in_users_act_as_themselves(client: Client, token: TokenFactory) -> None:
    tok = token("user_bob", "org_a", "member")
    body = {"command": "create_session", "data": {"session_id": "bob-1"}}
    resp = await client.post("/v1/commands", json=body, headers=bearer(tok))
    assert resp.status == 200, await resp.text()
    impersonating = body | {"on_behalf_of": "user_alice"}
    await problem(await client.post("/v1/commands", json=impersonating, headers=bearer(tok)), 403, "forbidden")


async def test_another_organizations_sessions_are_404(client: Client, token: TokenFactory, db: asyncpg.Connection) -> None:
    theirs = token("user_carol", "org_b", "admin")
    created = await client.post(
        "/v1/commands", json={"command": "create_session", "data": {"session_id": "b-secret"}}, headers=bearer(theirs)
    )
    their_session = (await created.json())["result"]
    cmd = await commands_for(client, token)
    for ref in ("b-secret", their_session["id"]):
        await problem(await cmd.raw("pause_session", {"session_id": ref}), 404, "not_found")
        await problem(
            await cmd.raw("store_memory", {"session_id": ref, "type": "fact", "key": "x"}), 404, "not_found"
        )
        await problem(await cmd.raw("conversation_chunk", {"session_id": ref, "content": "x"}), 404, "not_found")
    status = await db.fetchval("SELECT status::text FROM conversations WHERE id = $1", their_session["id"])
    assert status == "active"
    assert await db.fetchval("SELECT count(*) FROM memories") == 0


async def test_malformed_commands_are_422_naming_the_field(client: Client, token: TokenFactory) -> None:
    cmd = await commands_for(client, token)
    resp = await cmd.raw("launch_rockets", {})
    await problem(resp, 422, "validation_failed")
    body = await problem(await cmd.raw("store_memory", {"type": "whim", "key": "k"}), 422, "validation_failed")
    assert any(e["loc"][:3] == ["body", "store_memory", "data"] for e in body["errors"])
    await problem(await cmd.raw("create_session", {"session_id": "a/b"}), 422, "validation_failed")
    both = {"session_id": "s", "conversation_id": "00000000-0000-4000-8000-000000000000", "type": "fact", "key": "k"}
    body = await problem(await cmd.raw("store_memory", both), 422, "validation_failed")
    assert body["errors"][0]["loc"] == ["body", "data", "conversation_id"]
    await problem(await cmd.raw("create_session", {}, type="other"), 422, "validation_failed")


async def test_query_memories_recalls_by_text(client: Client, token: TokenFactory) -> None:
    cmd = await commands_for(client, token)
    await cmd.ok("create_session", {"session_id": "ringi"})
    for key, text, importance in (("flow", "承認フローは二段階", 0.9), ("minor", "承認フローのメモ", 0.2), ("other", "lunch", 1.0)):
        await cmd.ok("store_memory", {"session_id": "ringi", "type": "decision", "key": key, "content": {"text": text}, "importance": importance})
    recalled = await cmd.ok("query_memories", {"session_id": "ringi", "query": "承認フロー"})
    assert [hit["memory"]["key"] for hit in recalled["items"]] == ["flow", "minor"]
    parts = recalled["items"][0]["score"]
    assert parts["importance"] == 0.9 and parts["text_match"] > 0 and parts["score"] > 0 and parts["similarity"] is None
    resp = await cmd.raw("query_memories", {"query": "承認", "cursor": "1_" + "0" * 32})
    body = await problem(resp, 422, "validation_failed")
    assert body["errors"][0]["loc"] == ["body", "data", "cursor"]
