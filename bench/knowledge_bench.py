"""Knowledge search, measured: recall@10, latency and short results under tenant filters, beside langchain-postgres.

    .venv/bin/pip install -r requirements-bench.txt   # numpy, once
    .venv/bin/python bench/knowledge_bench.py [--chunks 100000] [--dims 1536] [--queries 50] [--halfvec] [--no-write]

Starts its own embedded PostgreSQL (PostgreSQL 18 + pgvector) in a temporary
directory, migrates it, and loads --chunks embedded chunks of one model into
public.embeddings (binary COPY through gen.init_connection's pgvector codec):

- vectors: --clusters centroids (gaussian, normalized); each chunk is a
  centroid picked uniformly at random plus gaussian noise of norm about
  --noise, normalized (cosine to its centroid about 0.7 at the default 1.0).
  The cluster does not depend on the tenant, so a tenant filter cuts across
  the clusters (the hard case for a filtered HNSW walk).
- tenants: one organization per measured agent (50 %, 10 %, 1 %, 0.1 % of
  the rows: the filter selectivities; plus agents of 500, 2,000 and 5,000
  rows for the threshold measurement), the rest spread over --small-orgs
  organizations of 1 to 4 agents each with Zipf-like sizes (a few large
  tenants, many small).
- queries: --queries per agent, each a random centroid plus the same noise.

Then it builds the model's HNSW index with fn.ensure_embedding_index (timed)
and measures, per selectivity, fn.knowledge_vector_search as shipped (default
p_exact_below) and with the approximate path forced (p_exact_below = 0, where
the planner still chooses between the HNSW index and the btree + a sort: the
plan is reported), and the approximate statement alone with the HNSW index
imposed (enable_sort off, no fallback): recall@10 against the exact ranking
(the same function with p_exact_below above the candidate count), p50/p95
latency of the call inside a tenant transaction, and short results. The
exact/approximate threshold: those latencies per candidate count, and the
candidate count (the function's first statement) timed alone. --halfvec adds
a halfvec HNSW index on the same rows. The peer, langchain-postgres
PGVectorStore, runs in its own
venv (.venv-peer, made from requirements-bench-peer.txt on first use: it pins
pgvector < 0.4, this project 0.5) against the same database: its own table
(PGEngine.ainit_vectorstore_table with organization_id/agent_id metadata
columns), filled with the same vectors, HNSWIndex() applied through
aapply_vector_index, searched with asimilarity_search_by_vector(k=10,
filter=...), as documented and again with index_query_options=
HNSWQueryOptions(ef_search=100). Results go to bench/results/knowledge.md and
knowledge-raw.json (unless --no-write); the server and its directory are
removed at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import numpy as np
except ModuleNotFoundError:  # pragma: no cover
    sys.exit("bench/knowledge_bench.py needs numpy: .venv/bin/pip install -r requirements-bench.txt")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "knowledge.md"
PEER_VENV = ROOT / ".venv-peer"
PEER_REQUIREMENTS = ROOT / "requirements-bench-peer.txt"
MODEL = "bench-embed"
PEER_TABLE = "lc_knowledge"
SELECTIVITIES = (0.5, 0.1, 0.01, 0.001)
K = 10


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def unit_rows(rng: np.random.Generator, centroids: np.ndarray, count: int, noise: float) -> np.ndarray:
    """count vectors: a random centroid each plus gaussian noise of norm about noise, normalized (float32)."""
    dims = centroids.shape[1]
    picks = rng.integers(0, len(centroids), size=count)
    rows = centroids[picks] + rng.standard_normal((count, dims), dtype=np.float32) * np.float32(noise / np.sqrt(dims))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows.astype(np.float32)


def plan_tenants(n: int, small_orgs: int, threshold_counts: list[int], rng: np.random.Generator) -> list[dict[str, Any]]:
    """Agents with their organization, row count and role (a selectivity, a threshold point, or filler)."""
    agents: list[dict[str, Any]] = []
    for s in SELECTIVITIES:
        agents.append({"org": uuid.uuid4(), "agent": uuid.uuid4(), "rows": max(1, round(n * s)), "role": f"sel:{s}"})
    taken = sum(a["rows"] for a in agents)
    for count in threshold_counts:
        if any(a["rows"] == count for a in agents):
            continue
        if taken + count <= n * 0.95:
            agents.append({"org": uuid.uuid4(), "agent": uuid.uuid4(), "rows": count, "role": f"thr:{count}"})
            taken += count
    rest = n - taken
    # Zipf-like organization sizes (weight 1/rank), each split over 1..4 agents.
    weights = 1.0 / np.arange(1, small_orgs + 1)
    sizes = np.floor(weights / weights.sum() * rest).astype(int)
    sizes[0] += rest - sizes.sum()
    for size in sizes:
        org = uuid.uuid4()
        parts = int(rng.integers(1, 5))
        split = np.floor(rng.dirichlet(np.ones(parts)) * size).astype(int)
        split[0] += size - split.sum()
        for part in split:
            if part > 0:
                agents.append({"org": org, "agent": uuid.uuid4(), "rows": int(part), "role": "filler"})
    return agents


async def load(url: str, agents: list[dict[str, Any]], centroids: np.ndarray, noise: float, rng: np.random.Generator, dims: int) -> float:
    import asyncpg
    from pgvector import Vector

    from gen import init_connection

    conn = await asyncpg.connect(url)
    await init_connection(conn)
    started = time.perf_counter()
    try:
        orgs = sorted({a["org"] for a in agents}, key=str)
        await conn.executemany(
            "INSERT INTO organizations (id, clerk_org_id, name) VALUES ($1, $2, $3)",
            [(o, f"org_bench_{i}", f"Bench org {i}") for i, o in enumerate(orgs)],
        )
        await conn.executemany(
            "INSERT INTO agents (id, organization_id, name, type, rag_enabled) VALUES ($1, $2, $3, 'generic_chat', true)",
            [(a["agent"], a["org"], f"Bench agent {i}") for i, a in enumerate(agents)],
        )
        batch = 5000
        for a in agents:
            source = uuid.uuid4()
            done = 0
            while done < a["rows"]:
                count = min(batch, a["rows"] - done)
                vectors = unit_rows(rng, centroids, count, noise)
                records = [
                    (uuid.uuid4(), a["org"], a["agent"], "file", source, done + i, f"chunk {done + i} of agent {a['agent']}",
                     MODEL, dims, Vector(vectors[i]), "embedded")
                    for i in range(count)
                ]
                await conn.copy_records_to_table(
                    "embeddings", records=records,
                    columns=["id", "organization_id", "agent_id", "source_type", "source_id", "chunk_index", "content",
                             "model", "dims", "embedding", "status"],
                )
                done += count
        await conn.execute("VACUUM ANALYZE embeddings")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def build_index(url: str, dims: int, maintenance_work_mem: str) -> tuple[float, str, int]:
    import asyncpg

    from gen import embeddings as q

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"SET maintenance_work_mem = '{maintenance_work_mem}'")
        started = time.perf_counter()
        name = await q.ensure_embedding_index(conn, model=MODEL, dims=dims)
        elapsed = time.perf_counter() - started
        size = await conn.fetchval("SELECT pg_relation_size($1::regclass)", f"public.{name}")
        return elapsed, str(name), int(size)
    finally:
        await conn.close()


async def platform_search(url: str, plan: list[dict[str, Any]], dims: int, exact_below: int | None) -> list[dict[str, Any]]:
    """Per query in plan: ids and latency of fn.knowledge_vector_search (exact_below None: the function's default)."""
    import asyncpg
    from pgvector import Vector

    from gen import init_connection, tenancy

    conn = await asyncpg.connect(url)
    await init_connection(conn)
    out: list[dict[str, Any]] = []
    default_sql = "SELECT id FROM fn.knowledge_vector_search($1, $2, $3, $4, $5)"
    try:
        for item in plan:
            query = Vector(np.asarray(item["vector"], dtype=np.float32))
            async with conn.transaction():
                await tenancy.enter_tenant(conn, org_id=item["org"], user_id=None)
                started = time.perf_counter()
                if exact_below is None:
                    rows = await conn.fetch(default_sql, item["agent"], MODEL, dims, query, K)
                    ids = [str(r["id"]) for r in rows]
                else:
                    from gen import embeddings as q

                    found = await q.search_knowledge_by_vector(
                        conn, agent_id=item["agent"], model=MODEL, dims=dims, query=query, limit=K, exact_below=exact_below
                    )
                    ids = [str(r.id) for r in found]
                elapsed = time.perf_counter() - started
            out.append({"ids": ids, "ms": elapsed * 1000})
    finally:
        await conn.close()
    return out


async def forced_hnsw(url: str, plan: list[dict[str, Any]], dims: int) -> tuple[list[dict[str, Any]], list[float], str]:
    """The approximate path's statement alone (plain SQL as the table owner, the function's hnsw settings), with
    enable_sort off so that the planner takes the HNSW index whatever its estimate; no fallback, so short results
    show. Also the candidate count (the function's first statement) timed alone, and the plan taken."""
    import asyncpg
    from pgvector import Vector

    from gen import init_connection

    sql = (
        f"SELECT e.id FROM public.embeddings AS e WHERE e.model = '{MODEL}' AND e.dims = {dims} "
        "AND e.organization_id = $1 AND e.agent_id = $2 AND e.status = 'embedded' "
        f"ORDER BY e.embedding::public.vector({dims}) OPERATOR(public.<=>) $3 LIMIT {K}"
    )
    count_sql = (
        "SELECT count(*) FROM public.embeddings AS e WHERE e.organization_id = $1 AND e.agent_id = $2 "
        f"AND e.model = '{MODEL}' AND e.dims = {dims} AND e.status = 'embedded'"
    )
    settings = ("SET LOCAL hnsw.iterative_scan = 'relaxed_order'; SET LOCAL hnsw.ef_search = 100; "
                "SET LOCAL hnsw.max_scan_tuples = 40000; SET LOCAL enable_sort = off; SET LOCAL plan_cache_mode = force_custom_plan")
    conn = await asyncpg.connect(url)
    await init_connection(conn)
    out: list[dict[str, Any]] = []
    counts: list[float] = []
    try:
        first = plan[0]
        async with conn.transaction():
            await conn.execute(settings)
            explained = str(await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql, first["org"], first["agent"],
                                                Vector(np.asarray(first["vector"], dtype=np.float32))))
        for item in plan:
            query = Vector(np.asarray(item["vector"], dtype=np.float32))
            async with conn.transaction():
                await conn.execute(settings)
                started = time.perf_counter()
                rows = await conn.fetch(sql, item["org"], item["agent"], query)
                elapsed = time.perf_counter() - started
                started = time.perf_counter()
                await conn.fetchval(count_sql, item["org"], item["agent"])
                counts.append((time.perf_counter() - started) * 1000)
            out.append({"ids": [str(r["id"]) for r in rows], "ms": elapsed * 1000})
    finally:
        await conn.close()
    return out, counts, ("HNSW" if "_hnsw" in explained else "no index")


