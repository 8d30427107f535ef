"""/v1/tasks: delegation to usable agents, cursors and filters, cancel, conversation access, tenants apart."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from support import (
    NOWHERE,
    Client,
    TokenFactory,
    all_pages,
    bearer,
    create_key,
    ids,
    me,
    new_agent,
    new_artifact,
    new_conversation,
    new_task,
    problem,
    routes_called,
    routes_under,
    sync_member,
)

from gen import tasks as task_queries

# --- tasks -----------------------------------------------------------------------------


async def test_a_member_delegates_a_task_gets_it_and_deletes_it(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    admin = token("user_alice", "org_a", "admin")
    await sync_member(db, "user_bob", "org_a", "member")
    bob = token("user_bob", "org_a", "member")
    agent_id = await new_agent(client, admin)
    task = await new_task(client, bearer(bob), agent_id, input={"window": 50}, max_attempts=5)
    assert task["status"] == "pending" and task["agent_id"] == agent_id and task["conversation_id"] is None
    assert task["input"] == {"window": 50} and task["max_attempts"] == 5 and task["attempts"] == 0
    assert task["created_by"] == await me(client, bob) and task["output"] is None and task["finished_at"] is None
    assert "organization_id" not in task
    url = f"/v1/tasks/{task['id']}"
    # Standalone tasks are the organization's: other members read them too.
    assert await (await client.get(url, headers=bearer(admin))).json() == task
    defaults = await new_task(client, bearer(bob), agent_id, run_after="2030-01-01T09:00:00+09:00")
    assert defaults["input"] == {} and defaults["max_attempts"] == 3
    assert defaults["run_after"].startswith("2030-01-01T00:00:00")
    assert (await client.delete(url, headers=bearer(admin))).status == 204
    await problem(await client.get(url, headers=bearer(bob)), 404, "not_found")
    await problem(await client.delete(url, headers=bearer(bob)), 404, "not_found")
    assert await db.fetchval("SELECT count(*) FROM tasks") == 1


async def test_tasks_are_listed_newest_first_filtered_and_paged_without_loss(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    first_agent, second_agent = await new_agent(client, tok), await new_agent(client, tok, name="Coder")
    conversation_id = await new_conversation(client, tok)
    made = [
        await new_task(client, bearer(tok), first_agent),
        await new_task(client, bearer(tok), second_agent),
        await new_task(client, bearer(tok), first_agent, conversation_id=conversation_id),
        await new_task(client, bearer(tok), second_agent, conversation_id=conversation_id),
        await new_task(client, bearer(tok), first_agent),
    ]
    every = [t["id"] for t in made]
    # Equal created_at: the id breaks the tie, and no page loses or repeats a task.
    await db.execute("UPDATE tasks SET created_at = '2000-01-01T00:00:00Z' WHERE id = $1", every[0])
    await db.execute("UPDATE tasks SET created_at = '2000-01-02T00:00:00Z' WHERE id = ANY($1::uuid[])", every[1:4])
    seen = await all_pages(client, "/v1/tasks", bearer(tok))
    assert sorted(seen) == sorted(every) and len(seen) == 5
    assert seen[0] == every[4] and seen[-1] == every[0]  # newest first
    assert set(await ids(client, "/v1/tasks", bearer(tok), agent_id=first_agent)) == {every[0], every[2], every[4]}
    in_conversation = await all_pages(client, "/v1/tasks", bearer(tok), conversation_id=conversation_id)
    assert sorted(in_conversation) == sorted(every[2:4])
    assert await ids(client, "/v1/tasks", bearer(tok), agent_id=second_agent, conversation_id=conversation_id) == [
        every[3]
    ]
    assert (await client.post(f"/v1/tasks/{every[1]}/cancel", headers=bearer(tok))).status == 200
    assert await ids(client, "/v1/tasks", bearer(tok), status="cancelled") == [every[1]]
    assert len(await ids(client, "/v1/tasks", bearer(tok), status="pending")) == 4
    assert await ids(client, "/v1/tasks", bearer(tok), agent_id=NOWHERE) == []
    assert await db.fetchval("SELECT task_count FROM conversations WHERE id = $1", conversation_id) == 2


async def test_cancel_stops_pending_and_running_tasks_and_is_409_once_finished(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    pending = await new_task(client, bearer(tok), agent_id)
    resp = await client.post(f"/v1/tasks/{pending['id']}/cancel", headers=bearer(tok))
    assert resp.status == 200, await resp.text()
    cancelled = await resp.json()
    assert cancelled["status"] == "cancelled" and cancelled["finished_at"] is not None
    again = await problem(await client.post(f"/v1/tasks/{pending['id']}/cancel", headers=bearer(tok)), 409, "conflict")
    assert "cancelled" in again["detail"]
    assert await (await client.get(f"/v1/tasks/{pending['id']}", headers=bearer(tok))).json() == cancelled

    running = await new_task(client, bearer(tok), agent_id)
    claimed = await task_queries.claim_tasks(db, worker="worker-1", agent_id=UUID(agent_id), limit=10)
    assert [str(t.id) for t in claimed] == [running["id"]]
    resp = await client.post(f"/v1/tasks/{running['id']}/cancel", headers=bearer(tok))
    assert resp.status == 200, await resp.text()
    stopped = await resp.json()
    assert stopped["status"] == "cancelled" and stopped["locked_by"] is None and stopped["attempts"] == 1
    # Its worker can no longer finish it.
    assert await task_queries.complete_task(db, output={"done": True}, id=UUID(running["id"]), worker="worker-1") is None

    done = await new_task(client, bearer(tok), agent_id)
    await task_queries.claim_tasks(db, worker="worker-2", agent_id=UUID(agent_id), limit=10)
    await task_queries.complete_task(db, output={"summary": "ok"}, id=UUID(done["id"]), worker="worker-2")
    await problem(await client.post(f"/v1/tasks/{done['id']}/cancel", headers=bearer(tok)), 409, "conflict")
    got = await (await client.get(f"/v1/tasks/{done['id']}", headers=bearer(tok))).json()
    assert got["status"] == "succeeded" and got["output"] == {"summary": "ok"}
    await problem(await client.post(f"/v1/tasks/{NOWHERE}/cancel", headers=bearer(tok)), 404, "not_found")


async def test_invalid_tasks_are_4xx_naming_the_field_and_nothing_is_written(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    valid = {"agent_id": agent_id, "task_type": "summarize"}
    cases: list[tuple[dict[str, Any], list[str | int]]] = [
        (valid | {"priority": 1}, ["body", "priority"]),
        (valid | {"task_type": " "}, ["body", "task_type"]),
        (valid | {"task_type": ""}, ["body", "task_type"]),
        (valid | {"task_type": 5}, ["body", "task_type"]),
        (valid | {"input": [1, 2]}, ["body", "input"]),
        (valid | {"input": "text"}, ["body", "input"]),
        (valid | {"max_attempts": 0}, ["body", "max_attempts"]),
        (valid | {"max_attempts": "3"}, ["body", "max_attempts"]),
        (valid | {"max_attempts": 2.5}, ["body", "max_attempts"]),
        (valid | {"run_after": "2030-01-01T00:00:00"}, ["body", "run_after"]),  # no time zone
        (valid | {"run_after": "soon"}, ["body", "run_after"]),
        (valid | {"run_after": "0001-01-01T00:00:00+05:00"}, ["body", "run_after"]),  # year 0 in UTC
        (valid | {"run_after": "9999-12-31T23:00:00-05:00"}, ["body", "run_after"]),
        (valid | {"agent_id": "not-a-uuid"}, ["body", "agent_id"]),
        (valid | {"conversation_id": 7}, ["body", "conversation_id"]),
        ({"task_type": "summarize"}, ["body", "agent_id"]),
        (valid | {"task_type": "sum\x00marize"}, ["body", "task_type"]),
        (valid | {"input": {"k": "v\x00"}}, ["body", "input", "k"]),
    ]
    for body, loc in cases:
        err = await problem(await client.post("/v1/tasks", json=body, headers=bearer(tok)), 422, "validation_failed")
        assert loc in [e["loc"][: len(loc)] for e in err["errors"]], (body, err)
    assert (await new_task(client, bearer(tok), agent_id, max_attempts=2.0))["max_attempts"] == 2
    await problem(await client.post("/v1/tasks", data=b"[", headers=bearer(tok) | {"Content-Type": "application/json"}), 400, "invalid_json")
    err = await problem(await client.get("/v1/tasks", params={"cursor": "bogus"}, headers=bearer(tok)), 400, "invalid_cursor")
    assert err["errors"][0]["loc"] == ["query", "cursor"]
    for params in ({"status": "done"}, {"agent_id": "x"}, {"conversation_id": "x"}, {"limit": "0"}, {"sort": "asc"},
                   {"status": "pending\x00"}):
        err = await problem(await client.get("/v1/tasks", params=params, headers=bearer(tok)), 422, "validation_failed")
        assert err["errors"][0]["loc"][0] == "query"
    for method in ("GET", "DELETE"):
        await problem(await client.request(method, "/v1/tasks/not-a-uuid", headers=bearer(tok)), 404, "not_found")
    await problem(await client.post("/v1/tasks/not-a-uuid/cancel", headers=bearer(tok)), 404, "not_found")
    assert await db.fetchval("SELECT count(*) FROM tasks") == 1


async def test_a_task_names_only_agents_and_conversations_the_caller_may_use(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = token("user_alice", "org_a", "admin")
    await sync_member(db, "user_bob", "org_a", "member")
    bob = token("user_bob", "org_a", "member")
    carol = token("user_carol", "org_b", "admin")
    ours = await new_agent(client, alice)
    theirs = await new_agent(client, carol)
    their_public = await new_agent(client, carol, name="Public", visibility="public")
    alices_conversation = await new_conversation(client, alice)
    their_conversation = await new_conversation(client, carol)
    for agent_id in (NOWHERE, theirs):
        body = {"agent_id": agent_id, "task_type": "summarize"}
        err = await problem(await client.post("/v1/tasks", json=body, headers=bearer(alice)), 409, "conflict")
        assert err["errors"][0]["loc"] == ["body", "agent_id"] and "fkey" not in str(err)
    # Bob may not use Alice's (unshared) conversation, nor anyone another organization's.
    for tok, conversation_id in ((bob, alices_conversation), (alice, their_conversation), (alice, NOWHERE)):
        body = {"agent_id": ours, "task_type": "summarize", "conversation_id": conversation_id}
        err = await problem(await client.post("/v1/tasks", json=body, headers=bearer(tok)), 409, "conflict")
        assert err["errors"][0]["loc"] == ["body", "conversation_id"]
    assert await db.fetchval("SELECT count(*) FROM tasks") == 0
    # A public agent of another organization may be used.
    task = await new_task(client, bearer(alice), their_public, conversation_id=alices_conversation)
    assert task["agent_id"] == their_public and task["conversation_id"] == alices_conversation


async def test_the_tasks_of_a_conversation_follow_its_access(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = token("user_alice", "org_a", "admin")
    await sync_member(db, "user_bob", "org_a", "member")
    bob = token("user_bob", "org_a", "member")
    agent_id = await new_agent(client, alice)
    conversation_id = await new_conversation(client, alice)
    private = await new_task(client, bearer(alice), agent_id, conversation_id=conversation_id)
    standalone = await new_task(client, bearer(alice), agent_id)
    url = f"/v1/tasks/{private['id']}"
    assert await ids(client, "/v1/tasks", bearer(bob)) == [standalone["id"]]
    assert await ids(client, "/v1/tasks", bearer(bob), conversation_id=conversation_id) == []
    await problem(await client.get(url, headers=bearer(bob)), 404, "not_found")
    await problem(await client.post(f"{url}/cancel", headers=bearer(bob)), 404, "not_found")
    await problem(await client.delete(url, headers=bearer(bob)), 404, "not_found")
    assert await db.fetchval("SELECT status::text FROM tasks WHERE id = $1", private["id"]) == "pending"
    shared = await client.post(
        f"/v1/conversations/{conversation_id}/shares", json={"user_id": await me(client, bob)}, headers=bearer(alice)
    )
    assert shared.status == 201
    assert (await client.get(url, headers=bearer(bob))).status == 200
    mine = await new_task(client, bearer(bob), agent_id, conversation_id=conversation_id)
    assert await ids(client, "/v1/tasks", bearer(bob), conversation_id=conversation_id) == [mine["id"], private["id"]]
    assert (await client.post(f"{url}/cancel", headers=bearer(bob))).status == 200


async def test_api_keys_delegate_and_cancel_standalone_tasks_only(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    conversation_id = await new_conversation(client, tok)
    in_conversation = await new_task(client, bearer(tok), agent_id, conversation_id=conversation_id)
    key = {"X-API-Key": (await create_key(client, tok))["secret"]}
    task = await new_task(client, key, agent_id, input={"ticker": "7203.T"})
    assert task["created_by"] is None and task["conversation_id"] is None
    body = {"agent_id": agent_id, "task_type": "summarize", "conversation_id": conversation_id}
    err = await problem(await client.post("/v1/tasks", json=body, headers=key), 409, "conflict")
    assert err["errors"][0]["loc"] == ["body", "conversation_id"]
    # No user: a conversation's tasks are out of reach, the standalone ones are the organization's.
    assert await ids(client, "/v1/tasks", key) == [task["id"]]
    await problem(await client.get(f"/v1/tasks/{in_conversation['id']}", headers=key), 404, "not_found")
    await problem(await client.post(f"/v1/tasks/{in_conversation['id']}/cancel", headers=key), 404, "not_found")
    await problem(await client.delete(f"/v1/tasks/{in_conversation['id']}", headers=key), 404, "not_found")
    resp = await client.post(f"/v1/tasks/{task['id']}/cancel", headers=key)
    assert resp.status == 200 and (await resp.json())["status"] == "cancelled"
    assert set(await ids(client, "/v1/tasks", bearer(tok))) == {task["id"], in_conversation["id"]}
    assert await db.fetchval("SELECT count(*) FROM tasks") == 2
    assert await db.fetchval("SELECT status::text FROM tasks WHERE id = $1", in_conversation["id"]) == "pending"


# --- tenants ---------------------------------------------------------------------------


async def test_another_organizations_tasks_and_artifacts_are_404_on_every_route_and_unchanged(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = token("user_alice", "org_a", "admin")
    carol = token("user_carol", "org_b", "admin")
    agent_id = await new_agent(client, alice)
    conversation_id = await new_conversation(client, alice)
    standalone = await new_task(client, bearer(alice), agent_id)
    in_conversation = await new_task(client, bearer(alice), agent_id, conversation_id=conversation_id)
    artifact = await new_artifact(client, bearer(alice), task_id=standalone["id"])
    their_artifact = await new_artifact(client, bearer(alice), conversation_id=conversation_id)
    tasks_before = await db.fetch("SELECT * FROM tasks ORDER BY id")
    artifacts_before = await db.fetch("SELECT * FROM artifacts ORDER BY id")
    calls: list[tuple[str, str, Any]] = []
    for task in (standalone, in_conversation):
        calls += [
            ("GET", f"/v1/tasks/{task['id']}", None),
            ("POST", f"/v1/tasks/{task['id']}/cancel", None),
            ("DELETE", f"/v1/tasks/{task['id']}", None),
        ]
    for art in (artifact, their_artifact):
        calls += [
            ("GET", f"/v1/artifacts/{art['id']}", None),
            ("PATCH", f"/v1/artifacts/{art['id']}", {"content": "stolen"}),
            ("DELETE", f"/v1/artifacts/{art['id']}", None),
        ]
    assert routes_called(calls) == routes_under("/v1/tasks/{id}") | routes_under("/v1/artifacts/{id}")
    key = {"X-API-Key": (await create_key(client, carol))["secret"]}
    for headers in (bearer(carol), key):
        for method, target, payload in calls:
            await problem(await client.request(method, target, json=payload, headers=headers), 404, "not_found")
        assert await ids(client, "/v1/tasks", headers) == []
        assert await ids(client, "/v1/tasks", headers, agent_id=agent_id, conversation_id=conversation_id) == []
        assert await ids(client, "/v1/artifacts", headers, task_id=standalone["id"]) == []
        # Their agent, conversation and task cannot be named in our writes either.
        their_agent = {"agent_id": agent_id, "task_type": "summarize"}
        err = await problem(await client.post("/v1/tasks", json=their_agent, headers=headers), 409, "conflict")
        assert err["errors"][0]["loc"] == ["body", "agent_id"]
        for field, value in (("conversation_id", conversation_id), ("task_id", standalone["id"]), ("agent_id", agent_id)):
            body = {"artifact_type": "code", "name": "x", field: value}
            err = await problem(await client.post("/v1/artifacts", json=body, headers=headers), 409, "conflict")
            assert err["errors"][0]["loc"] == ["body", field]
    carols_agent = await new_agent(client, carol)
    body = {"agent_id": carols_agent, "task_type": "summarize", "conversation_id": conversation_id}
    err = await problem(await client.post("/v1/tasks", json=body, headers=bearer(carol)), 409, "conflict")
    assert err["errors"][0]["loc"] == ["body", "conversation_id"]
    assert await db.fetch("SELECT * FROM tasks ORDER BY id") == tasks_before
    assert await db.fetch("SELECT * FROM artifacts ORDER BY id") == artifacts_before
