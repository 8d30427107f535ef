"""/v1/artifacts: stored, changed, listed and paged; a task's artifact in its conversation; tenants apart (tests/tasks covers both)."""

from __future__ import annotations

from typing import Any

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
    sync_member,
)

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
    await problem(await client.get("/v1/artifacts", params={"cursor": "x!"}, headers=bearer(tok)), 400, "invalid_cursor")
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