async def hnsw_plan(url: str, item: dict[str, Any], dims: int) -> str:
    """What the planner picks for the function's approximate-path statement (the same SQL and settings): HNSW or not."""
    import asyncpg
    from pgvector import Vector

    from gen import init_connection

    conn = await asyncpg.connect(url)
    await init_connection(conn)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL hnsw.iterative_scan = 'relaxed_order'; SET LOCAL hnsw.ef_search = 100; "
                               "SET LOCAL hnsw.max_scan_tuples = 40000")
            plan = await conn.fetchval(
                f"EXPLAIN (FORMAT JSON) SELECT e.id FROM public.embeddings AS e WHERE e.model = '{MODEL}' AND e.dims = {dims} "
                "AND e.organization_id = $1 AND e.agent_id = $2 AND e.status = 'embedded' "
                f"ORDER BY e.embedding::public.vector({dims}) OPERATOR(public.<=>) $3 LIMIT {K}",
                item["org"], item["agent"], Vector(np.asarray(item["vector"], dtype=np.float32)),
            )
    finally:
        await conn.close()
    text = str(plan)
    return "HNSW" if "_hnsw" in text else ("btree + sort" if "embeddings_agent_model_idx" in text or "embeddings_agent_id_idx" in text else "seq scan + sort")


def summarize(results: list[dict[str, Any]], truth: list[list[str]], available: list[int]) -> dict[str, Any]:
    recalls = [len(set(r["ids"]) & set(t)) / len(t) for r, t in zip(results, truth, strict=True) if t]
    latencies = [r["ms"] for r in results]
    short = sum(1 for r, n in zip(results, available, strict=True) if len(r["ids"]) < min(K, n))
    return {
        "recall": statistics.fmean(recalls) if recalls else float("nan"),
        "min_recall": min(recalls) if recalls else float("nan"),
        "p50": pct(latencies, 0.5),
        "p95": pct(latencies, 0.95),
        "short": short,
        "n": len(results),
    }


