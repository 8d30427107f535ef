"""/v1/tasks and /v1/artifacts: delegation to usable agents, cursors and filters, cancel, conversation access, tenants apart."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from support import Client, TokenFactory, bearer, create_key, problem, sync_member

from gen import tasks as task_queries

NOWHERE = "00000000-0000-4000-8000-000000000000"


async def created(resp: Any) -> dict[str, Any]:
    assert resp.status == 201, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def new_agent(client: Client, tok: str, **fields: Any) -> str:
    resp = await client.post("/v1/agents", json={"name": "Analyst", "type": "research"} | fields, headers=bearer(tok))
    return str((await created(resp))["id"])


async def new_conversation(client: Client, tok: str) -> str:
    resp = await client.post("/v1/conversations", json={"title": "Quarterly report"}, headers=bearer(tok))
    return str((await created(resp))["id"])


async def new_task(client: Client, headers: dict[str, str], agent_id: str, **fields: Any) -> dict[str, Any]:
    body = {"agent_id": agent_id, "task_type": "summarize"} | fields
    return await created(await client.post("/v1/tasks", json=body, headers=headers))


async def new_artifact(client: Client, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {"artifact_type": "code", "name": "report.py", "content": "print(1)"} | fields
    return await created(await client.post("/v1/artifacts", json=body, headers=headers))


async def all_pages(client: Client, url: str, headers: dict[str, str], **params: str) -> list[str]:
    """Every id of a list, followed page by page (limit 2)."""
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": "2"} | params | ({"cursor": cursor} if cursor else {})
        resp = await client.get(url, params=query, headers=headers)
        assert resp.status == 200, await resp.text()
        page = await resp.json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


async def ids(client: Client, url: str, headers: dict[str, str], **params: str) -> list[str]:
    resp = await client.get(url, params=params, headers=headers)
    assert resp.status == 200, await resp.text()
    return [item["id"] for item in (await resp.json())["items"]]


async def me(client: Client, tok: str) -> str:
    return str((await (await client.get("/v1/me", headers=bearer(tok))).json())["user"]["id"])


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
    resp = await client.post(f"/v1/tasks/{task['id']}/cancel", headers=key)
    assert resp.status == 200 and (await resp.json())["status"] == "cancelled"
    assert set(await ids(client, "/v1/tasks", bearer(tok))) == {task["id"], in_conversation["id"]}
    assert await db.fetchval("SELECT count(*) FROM tasks") == 2


# --- artifacts -------------------------------------------------------------------------


async def test_an_artifact_is_stored_read_changed_and_deleted(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    artifact = await new_artifact(
        client, bearer(tok), agent_id=agent_id, mime_type="text/x-python", metadata={"language": "python"}
    )
    assert artifact["artifact_type"] == "code" and artifact["name"] == "report.py" and artifact["content"] == "print(1)"
    assert artifact["agent_id"] == agent_id and artifact["created_by"] == await me(client, tok)
    assert artifact["conversation_id"] is None and artifact["task_id"] is None and "organization_id" not in artifact
    url = f"/v1/artifacts/{artifact['id']}"
    assert await (await client.get(url, headers=bearer(tok))).json() == artifact
    resp = await client.patch(url, json={"content": "print(2)", "mime_type": "text/plain; charset=utf-8"}, headers=bearer(tok))
    assert resp.status == 200, await resp.text()
    changed = await resp.json()
    assert changed["content"] == "print(2)" and changed["mime_type"] == "text/plain; charset=utf-8"
    assert changed["name"] == "report.py" and changed["metadata"] == {"language": "python"}
    unchanged = await (await client.patch(url, json={}, headers=bearer(tok))).json()
    assert unchanged == changed
    renamed = await (await client.patch(url, json={"name": "r.py", "metadata": {}}, headers=bearer(tok))).json()
    assert renamed["name"] == "r.py" and renamed["metadata"] == {} and renamed["content"] == "print(2)"
    minimal = await new_artifact(client, bearer(tok), artifact_type="document", name="notes", content=None)
    assert minimal["content"] == "" and minimal["mime_type"] is None and minimal["metadata"] == {}
    assert (await client.delete(url, headers=bearer(tok))).status == 204
    await problem(await client.get(url, headers=bearer(tok)), 404, "not_found")
    await problem(await client.patch(url, json={"name": "x"}, headers=bearer(tok)), 404, "not_found")
    await problem(await client.delete(url, headers=bearer(tok)), 404, "not_found")
    assert await db.fetchval("SELECT count(*) FROM artifacts") == 1


async def test_artifacts_are_listed_newest_first_filtered_and_paged_without_loss(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    conversation_id = await new_conversation(client, tok)
    task = await new_task(client, bearer(tok), agent_id)
    made = [
        await new_artifact(client, bearer(tok)),
        await new_artifact(client, bearer(tok), artifact_type="document", conversation_id=conversation_id),
        await new_artifact(client, bearer(tok), task_id=task["id"]),
        await new_artifact(client, bearer(tok), artifact_type="document", task_id=task["id"]),
        await new_artifact(client, bearer(tok), artifact_type="diagram"),
    ]
    every = [a["id"] for a in made]
    await db.execute("UPDATE artifacts SET created_at = '2000-01-01T00:00:00Z' WHERE id = ANY($1::uuid[])", every[:3])
    seen = await all_pages(client, "/v1/artifacts", bearer(tok))
    assert sorted(seen) == sorted(every) and len(seen) == 5 and seen[:2] == [every[4], every[3]]
    assert await ids(client, "/v1/artifacts", bearer(tok), conversation_id=conversation_id) == [every[1]]
    assert await all_pages(client, "/v1/artifacts", bearer(tok), task_id=task["id"]) == [every[3], every[2]]
    assert set(await ids(client, "/v1/artifacts", bearer(tok), artifact_type="document")) == {every[1], every[3]}
    assert await ids(client, "/v1/artifacts", bearer(tok), artifact_type="document", task_id=task["id"]) == [every[3]]
    assert await ids(client, "/v1/artifacts", bearer(tok), artifact_type="image") == []
    # Deleting the task keeps its artifacts, without task_id.
    assert (await client.delete(f"/v1/tasks/{task['id']}", headers=bearer(tok))).status == 204
    assert await ids(client, "/v1/artifacts", bearer(tok), task_id=task["id"]) == []
    kept = await (await client.get(f"/v1/artifacts/{every[2]}", headers=bearer(tok))).json()
    assert kept["task_id"] is None


async def test_an_artifact_of_a_conversations_task_belongs_to_that_conversation(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = token("user_alice", "org_a", "admin")
    await sync_member(db, "user_bob", "org_a", "member")
    bob = token("user_bob", "org_a", "member")
    agent_id = await new_agent(client, alice)
    conversation_id = await new_conversation(client, alice)
    other_conversation = await new_conversation(client, alice)
    task = await new_task(client, bearer(alice), agent_id, conversation_id=conversation_id)
    artifact = await new_artifact(client, bearer(alice), task_id=task["id"])
    assert artifact["conversation_id"] == conversation_id and artifact["task_id"] == task["id"]
    body = {"artifact_type": "code", "name": "x", "task_id": task["id"], "conversation_id": other_conversation}
    err = await problem(await client.post("/v1/artifacts", json=body, headers=bearer(alice)), 409, "conflict")
    assert err["errors"][0]["loc"] == ["body", "task_id"]
    # Like the task, the artifact is the conversation's: a member it is not shared with sees neither.
    url = f"/v1/artifacts/{artifact['id']}"
    assert await ids(client, "/v1/artifacts", bearer(bob)) == []
    for method, payload in (("GET", None), ("PATCH", {"content": "stolen"}), ("DELETE", None)):
        await problem(await client.request(method, url, json=payload, headers=bearer(bob)), 404, "not_found")
    body = {"artifact_type": "code", "name": "x", "task_id": task["id"]}
    err = await problem(await client.post("/v1/artifacts", json=body, headers=bearer(bob)), 409, "conflict")
    assert err["errors"][0]["loc"] == ["body", "task_id"]
    assert await db.fetchval("SELECT content FROM artifacts WHERE id = $1", artifact["id"]) == "print(1)"
    assert await db.fetchval("SELECT count(*) FROM artifacts") == 1


async def test_invalid_artifacts_are_4xx_naming_the_field_and_nothing_is_written(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    valid = {"artifact_type": "code", "name": "a.py"}
    cases: list[tuple[dict[str, Any], list[str | int]]] = [
        (valid | {"language": "python"}, ["body", "language"]),
        (valid | {"artifact_type": "video"}, ["body", "artifact_type"]),
        ({"name": "a.py"}, ["body", "artifact_type"]),
        (valid | {"name": "  "}, ["body", "name"]),
        (valid | {"name": 1}, ["body", "name"]),
        (valid | {"content": 1}, ["body", "content"]),
        (valid | {"content": "a\x00b"}, ["body", "content"]),
        (valid | {"metadata": ["x"]}, ["body", "metadata"]),
        (valid | {"mime_type": "python"}, ["body", "mime_type"]),
        (valid | {"mime_type": " "}, ["body", "mime_type"]),
        (valid | {"task_id": "nope"}, ["body", "task_id"]),
    ]
    for body, loc in cases:
        err = await problem(await client.post("/v1/artifacts", json=body, headers=bearer(tok)), 422, "validation_failed")
        assert loc in [e["loc"][: len(loc)] for e in err["errors"]], (body, err)
    for field in ("conversation_id", "task_id", "agent_id"):
        err = await problem(await client.post("/v1/artifacts", json=valid | {field: NOWHERE}, headers=bearer(tok)), 409, "conflict")
        assert err["errors"][0]["loc"] == ["body", field]
    assert await db.fetchval("SELECT count(*) FROM artifacts") == 0
    artifact = await new_artifact(client, bearer(tok))
    url = f"/v1/artifacts/{artifact['id']}"
    for body, loc in (({"name": ""}, ["body", "name"]), ({"artifact_type": "data"}, ["body", "artifact_type"]),
                      ({"metadata": 3}, ["body", "metadata"]), ({"content": None, "task_id": NOWHERE}, ["body", "task_id"])):
        err = await problem(await client.patch(url, json=body, headers=bearer(tok)), 422, "validation_failed")
        assert loc in [e["loc"][: len(loc)] for e in err["errors"]], (body, err)
    await problem(await client.get("/v1/artifacts", params={"cursor": "x!"}, headers=bearer(tok)), 422, "validation_failed")
    await problem(await client.get("/v1/artifacts", params={"cursor": "bogus"}, headers=bearer(tok)), 400, "invalid_cursor")
    for params in ({"artifact_type": "video"}, {"task_id": "1"}, {"conversation_id": ""}):
        await problem(await client.get("/v1/artifacts", params=params, headers=bearer(tok)), 422, "validation_failed")
    for method in ("GET", "PATCH", "DELETE"):
        resp = await client.request(method, "/v1/artifacts/not-a-uuid", json={}, headers=bearer(tok))
        await problem(resp, 404, "not_found")
    assert await (await client.get(url, headers=bearer(tok))).json() == artifact


async def test_api_keys_store_and_change_standalone_artifacts(client: Client, token: TokenFactory) -> None:
    tok = token()
    conversation_id = await new_conversation(client, tok)
    private = await new_artifact(client, bearer(tok), conversation_id=conversation_id)
    key = {"X-API-Key": (await create_key(client, tok))["secret"]}
    artifact = await new_artifact(client, key, artifact_type="data", name="prices.csv", content="a,b\n1,2\n")
    assert artifact["created_by"] is None
    err = await problem(
        await client.post("/v1/artifacts", json={"artifact_type": "data", "name": "x", "conversation_id": conversation_id}, headers=key),
        409, "conflict",
    )
    assert err["errors"][0]["loc"] == ["body", "conversation_id"]
    assert await ids(client, "/v1/artifacts", key) == [artifact["id"]]
    await problem(await client.get(f"/v1/artifacts/{private['id']}", headers=key), 404, "not_found")
    resp = await client.patch(f"/v1/artifacts/{artifact['id']}", json={"content": "a,b\n3,4\n"}, headers=key)
    assert resp.status == 200 and (await resp.json())["content"] == "a,b\n3,4\n"
    assert (await client.delete(f"/v1/artifacts/{artifact['id']}", headers=key)).status == 204
    assert await ids(client, "/v1/artifacts", bearer(tok)) == [private["id"]]


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
