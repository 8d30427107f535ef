"""Full-text search latency: fn.search (English tsvector + CJK bigram GIN) against a plain ILIKE scan.

    .venv/bin/python bench/search_bench.py [--messages 300000] [--orgs 100] [--runs 60]

Starts its own embedded PostgreSQL in a temporary directory, applies the
project's migrations and db/functions, and generates messages in SQL (seeded,
so every run makes the same rows): organizations with one member each, ten
conversations per member, messages of 8 to 20 words drawn from a Japanese and
an English vocabulary (Japanese words written without spaces, as Japanese is,
English ones with spaces, about half the messages mixing both). Marker terms
are planted at known rates: rare ones in 0.5 % of the messages, a common one in
a third. The GIN index is built after the rows are in (as a bulk load would).

Each query shape runs `--runs` times, each time as the member of a random
organization in a tenant transaction (SET LOCAL ROLE app_tenant + the tenant
settings, as the API does), through fn.search, first page of 20; the baseline
is the naive query a tenant could write under row level security:
`content ILIKE '%term%'` newest first, LIMIT 20. Times are client-side wall
times of the query on one connection (no HTTP).

Recall: for each Japanese marker, every message of an organization containing
it (strpos) must be among fn.search's hits when all are asked for.

Results: bench/results/search.md. Not part of `make bench` (run it by hand).
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from tools import db

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "search.md"

JAPANESE = [
    "会議", "資料", "確認", "予定", "経費", "精算", "報告", "共有", "対応", "依頼", "部長", "課長", "今週", "来週",
    "締め切り", "お願い", "します", "ください", "について", "です", "ました", "顧客", "提案", "契約", "見積", "請求",
    "発注", "納品", "検収", "品質", "改善", "計画", "進捗", "課題", "リスク", "スケジュール", "プロジェクト", "メール",
    "サーバー", "データ", "システム", "ログ", "障害", "復旧", "手順", "マニュアル", "研修", "採用", "面接", "評価",
]
ENGLISH = [
    "the", "team", "review", "budget", "deploy", "release", "customer", "contract", "invoice", "schedule", "update",
    "server", "database", "incident", "report", "design", "feature", "request", "approve", "sprint", "backlog",
    "roadmap", "metrics", "latency", "ticket", "support", "onboarding", "training", "policy", "security", "access",
    "account", "billing", "pricing", "forecast", "revenue", "quarter", "launch", "marketing", "analysis",
]
# (label, planted text, share of messages)
MARKERS = [
    ("ja1", "鬱", 0.005),
    ("ja2", "稟議", 0.005),
    ("ja3", "承認フロー", 0.005),
    ("ja5", "パスワード", 0.005),
    ("en_rare", "kubernetes", 0.005),
    ("en_phrase", "quarterly earnings call", 0.005),
    ("ja_common", "打ち合わせ", 0.33),
    ("en_common", "meeting", 0.33),
]
# (shape, fn.search query, ILIKE term)
SHAPES = [
    ("Japanese, 1 character, rare", "鬱", "鬱"),
    ("Japanese, 2 characters, rare", "稟議", "稟議"),
    ("Japanese, 5 characters (承認フロー), rare", "承認フロー", "承認フロー"),
    ("Japanese, 5 characters (パスワード), rare", "パスワード", "パスワード"),
    ("Japanese, 5 characters, in a third of rows", "打ち合わせ", "打ち合わせ"),
    ("English word, rare", "kubernetes", "kubernetes"),
    ("English phrase, rare", '"quarterly earnings call"', "quarterly earnings call"),
    ("English prefix, rare", "kubern*", "kubern"),
    ("English word, in a third of rows", "meeting", "meeting"),
    ("Japanese + English, rare", "稟議 kubernetes", None),
]


async def generate(url: str, messages: int, orgs: int) -> float:
    conn = await asyncpg.connect(url)
    started = time.perf_counter()
    try:
        await conn.execute("SELECT setseed(0.42)")
        await conn.execute(
            """
            INSERT INTO organizations (id, clerk_org_id, name, slug)
            SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'org_' || i, 'Org ' || i, 'org-' || i
            FROM generate_series(1, $1) AS i;
            """,
            orgs,
        )
        await conn.execute(
            """
            INSERT INTO users (id, clerk_user_id, email)
            SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, 'user_' || i, 'u' || i || '@example.com'
            FROM generate_series(1, $1) AS i;
            INSERT INTO organization_memberships (organization_id, user_id, role)
            SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
                   ('00000000-0000-4000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, 'member'
            FROM generate_series(1, $1) AS i;
            """.replace("$1", str(orgs)),
        )
        await conn.execute(
            f"""
            INSERT INTO conversations (organization_id, user_id, title)
            SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
                   ('00000000-0000-4000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, 'c' || k
            FROM generate_series(1, {orgs}) AS i, generate_series(1, 10) AS k;
            """
        )
        await conn.execute("DROP INDEX messages_search_vector_idx")
        markers = [(text, share) for _, text, share in MARKERS]
        batch = 50_000
        for start in range(0, messages, batch):
            n = min(batch, messages - start)
            await conn.execute(
                """
                WITH c AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(organization_id ORDER BY id) AS orgs FROM conversations),
                words AS (
                    SELECT g,
                        (SELECT string_agg(
                            CASE WHEN w > 0 AND random() < CASE WHEN g % 2 = 0 THEN 0.5 ELSE 0.95 END
                                 THEN ($1::text[])[1 + floor(random() * cardinality($1::text[]))::int]
                                 ELSE ' ' || ($2::text[])[1 + floor(random() * cardinality($2::text[]))::int] || ' '
                            END, '')
                         FROM generate_series(1, 8 + (g * 7) % 13) AS w) AS body
                    FROM generate_series(1, $3) AS g
                ),
                planted AS (
                    SELECT g, body || coalesce((
                        SELECT string_agg(' ' || m.text || ' ', '')
                        FROM unnest($4::text[], $5::float8[]) AS m(text, share)
                        WHERE g > 0 AND random() < m.share
                    ), '') AS body
                    FROM words
                )
                INSERT INTO messages (organization_id, conversation_id, role, content, created_at)
                SELECT c.orgs[k], c.ids[k], 'user', btrim(p.body), now() - make_interval(secs => p.g)
                FROM planted AS p, c, LATERAL (SELECT 1 + floor(random() * cardinality(c.ids))::int + 0 * p.g AS k) AS pick
                """,
                JAPANESE, ENGLISH, n, [t for t, _ in markers], [s for _, s in markers],
            )
            print(f"  {start + n} messages", flush=True)
        await conn.execute("CREATE INDEX messages_search_vector_idx ON messages USING gin (search_vector)")
        await conn.execute("VACUUM ANALYZE messages")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def timed(conn: asyncpg.Connection, org: int, sql: str, *args: object) -> tuple[float, int]:
    org_id = f"00000000-0000-4000-8000-{org:012x}"
    user_id = f"00000000-0000-4000-9000-{org:012x}"
    async with conn.transaction():
        await conn.execute("SET LOCAL ROLE app_tenant")
        await conn.execute("SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)", org_id, user_id)
        started = time.perf_counter()
        rows = await conn.fetch(sql, *args)
        return (time.perf_counter() - started) * 1000, len(rows)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


SEARCH = "SELECT id FROM fn.search($1, ARRAY['message'], NULL, NULL, NULL, NULL, NULL, $2)"
ILIKE = "SELECT id FROM messages WHERE content ILIKE $1 ORDER BY created_at DESC LIMIT $2"


async def measure(url: str, orgs: int, runs: int) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    conn = await asyncpg.connect(url)
    rng = random.Random(7)
    table: list[tuple[str, ...]] = []
    try:
        total = await conn.fetchval("SELECT count(*) FROM messages")
        for shape, query, term in SHAPES:
            share = (
                await conn.fetchval("SELECT count(*) FROM messages WHERE strpos(content, $1) > 0", term) / total
                if term else None
            )
            for _ in range(3):  # warm the caches and the plans
                await timed(conn, rng.randint(1, orgs), SEARCH, query, 21)
            ours = [await timed(conn, rng.randint(1, orgs), SEARCH, query, 21) for _ in range(runs)]
            base: list[tuple[float, int]] = []
            if term is not None:
                pattern = "%" + term + "%"
                await timed(conn, rng.randint(1, orgs), ILIKE, pattern, 20)
                base = [await timed(conn, rng.randint(1, orgs), ILIKE, pattern, 20) for _ in range(max(5, runs // 4))]
            ms = [t for t, _ in ours]
            row = (
                shape,
                "-" if share is None else f"{share * 100:.2f} %",
                f"{percentile(ms, 50):.1f}", f"{percentile(ms, 95):.1f}", f"{percentile(ms, 99):.1f}",
                "-" if not base else f"{percentile([t for t, _ in base], 50):.1f}",
                "-" if not base else f"{percentile([t for t, _ in base], 95):.1f}",
                "-" if not base else f"{percentile([t for t, _ in base], 99):.1f}",
                f"{statistics.mean(n for _, n in ours):.1f}",
            )
            print("  " + " | ".join(row), flush=True)
            table.append(row)
        recall: list[tuple[str, ...]] = []
        for _, text, _ in MARKERS[:4]:
            expected = found = 0
            for org in rng.sample(range(1, orgs + 1), min(10, orgs)):
                org_id = f"00000000-0000-4000-8000-{org:012x}"
                want = {r["id"] for r in await conn.fetch(
                    "SELECT id FROM messages WHERE organization_id = $1 AND strpos(content, $2) > 0", org_id, text
                )}
                async with conn.transaction():
                    await conn.execute("SET LOCAL ROLE app_tenant")
                    await conn.execute(
                        "SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)",
                        org_id, f"00000000-0000-4000-9000-{org:012x}",
                    )
                    got = {r["id"] for r in await conn.fetch(SEARCH, text, 100000)}
                expected += len(want)
                found += len(want & got)
            recall.append((text, str(expected), str(found), f"{found / expected:.3f}" if expected else "-"))
        return table, recall
    finally:
        await conn.close()


def write(table: list[tuple[str, ...]], recall: list[tuple[str, ...]], messages: int, orgs: int, runs: int, load_s: float) -> None:
    lines = [
        "# Search latency: fn.search against a plain ILIKE scan",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `bench/search_bench.py --messages {messages} --orgs {orgs} --runs {runs}` "
        f"on {platform.machine()}, {platform.system()}, Python {platform.python_version()}, embedded PostgreSQL 18 "
        "(default settings), a shared 2-core machine.",
        "",
        f"{messages:,} messages over {orgs} organizations (one member each, ten conversations each), Japanese and "
        "English words mixed (see the script's docstring for how they are made); generated and indexed in "
        f"{load_s:.0f} s. Each query runs as a tenant (SET LOCAL ROLE app_tenant + tenant settings) for a random "
        "organization; first page of 20 hits; milliseconds, client-side, over one connection (no HTTP). "
        "The baseline is `content ILIKE '%term%' ORDER BY created_at DESC LIMIT 20` under row level security.",
        "",
        "| query shape | rows containing it | fn.search p50 | p95 | p99 | ILIKE p50 | p95 | p99 | hits per page |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *("| " + " | ".join(row) + " |" for row in table),
        "",
        "Recall of Japanese substring queries (10 organizations each, every hit asked for): messages containing the "
        "term (strpos) and how many fn.search found.",
        "",
        "| term | containing | found | recall |",
        "| --- | ---: | ---: | ---: |",
        *("| " + " | ".join(row) + " |" for row in recall),
        "",
    ]
    RESULTS.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300_000)
    parser.add_argument("--orgs", type=int, default=100)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="search-bench-"))
    try:
        admin = db.start_embedded(tmp / "pg")
        asyncio.run(db.create_database(admin, "bench", recreate=True))
        url = db.with_database(admin, "bench")
        db.migrate(url)
        print(f"generating {args.messages} messages over {args.orgs} organizations", flush=True)
        load_s = asyncio.run(generate(url, args.messages, args.orgs))
        table, recall = asyncio.run(measure(url, args.orgs, args.runs))
        write(table, recall, args.messages, args.orgs, args.runs, load_s)
        print(f"written: {RESULTS.relative_to(ROOT)}")
    finally:
        db.stop_embedded(tmp / "pg")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