# ---------------------------------------------------------------- the peer (runs in .venv-peer)


def peer_main(spec_path: str) -> None:
    """langchain-postgres PGVectorStore on the same database: table, rows, HNSWIndex, searches; JSON to stdout."""
    spec = json.loads(Path(spec_path).read_text())
    asyncio.run(peer_run(spec))


async def peer_run(spec: dict[str, Any]) -> None:
    import asyncpg
    from langchain_core.embeddings import DeterministicFakeEmbedding
    from langchain_postgres import Column, PGEngine, PGVectorStore
    from langchain_postgres.v2.indexes import HNSWIndex, HNSWQueryOptions

    out: dict[str, Any] = {}
    raw = await asyncpg.connect(spec["url"])  # the bench's own SQL (rows, settings, sizes), not the store's
    # The index build's memory, for the store's connections (opened after this).
    await raw.execute(f"ALTER DATABASE {spec['database']} SET maintenance_work_mem = '{spec['maintenance_work_mem']}'")
    url = spec["url"].replace("postgresql://", "postgresql+asyncpg://", 1).replace("postgres://", "postgresql+asyncpg://", 1)
    engine = PGEngine.from_connection_string(url=url)
    try:
        await engine.ainit_vectorstore_table(
            table_name=PEER_TABLE,
            vector_size=spec["dims"],
            metadata_columns=[Column("organization_id", "UUID"), Column("agent_id", "UUID")],
        )
        store = await PGVectorStore.create(
            engine=engine,
            table_name=PEER_TABLE,
            embedding_service=DeterministicFakeEmbedding(size=spec["dims"]),  # never called: searches pass vectors
            metadata_columns=["organization_id", "agent_id"],
        )
        # The same rows as the platform's (aadd_embeddings would send them one statement per row; this copy is server-side).
        started = time.perf_counter()
        await raw.execute(
            f"INSERT INTO {PEER_TABLE} (langchain_id, content, embedding, organization_id, agent_id, langchain_metadata) "
            "SELECT id, content, embedding, organization_id, agent_id, '{}'::json FROM embeddings WHERE model = $1",
            spec["model"],
        )
        await raw.execute(f"VACUUM ANALYZE {PEER_TABLE}")
        out["load_s"] = time.perf_counter() - started
        started = time.perf_counter()
        await store.aapply_vector_index(HNSWIndex())
        out["index_s"] = time.perf_counter() - started
        out["index_bytes"] = await raw.fetchval(
            "SELECT sum(pg_relation_size(indexrelid))::bigint FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
            "JOIN pg_am AS a ON a.oid = c.relam WHERE i.indrelid = $1::regclass AND a.amname = 'hnsw'",
            PEER_TABLE,
        )
        searches: dict[str, list[dict[str, Any]]] = {}
        out["plans"] = {}
        for key, plan in spec["plans"].items():
            first = plan[0]
            explained = await raw.fetchval(  # the statement the store sends (async_vectorstore.__query_collection), explained
                f"EXPLAIN (FORMAT JSON) SELECT langchain_id FROM {PEER_TABLE} WHERE organization_id = $1 AND agent_id = $2 "
                f"ORDER BY embedding <=> $3::vector LIMIT {K}",
                uuid.UUID(first["org"]), uuid.UUID(first["agent"]), str(first["vector"]),
            )
            out["plans"][key] = "HNSW" if "Index Scan" in str(explained) else "seq scan + sort"
            rows = []
            for item in plan:
                started = time.perf_counter()
                docs = await store.asimilarity_search_by_vector(
                    embedding=item["vector"], k=K, filter={"organization_id": item["org"], "agent_id": item["agent"]}
                )
                elapsed = time.perf_counter() - started
                rows.append({"ids": [str(d.id) for d in docs], "ms": elapsed * 1000})
            searches[key] = rows
        out["searches"] = searches
        # The same store with HNSWQueryOptions(ef_search=100), the documented query option, as the platform's ef_search.
        tuned = await PGVectorStore.create(
            engine=engine, table_name=PEER_TABLE, embedding_service=DeterministicFakeEmbedding(size=spec["dims"]),
            metadata_columns=["organization_id", "agent_id"], index_query_options=HNSWQueryOptions(ef_search=100),
        )
        out["tuned"] = {}
        for key, plan in spec["plans"].items():
            rows = []
            for item in plan:
                started = time.perf_counter()
                docs = await tuned.asimilarity_search_by_vector(
                    embedding=item["vector"], k=K, filter={"organization_id": item["org"], "agent_id": item["agent"]}
                )
                elapsed = time.perf_counter() - started
                rows.append({"ids": [str(d.id) for d in docs], "ms": elapsed * 1000})
            out["tuned"][key] = rows
    finally:
        await engine.close()
        await raw.close()
    print(json.dumps(out))


