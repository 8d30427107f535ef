"""fn.search and fn.recall_memories against the database: Japanese terms of every length, English stemming,
phrases and prefixes, what each caller may read (other organizations, conversations not shared, private memories),
a search function without its filters caught, index-backed plans, memory scores and counted uses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from conversation_world import World, add_chunk, post, share, start
from isolation import Tenant, acting_as

from gen import conversations, memories, search
from gen.models import MemoryKind

SEARCH_SIGNATURE = "fn.search(text, text[], uuid, uuid, double precision, text, uuid, integer)"


@dataclass
class Corpus:
    c1: UUID  # alice's, shared with bob
    c2: UUID  # alice's, shared with nobody
    ringi: UUID
    password: UUID
    reports: UUID
    deploying: UUID
    mixed: UUID
    scrambled: UUID
    halfwidth: UUID
    secret: UUID  # in c2
    chunk: UUID
    org_memory: UUID
    private_memory: UUID  # alice's
    conversation_memory: UUID  # of c1
    b_message: UUID
    b_memory: UUID


async def remember(conn: asyncpg.Connection, tenant: Tenant, key: str, content: dict[str, Any], **fields: Any) -> UUID:
    values: dict[str, Any] = {
        "user_id": None, "agent_id": None, "conversation_id": None, "kind": MemoryKind.FACT, "memory_type": None,
        "tags": None, "importance": None, "decay_rate": None,
    } | fields
    memory = await memories.create_memory(conn, organization_id=tenant.org, key=key, content=content, **values)
    assert memory is not None
    return memory.id


@pytest.fixture
async def corpus(conn: asyncpg.Connection, world: World) -> Corpus:
    """Alice's two conversations (c1 shared with bob), messages, a chunk and memories in A; carol's in B."""
    async with acting_as(conn, world.a_alice):
        c1 = (await start(conn, world.a_alice)).id
        c2 = (await start(conn, world.a_alice)).id
        await share(conn, c1, world.alice, world.bob)

        async def say(text: str, conversation: UUID = c1) -> UUID:
            return (await post(conn, conversation, world.alice, text)).id

        corpus = Corpus(
            c1=c1,
            c2=c2,
            ringi=await say("来週の稟議書の承認フローについて確認してください。"),
            password=await say("パスワードの再設定手順はヘルプデスクのページにあります。"),
            reports=await say("The quarterly reports were reviewed by the finance team."),
            deploying=await say("We are deploying the new configuration tomorrow."),
            mixed=await say("Q3 budget の稟議 was approved by finance."),
            scrambled=await say("承認フ。認フロー"),
            halfwidth=await say("ﾊﾟｽﾜｰﾄﾞ変更のお知らせ"),
            secret=await say("稟議 secret of the second conversation", c2),
            chunk=(await add_chunk(conn, c1, "議事録: 承認フローの見直しと、パスワードポリシーの更新。")).id,
            org_memory=await remember(conn, world.a_alice, "ringi_policy", {"rule": "稟議は部長の承認が必要"}),
            private_memory=await remember(
                conn, world.a_alice, "hint", {"note": "私のパスワードのヒント"}, user_id=world.alice
            ),
            conversation_memory=await remember(
                conn, world.a_alice, "two_steps", {"decision": "承認フローを二段階にする"}, conversation_id=c1
            ),
            b_message=UUID(int=0),
            b_memory=UUID(int=0),
        )
    async with acting_as(conn, world.b_carol):
        b = (await start(conn, world.b_carol)).id
        corpus.b_message = (await post(conn, b, world.carol, "稟議書の承認フロー、パスワード、quarterly reports of B")).id
        corpus.b_memory = await remember(conn, world.b_carol, "ringi_b", {"rule": "稟議 in B"})
    return corpus


async def hits(conn: asyncpg.Connection, tenant: Tenant, query: str, **filters: Any) -> list[search.SearchRow]:
    """Every hit of the query for tenant (one page of 200)."""
    values: dict[str, Any] = {"types": None, "conversation_id": None, "agent_id": None} | filters
    async with acting_as(conn, tenant):
        return await search.search(
            conn, query=query, cursor_rank=None, cursor_kind=None, cursor_id=None, limit=200, **values
        )


async def found(conn: asyncpg.Connection, tenant: Tenant, query: str, **filters: Any) -> set[UUID]:
    return {h.id for h in await hits(conn, tenant, query, **filters) if h.id is not None}


async def test_japanese_terms_of_one_two_and_more_characters_are_found_inside_longer_text(
    conn: asyncpg.Connection, world: World, corpus: Corpus
) -> None:
    c = corpus
    alice = world.a_alice
    assert await found(conn, alice, "稟") == {c.ringi, c.mixed, c.secret, c.org_memory}, "one character"
    assert await found(conn, alice, "稟議") == {c.ringi, c.mixed, c.secret, c.org_memory}, "two characters"
    assert await found(conn, alice, "承認フロー") == {c.ringi, c.chunk, c.conversation_memory}, (
        "the bigrams of 承認フロー all occur in 承認フ。認フロー, the term does not: rechecked"
    )
    assert await found(conn, alice, "パスワード") == {c.password, c.halfwidth, c.chunk, c.private_memory}, (
        "half-width ﾊﾟｽﾜｰﾄﾞ is found too (NFKC)"
    )
    assert await found(conn, alice, "ﾊﾟｽﾜｰﾄﾞ") == await found(conn, alice, "パスワード")
    assert await found(conn, alice, "議事") == {c.chunk}
    assert await found(conn, alice, "を") == {c.conversation_memory}, "a run's last character alone"
    assert await found(conn, alice, "承認 パスワード") == {c.chunk}, "every term is required"
    assert await found(conn, alice, "稟議書類") == set()


async def test_english_words_are_stemmed_and_phrases_and_prefixes_work(
    conn: asyncpg.Connection, world: World, corpus: Corpus
) -> None:
    c = corpus
    alice = world.a_alice
    assert await found(conn, alice, "report") == {c.reports}, "reports, stemmed"
    assert await found(conn, alice, "REVIEWING") == {c.reports}
    assert await found(conn, alice, '"quarterly reports"') == {c.reports}, "a phrase"
    assert await found(conn, alice, '"reports quarterly"') == set(), "a phrase is in order"
    assert await found(conn, alice, "deploy*") == {c.deploying}, "a prefix"
    assert await found(conn, alice, "config*") == {c.deploying}
    assert await found(conn, alice, "finance -quarterly") == {c.mixed}, "exclusion"
    assert await found(conn, alice, "tomorrow or approved") == {c.deploying, c.mixed}
    assert await found(conn, alice, "the") == set(), "stop words only: nothing to search"
    assert await found(conn, alice, "%_!") == set()


async def test_japanese_and_english_mix_in_one_query(conn: asyncpg.Connection, world: World, corpus: Corpus) -> None:
    assert await found(conn, world.a_alice, "稟議 finance") == {corpus.mixed}
    assert await found(conn, world.a_alice, "budgetの稟議") == {corpus.mixed}, "no space between the scripts"
    assert await found(conn, world.a_alice, "稟議 quarterly") == set()


async def test_filters_narrow_by_kind_conversation_and_agent(
    conn: asyncpg.Connection, world: World, corpus: Corpus
) -> None:
    alice = world.a_alice
    assert await found(conn, alice, "承認フロー", types=["chunk"]) == {corpus.chunk}
    assert await found(conn, alice, "承認フロー", types=["memory", "message"]) == {corpus.ringi, corpus.conversation_memory}
    assert await found(conn, alice, "稟議", conversation_id=corpus.c2) == {corpus.secret}
    assert await found(conn, alice, "稟議", agent_id=UUID(int=7)) == set()
    kinds = {h.id: (h.kind, h.message_id, h.chunk_id, h.memory_id, h.conversation_id) for h in await hits(conn, alice, "承認フロー")}
    assert kinds[corpus.ringi] == ("message", corpus.ringi, None, None, corpus.c1)
    assert kinds[corpus.chunk] == ("chunk", None, corpus.chunk, None, corpus.c1)
    assert kinds[corpus.conversation_memory] == ("memory", None, None, corpus.conversation_memory, corpus.c1)


async def test_snippets_mark_what_matched(conn: asyncpg.Connection, world: World, corpus: Corpus) -> None:
    snippets = {h.id: h.snippet for h in await hits(conn, world.a_alice, "承認フロー")}
    assert snippets[corpus.ringi] == "来週の稟議書の\ue000承認フロー\ue001について確認してください。"
    english = {h.id: h.snippet for h in await hits(conn, world.a_alice, "reports")}
    assert english[corpus.reports] is not None and "\ue000reports\ue001" in english[corpus.reports]


async def test_a_search_finds_only_what_its_caller_may_read(conn: asyncpg.Connection, world: World, corpus: Corpus) -> None:
    c = corpus
    everything_in_a = {c.ringi, c.mixed, c.secret, c.org_memory}
    assert await found(conn, world.a_alice, "稟議") == everything_in_a
    assert await found(conn, world.b_carol, "稟議") == {c.b_message, c.b_memory}, "another organization's: nothing"
    assert await found(conn, world.a_bob, "稟議") == {c.ringi, c.mixed, c.org_memory}, "c1 is shared with bob, c2 not"
    assert await found(conn, world.a_bob, "パスワード") == {c.password, c.halfwidth, c.chunk}, "alice's private memory: not"
    assert await found(conn, world.a_bob, "承認フロー") == {c.ringi, c.chunk, c.conversation_memory}
    assert await found(conn, world.a_dave, "稟議") == {c.org_memory}, "nothing shared with dave"
    assert await found(conn, world.a_dave, "承認フロー") == set()
    assert await found(conn, Tenant(world.org_a, None), "稟議") == {c.org_memory}, "an API key: organization-wide memories"
    assert await found(conn, Tenant(world.org_a, world.carol), "稟議") == {c.org_memory}, "not a conversation of A's"
    async with acting_as(conn, world.a_alice):
        assert await conversations.unshare_conversation(conn, conversation_id=c.c1, user_id=world.bob) == 1
    assert await found(conn, world.a_bob, "稟議") == {c.org_memory}, "unshared: gone"
    async with conn.transaction():  # no tenant at all
        await conn.execute("SET LOCAL ROLE app_tenant")
        rows = await search.search(
            conn, query="稟議", types=None, conversation_id=None, agent_id=None, cursor_rank=None, cursor_kind=None,
            cursor_id=None, limit=10,
        )
        assert rows == []


async def test_a_search_function_without_its_filters_is_caught_by_these_checks(
    conn: asyncpg.Connection, world: World, corpus: Corpus
) -> None:
    """Proof that the checks above would fail for a fn.search that ignored the tenant and the visibility rules."""
    definition: str = await conn.fetchval(f"SELECT pg_get_functiondef('{SEARCH_SIGNATURE}'::regprocedure)")
    leaky = definition
    for filtered in [
        r"org_query := text_query OPERATOR\(pg_catalog\.&&\)[^;]*;",
        r"AND \([mky]\.organization_id = org\) IS TRUE",
        r"AND \([mk]\.conversation_id = ANY \(searched\)\) IS TRUE",
        r"AND \(y\.user_id IS NULL OR y\.user_id = usr\)",
        r"AND \(y\.conversation_id IS NULL OR y\.conversation_id = ANY \(accessible\)\)",
    ]:
        leaky, n = re.subn(filtered, "org_query := text_query;" if filtered.startswith("org_query") else "", leaky)
        assert n > 0, filtered
    with pytest.raises(_Rollback):
        async with conn.transaction():
            await conn.execute(leaky)
            assert await found(conn, world.b_carol, "稟議") >= {corpus.ringi, corpus.org_memory}, "another organization's"
            assert corpus.secret in await found(conn, world.a_bob, "稟議"), "a conversation not shared"
            assert corpus.private_memory in await found(conn, world.a_bob, "パスワード"), "a private memory"
            raise _Rollback
    assert await found(conn, world.b_carol, "稟議") == {corpus.b_message, corpus.b_memory}, "the real one again"


class _Rollback(Exception):
    """Ends a transaction that replaced a function for one test."""


# ---------------------------------------------------------------------------
# Plans

SHAPES = {
    "one Japanese character": "稟",
    "two Japanese characters": "稟議",
    "three or more Japanese characters": "承認フロー",
    "an English word": "reports",
    "an English phrase": '"quarterly reports"',
    "an English prefix": "deploy*",
    "Japanese and English": "稟議 finance",
}


async def test_every_query_shape_is_index_backed(conn: asyncpg.Connection, world: World, corpus: Corpus) -> None:
    """Every shape of query reads messages through the GIN index on search_vector, inside fn.search, for a tenant
    (6,000 messages in each of two organizations; sequential scans priced out, since at this size the planner
    would rightly read the table whole). Chunks and memories share the column, index and function design; the
    plans at a million rows are in docs/search.md."""
    b = await conn.fetchval("SELECT id FROM conversations WHERE organization_id = $1", world.org_b)
    words = ["稟議書の確認", "承認フローの変更", "パスワードの再設定", "quarterly reports", "deploying configuration", "稟議 finance"]
    for org, conversation in ((world.org_a, corpus.c1), (world.org_b, b)):
        await conn.execute(
            """INSERT INTO messages (organization_id, conversation_id, role, content)
               SELECT $1, $2, 'assistant',
                   CASE WHEN g % 500 = 0 THEN ($3::text[])[1 + g / 500 % 6] ELSE '今日はいい天気ですね weather' END
                   || ' ' || md5(g::text)
               FROM generate_series(1, 6000) AS g""",
            org, conversation, words,
        )
    await conn.execute("ANALYZE messages, conversations, conversation_shares")
    plans: list[str] = []
    conn.add_log_listener(lambda _conn, message: plans.append(message.message))
    await conn.execute("LOAD 'auto_explain'")
    await conn.execute(
        "SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; "
        "SET auto_explain.log_level = notice; SET client_min_messages = notice; SET enable_seqscan = off"
    )
    try:
        missing: list[str] = []
        for shape, query in SHAPES.items():
            plans.clear()
            assert await hits(conn, world.a_alice, query, types=["message"]), shape
            plan = next((p for p in plans if "WITH hits AS" in p), None)
            assert plan is not None, shape
            if "Bitmap Index Scan on messages_search_vector_idx" not in plan:
                missing.append(f"{shape}:\n{plan}")
        assert missing == [], "\n".join(missing)
    finally:
        await conn.execute("RESET auto_explain.log_min_duration; RESET client_min_messages; RESET enable_seqscan")