def ensure_peer_venv() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(PEER_REQUIREMENTS)], check=True)
    return python


# ---------------------------------------------------------------- the run


def machine() -> dict[str, str]:
    info = {"cores": str(os.cpu_count()), "platform": platform.platform(), "python": platform.python_version()}
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["ram"] = f"{int(mem) / 1024 / 1024:.1f} GiB"
    except OSError:
        info["ram"] = "?"
    return info


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(args: argparse.Namespace) -> dict[str, Any]:
    """A throwaway embedded PostgreSQL, migrated; the measurements; the server stopped and its directory removed."""
    from tools import db

    report: dict[str, Any] = {"machine": machine(), "load_start": loadavg(), "started": datetime.now(UTC).isoformat(timespec="seconds")}
    tmp = Path(tempfile.mkdtemp(prefix="ajc-knowledge-bench-"))
    tmp.chmod(0o755)
    data = tmp / "data"
    try:
        admin = db.start_embedded(data)
        asyncio.run(db.create_database(admin, "bench", recreate=True))
        url = db.with_database(admin, "bench")
        db.migrate(url)
        asyncio.run(measure(args, url, tmp, report))
    finally:
        db.stop_embedded(data)
        shutil.rmtree(tmp, ignore_errors=True)
    report["load_end"] = loadavg()
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


async def measure(args: argparse.Namespace, url: str, tmp: Path, report: dict[str, Any]) -> None:
    import asyncpg

    rng = np.random.default_rng(args.seed)
    conn = await asyncpg.connect(url)
    report["postgres"] = await conn.fetchval("SHOW server_version")
    report["pgvector"] = await conn.fetchval("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    report["shared_buffers"] = await conn.fetchval("SHOW shared_buffers")
    await conn.close()

    centroids = rng.standard_normal((args.clusters, args.dims), dtype=np.float32)
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    agents = plan_tenants(args.chunks, args.small_orgs, args.threshold_counts, rng)
    report["agents"] = len(agents)
    report["orgs"] = len({a["org"] for a in agents})
    report["filler_sizes"] = sorted((a["rows"] for a in agents if a["role"] == "filler"), reverse=True)
    report["load_s"] = await load(url, agents, centroids, args.noise, rng, args.dims)
    print(f"loaded {args.chunks} x {args.dims} in {report['load_s']:.0f} s ({report['orgs']} orgs, {len(agents)} agents)", flush=True)

    report["index_s"], index_name, report["index_bytes"] = await build_index(url, args.dims, args.maintenance_work_mem)
    print(f"HNSW index {index_name}: {report['index_s']:.0f} s, {report['index_bytes'] / 2**20:.0f} MiB", flush=True)

    measured = [a for a in agents if a["role"] != "filler"]
    plans: dict[str, list[dict[str, Any]]] = {}
    for a in measured:
        vectors = unit_rows(rng, centroids, args.queries, args.noise)
        plans[a["role"]] = [{"org": a["org"], "agent": a["agent"], "vector": v.tolist()} for v in vectors]

    truth: dict[str, list[list[str]]] = {}
    exact_runs: dict[str, list[dict[str, Any]]] = {}
    for role, plan in plans.items():
        exact_runs[role] = await platform_search(url, plan, args.dims, exact_below=10**9)
        truth[role] = [r["ids"] for r in exact_runs[role]]
    rows_of = {a["role"]: a["rows"] for a in measured}

    report["platform"] = {}
    report["platform_hnsw"] = {}
    for s in SELECTIVITIES:
        role = f"sel:{s}"
        available = [rows_of[role]] * len(plans[role])
        report["platform"][role] = summarize(await platform_search(url, plans[role], args.dims, None), truth[role], available)
        report["platform_hnsw"][role] = summarize(await platform_search(url, plans[role], args.dims, 0), truth[role], available)
        report["platform_hnsw"][role]["plan"] = await hnsw_plan(url, plans[role][0], args.dims)
        forced, _, forced_plan = await forced_hnsw(url, plans[role], args.dims)
        report.setdefault("forced", {})[role] = summarize(forced, truth[role], available) | {"plan": forced_plan}
        print(f"{role} HNSW forced: {report['forced'][role]}", flush=True)
        print(f"{role}: {report['platform'][role]} forced HNSW {report['platform_hnsw'][role]}", flush=True)

    report["threshold"] = []
    for role in sorted(plans, key=lambda r: rows_of[r]):
        available = [rows_of[role]] * len(plans[role])
        exact = summarize(exact_runs[role], truth[role], available)
        hnsw = summarize(await platform_search(url, plans[role], args.dims, 0), truth[role], available)
        hnsw["plan"] = await hnsw_plan(url, plans[role][0], args.dims)
        forced, counts, forced_plan = await forced_hnsw(url, plans[role], args.dims)
        hnsw["forced"] = summarize(forced, truth[role], available) | {"plan": forced_plan, "count_p50": pct(counts, 0.5)}
        report["threshold"].append({"candidates": rows_of[role], "selectivity": rows_of[role] / args.chunks, "exact": exact, "hnsw": hnsw})
        print(f"threshold {rows_of[role]}: exact p50 {exact['p50']:.1f} ms, hnsw p50 {hnsw['p50']:.1f} ms", flush=True)

    if args.halfvec:
        report["halfvec"] = await halfvec(url, args, plans, truth, rows_of)

    if not args.no_peer:
        python = await asyncio.to_thread(ensure_peer_venv)
        spec = {
            "url": url, "database": "bench", "dims": args.dims, "model": MODEL, "maintenance_work_mem": args.maintenance_work_mem,
            "plans": {f"sel:{s}": [{**i, "org": str(i["org"]), "agent": str(i["agent"])} for i in plans[f"sel:{s}"]] for s in SELECTIVITIES},
        }
        spec_path = tmp / "peer.json"
        await asyncio.to_thread(spec_path.write_text, json.dumps(spec))
        done = await asyncio.to_thread(subprocess.run, [str(python), __file__, "--peer", str(spec_path)], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the langchain-postgres run failed:\n{done.stderr[-4000:]}")
        peer = json.loads(done.stdout.strip().splitlines()[-1])
        report["peer_load_s"], report["peer_index_s"], report["peer_index_bytes"] = peer["load_s"], peer["index_s"], peer["index_bytes"]
        report["peer"] = {}
        for role, rows in peer["searches"].items():
            report["peer"][role] = summarize(rows, truth[role], [rows_of[role]] * len(rows)) | {"plan": peer["plans"][role]}
            print(f"peer {role}: {report['peer'][role]}", flush=True)
        report["peer_tuned"] = {role: summarize(rows, truth[role], [rows_of[role]] * len(rows)) for role, rows in peer["tuned"].items()}
        report["peer_version"] = (await asyncio.to_thread(
            subprocess.run, [str(python), "-c", "import importlib.metadata as m; print(m.version('langchain-postgres'), m.version('pgvector'), m.version('psycopg'))"],
            capture_output=True, text=True, check=True,
        )).stdout.strip()


async def halfvec(url: str, args: argparse.Namespace, plans: dict[str, list[dict[str, Any]]],
                  truth: dict[str, list[list[str]]], rows_of: dict[str, int]) -> dict[str, Any]:
    """The same rows through a halfvec HNSW index (an expression index on embedding::halfvec), searched with the same settings."""
    import asyncpg
    from pgvector import HalfVector

    from gen import init_connection

    conn = await asyncpg.connect(url)
    await init_connection(conn)
    out: dict[str, Any] = {}
    d = args.dims
    try:
        await conn.execute(f"SET maintenance_work_mem = '{args.maintenance_work_mem}'")
        started = time.perf_counter()
        await conn.execute(
            f"CREATE INDEX bench_halfvec_hnsw ON embeddings USING hnsw ((embedding::halfvec({d})) halfvec_cosine_ops) "
            f"WHERE model = '{MODEL}' AND dims = {d}"
        )
        out["index_s"] = time.perf_counter() - started
        out["index_bytes"] = await conn.fetchval("SELECT pg_relation_size('bench_halfvec_hnsw'::regclass)")
        sql = (
            f"SELECT id FROM embeddings WHERE model = '{MODEL}' AND dims = {d} AND organization_id = $1 AND agent_id = $2 "
            f"AND status = 'embedded' ORDER BY embedding::halfvec({d}) <=> $3 LIMIT {K}"
        )
        for s in SELECTIVITIES:
            role = f"sel:{s}"
            rows = []
            item = plans[role][0]
            async with conn.transaction():
                await conn.execute("SET LOCAL hnsw.iterative_scan = 'relaxed_order'")
                explained = await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql, item["org"], item["agent"], HalfVector(item["vector"]))
            uses = "bench_halfvec_hnsw" in str(explained)
            for item in plans[role]:
                async with conn.transaction():
                    await conn.execute("SET LOCAL hnsw.iterative_scan = 'relaxed_order'; SET LOCAL hnsw.ef_search = 100; "
                                       "SET LOCAL hnsw.max_scan_tuples = 40000; SET LOCAL plan_cache_mode = force_custom_plan")
                    started = time.perf_counter()
                    found = await conn.fetch(sql, item["org"], item["agent"], HalfVector(item["vector"]))
                    elapsed = time.perf_counter() - started
                rows.append({"ids": [str(r["id"]) for r in found], "ms": elapsed * 1000})
            out[role] = summarize(rows, truth[role], [rows_of[role]] * len(rows)) | {"plan": "HNSW" if uses else "no index"}
            print(f"halfvec {role}: {out[role]}", flush=True)
        await conn.execute("DROP INDEX bench_halfvec_hnsw")
    finally:
        await conn.close()
    return out


def fmt_cell(m: dict[str, Any] | None) -> str:
    if not m:
        return "- | - | - | -"
    return f"{m['recall']:.3f} (min {m['min_recall']:.1f}) | {m['p50']:.1f} | {m['p95']:.1f} | {m['short']}/{m['n']}"


def write_report(report: dict[str, Any], args: argparse.Namespace, command: str) -> str:
    m = report["machine"]
    lines = [
        "# Knowledge search: recall@10, latency and short results under tenant filters",
        "",
        f"Measured {report['started']} to {report['finished']} by `bench/knowledge_bench.py`:",
        "",
        f"    {command}",
        "",
        "## Machine and versions",
        "",
        f"- {m['cores']} cores, {m['ram']} RAM, {m['platform']}, Python {m['python']}; shared with other work:"
        f" load average (1, 5, 15 min) {report['load_start']} at the start, {report['load_end']} at the end.",
        f"- PostgreSQL {report['postgres']} (embedded, default settings: shared_buffers {report['shared_buffers']}),"
        f" pgvector {report['pgvector']}; index builds with maintenance_work_mem {args.maintenance_work_mem} (set by the bench for the building session).",
    ]
    if "peer_version" in report:
        lv, pv, ps = report["peer_version"].split()
        lines.append(f"- Peer: langchain-postgres {lv} (pgvector-python {pv}, psycopg {ps}, SQLAlchemy over asyncpg), in its own venv .venv-peer.")
    lines += [
        "",
        "## Data",
        "",
        f"- {args.chunks:,} chunks x {args.dims} dimensions, one model, all embedded, in `public.embeddings`, loaded by binary COPY in"
        f" {report['load_s']:.0f} s.",
        f"- Vectors: {args.clusters} centroids (gaussian, normalized); each chunk = a uniformly chosen centroid + gaussian noise of norm"
        f" ~{args.noise} (per dimension sigma {args.noise}/sqrt({args.dims})), normalized. Seed {args.seed}. The cluster is independent"
        " of the tenant, so the tenant filter cuts across clusters.",
        f"- Tenants: {report['orgs']} organizations, {report['agents']} agents. One organization per measured agent holding 50 %, 10 %,"
        " 1 % and 0.1 % of the model's rows (the filter selectivities), and agents of "
        + ", ".join(str(t['candidates']) for t in report["threshold"] if t["candidates"] not in {round(args.chunks * s) for s in SELECTIVITIES})
        + f" rows for the threshold; the rest over {args.small_orgs} organizations with Zipf sizes (weight 1/rank), each split over 1-4"
        f" agents (largest filler agents: {', '.join(str(x) for x in report['filler_sizes'][:5])}; smallest:"
        f" {', '.join(str(x) for x in report['filler_sizes'][-3:])}).",
        f"- Queries: {args.queries} per measured agent, a random centroid + the same noise, normalized; k = {K}.",
        "- Truth: fn.knowledge_vector_search with p_exact_below above the candidate count (the exact ranking: a sort of all the"
        " agent's distances). recall@10 = |result ∩ truth| / 10, averaged over the queries (min: the worst query).",
        "- Latency: wall time of the search call from Python, client included (asyncpg for the platform, inside a tenant transaction"
        " entered with gen.tenancy.enter_tenant; SQLAlchemy + asyncpg for langchain-postgres). A short result: fewer than 10 rows"
        " while the agent has at least 10.",
        "",
        "## Index builds",
        "",
        f"- The model's HNSW index, fn.ensure_embedding_index (m 16, ef_construction 64: pgvector's defaults): {report['index_s']:.0f} s,"
        f" {report['index_bytes'] / 2**20:.0f} MiB.",
    ]
    if "peer_index_s" in report:
        lines.append(f"- langchain-postgres `aapply_vector_index(HNSWIndex())` (m 16, ef_construction 64) on its table: {report['peer_index_s']:.0f} s,"
                     f" {report['peer_index_bytes'] / 2**20:.0f} MiB (its rows copied server-side from embeddings in {report['peer_load_s']:.0f} s).")
    if "halfvec" in report:
        h = report["halfvec"]
        lines.append(f"- halfvec HNSW (expression index on embedding::halfvec({args.dims})): {h['index_s']:.0f} s, {h['index_bytes'] / 2**20:.0f} MiB.")
    lines += [
        "",
        "## Recall, latency, short results",
        "",
        "Each cell group: recall@10 (worst query) | p50 ms | p95 ms | short results / queries.",
        "",
        "| selectivity (rows) | platform recall@10 | p50 | p95 | short | langchain-postgres recall@10 | p50 | p95 | short |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in SELECTIVITIES:
        role = f"sel:{s}"
        rows = round(args.chunks * s)
        lines.append(f"| {s * 100:g} % ({rows:,}) | {fmt_cell(report['platform'][role])} | {fmt_cell(report.get('peer', {}).get(role))} |")
    if "peer_tuned" in report:
        lines += ["", "langchain-postgres with `index_query_options=HNSWQueryOptions(ef_search=100)` (its documented query option; the"
                  " platform's ef_search), same queries:", "",
                  "| selectivity | recall@10 | p50 | p95 | short |", "| --- | --- | --- | --- | --- |"]
        for s in SELECTIVITIES:
            lines.append(f"| {s * 100:g} % | {fmt_cell(report['peer_tuned'][f'sel:{s}'])} |")
        lines.append("")
        lines.append("Plans of the langchain-postgres statement (EXPLAIN of the same SQL): "
                     + ", ".join(f"{s * 100:g} %: {report['peer'][f'sel:{s}']['plan']}" for s in SELECTIVITIES) + ".")
    lines += [
        "",
        "The platform column is fn.knowledge_vector_search as shipped (p_exact_below 2000: the 1 % and 0.1 % agents"
        f" at this size{' are' if round(args.chunks * 0.01) <= 2000 else ' partly'} ranked exactly). The HNSW path forced (p_exact_below 0) on the same queries:",
        "",
        "| selectivity | recall@10 | p50 | p95 | short | planner's plan for the approximate statement |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for s in SELECTIVITIES:
        lines.append(f"| {s * 100:g} % | {fmt_cell(report['platform_hnsw'][f'sel:{s}'])} | {report['platform_hnsw'][f'sel:{s}']['plan']} |")
    lines += [
        "",
        "The approximate statement alone with the HNSW index imposed (plain SQL as the table owner, the function's hnsw settings,"
        " enable_sort off so that the planner cannot prefer the btree and a sort; no exact fallback, so short results show):",
        "",
        "| selectivity | recall@10 | p50 | p95 | short | plan |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for s in SELECTIVITIES:
        f = report["forced"][f"sel:{s}"]
        lines.append(f"| {s * 100:g} % | {fmt_cell(f)} | {f['plan']} |")
    if "halfvec" in report:
        lines += ["", "halfvec (the same filter, iterative relaxed-order scan, ef_search 100, max_scan_tuples 40000; plain SQL):", "",
                  "| selectivity | recall@10 | p50 | p95 | short | plan |", "| --- | --- | --- | --- | --- | --- |"]
        for s in SELECTIVITIES:
            lines.append(f"| {s * 100:g} % | {fmt_cell(report['halfvec'][f'sel:{s}'])} | {report['halfvec'][f'sel:{s}']['plan']} |")
    lines += [
        "",
        "## Exact vs HNSW by candidate count",
        "",
        f"The same function, p_exact_below huge (exact) vs 0 (HNSW), {args.queries} queries per agent, {args.chunks:,} rows of the model in the index.",
        "",
        "| candidates | share of the index | exact p50 / p95 ms | approximate path p50 / p95 ms | its recall@10 | its short | planner's plan for it |"
        " HNSW imposed p50 / p95 ms | its recall@10 | its short (no fallback) | candidate count p50 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in report["threshold"]:
        e, h = t["exact"], t["hnsw"]
        lines.append(f"| {t['candidates']:,} | {t['selectivity'] * 100:.2g} % | {e['p50']:.1f} / {e['p95']:.1f} | {h['p50']:.1f} / {h['p95']:.1f}"
                     f" | {h['recall']:.3f} | {h['short']} | {h['plan']} | {h['forced']['p50']:.1f} / {h['forced']['p95']:.1f}"
                     f" | {h['forced']['recall']:.3f} | {h['forced']['short']} | {h['forced']['count_p50']:.1f} |")
    crossing = next((t for t in report["threshold"] if t["hnsw"]["p50"] < t["exact"]["p50"]), None)
    imposed = next((t for t in report["threshold"] if t["hnsw"]["forced"]["p50"] < t["exact"]["p50"]), None)
    lines += [
        "",
        "Crossing (computed from the table): "
        + (f"the approximate path is first faster at p50 at {crossing['candidates']:,} candidates (planner's plan there:"
           f" {crossing['hnsw']['plan']})." if crossing else "the approximate path is never faster at p50 in this table.")
        + (f" The HNSW index imposed is first faster than the exact ranking at p50 at {imposed['candidates']:,} candidates."
           if imposed else " The HNSW index imposed is never faster than the exact ranking at p50 in this table."),
        "",
        "## Targets (recall@10 >= 0.95, no short result, p95 <= 50 ms), fn.knowledge_vector_search as shipped",
        "",
    ]
    for s in SELECTIVITIES:
        m = report["platform"][f"sel:{s}"]
        misses = [name for name, ok in (("recall", m["recall"] >= 0.95), ("short", m["short"] == 0), ("p95", m["p95"] <= 50)) if not ok]
        lines.append(f"- {s * 100:g} %: " + ("all met" if not misses else "missed: " + ", ".join(misses)) + ".")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--dims", type=int, default=1536)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--clusters", type=int, default=100)
    parser.add_argument("--noise", type=float, default=1.0)
    parser.add_argument("--small-orgs", type=int, default=40)
    parser.add_argument("--threshold-counts", type=lambda s: [int(x) for x in s.split(",")], default=[500, 1000, 2000, 5000, 10000])
    parser.add_argument("--maintenance-work-mem", default="2GB")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--halfvec", action="store_true", help="also measure a halfvec HNSW index")
    parser.add_argument("--no-peer", action="store_true", help="skip langchain-postgres")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--peer", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        peer_main(args.peer)
        return
    sys.path.insert(0, str(ROOT))
    command = ".venv/bin/python bench/knowledge_bench.py " + " ".join(sys.argv[1:])
    report = run(args)
    text = write_report(report, args, command.strip())
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
        (RESULTS.parent / "knowledge-raw.json").write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
