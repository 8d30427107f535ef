"""How much does turning rows into models cost? A read of 10,000 rows, timed several ways.

    .venv/bin/python bench/rows_bench.py [--rows 10000] [--repeat 15] [--no-write]

Starts its own embedded PostgreSQL in a temporary directory, creates a table
with ten typical columns (uuid, text, enum, text[], jsonb, float8, int4,
timestamptz), generates its query module with the real sqlc and the project's
plugin, and times, per read of every row (median of --repeat runs, taken in
turns so that drift hits every variant alike):

- fetch: `conn.fetch` alone, with the codecs of `init_connection` (the floor)
- generated: the generated function (`fetch` + `_from_record` per row)
- model_construct: `Model.model_construct(**dict(row))` per row
- model_validate: `Model.model_validate(dict(row))` per row (full validation)
- fetch, enums as str: `conn.fetch` without the enum codec (what enums cost)

and `init_connection` once per new connection. Results go to
bench/results/rows.md (unless --no-write) and stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import orjson  # noqa: E402
import pydantic  # noqa: E402

from tools import db, gen  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "rows.md"

SCHEMA = """-- migrate:up
CREATE TYPE item_status AS ENUM ('active', 'paused', 'done');
CREATE TABLE items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    title text NOT NULL,
    body text,
    status item_status NOT NULL,
    tags text[] NOT NULL,
    metadata jsonb NOT NULL,
    score double precision,
    version integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz
);
-- migrate:down
DROP TABLE items;
DROP TYPE item_status;
"""

QUERIES = """-- name: ListItems :many
SELECT id, organization_id, title, body, status, tags, metadata, score, version, created_at, updated_at
FROM items;
"""

SQLC_YAML = """version: "2"
plugins:
  - name: asyncpg
    process:
      cmd: codegen/sqlc-gen-asyncpg
      format: json
    env: [PATH]
sql:
  - engine: postgresql
    schema: schema
    queries: queries
    database:
      uri: ${SQLC_DATABASE_URL}
    analyzer:
      database: true
    codegen:
      - plugin: asyncpg
        out: benchgen
        options:
          package: benchgen
"""

FILL = """
INSERT INTO items (organization_id, title, body, status, tags, metadata, score, version)
SELECT gen_random_uuid(),
       'Item number ' || i,
       CASE WHEN i % 3 = 0 THEN NULL ELSE repeat('Some body text. ', 8) END,
       (ARRAY['active', 'paused', 'done'])[1 + i % 3]::item_status,
       ARRAY['alpha', 'beta', 'gamma'],
       jsonb_build_object('n', i, 'kind', 'bench', 'flags', jsonb_build_array(true, false), 'nested', jsonb_build_object('a', 1)),
       i * 0.5,
       i
FROM generate_series(1, $1) AS i
"""


def generate_module(workdir: Path, url: str) -> ModuleType:
    """Generate the bench's query package with the real sqlc and plugin; import it."""
    (workdir / "schema").mkdir(parents=True)
    (workdir / "queries").mkdir()
    (workdir / "schema" / "001_items.sql").write_text(SCHEMA)
    (workdir / "queries" / "items.sql").write_text(QUERIES)
    (workdir / "sqlc.yaml").write_text(SQLC_YAML)
    proc = gen.run_sqlc("generate", url, config=workdir / "sqlc.yaml", cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f"sqlc failed:\n{proc.stdout}{proc.stderr}")
    sys.path.insert(0, str(workdir))
    return importlib.import_module("benchgen.items")


async def timed(fn: Callable[[], Awaitable[object]]) -> float:
    gc.collect()  # each run starts from the same heap; the garbage collector stays on, as in production
    start = time.perf_counter()
    await fn()
    return (time.perf_counter() - start) * 1000


async def run(url: str, items: ModuleType, n_rows: int, repeat: int) -> tuple[dict[str, float], float, str]:
    package = importlib.import_module("benchgen")
    model = importlib.import_module("benchgen.models").Item
    setup = await asyncpg.connect(url)
    await setup.execute(FILL, n_rows)
    await setup.execute("VACUUM ANALYZE items")
    server_version = await setup.fetchval("SHOW server_version")
    await setup.close()

    conn = await asyncpg.connect(url)
    await package.init_connection(conn)
    # The same codecs without the enum one: asyncpg's default decodes enums to str.
    plain = await asyncpg.connect(url)
    for name, encoder, decoder in [
        ("json", orjson.dumps, orjson.loads),
        ("jsonb", package._dump_jsonb, package._load_jsonb),
    ]:
        await plain.set_type_codec(name, schema="pg_catalog", format="binary", encoder=encoder, decoder=decoder)

    sql = items.LIST_ITEMS

    async def fetch() -> Any:
        return await conn.fetch(sql)

    async def generated() -> Any:
        return await items.list_items(conn)

    async def construct() -> Any:
        return [model.model_construct(**dict(row)) for row in await conn.fetch(sql)]

    async def validate() -> Any:
        return [model.model_validate(dict(row)) for row in await conn.fetch(sql)]

    async def fetch_str_enums() -> Any:
        return await plain.fetch(sql)

    variants: dict[str, Callable[[], Awaitable[Any]]] = {
        "fetch": fetch,
        "generated (fetch + _from_records)": generated,
        "model_construct(**dict(row))": construct,
        "model_validate(dict(row))": validate,
        "fetch, enums as str (no enum codec)": fetch_str_enums,
    }
    # Same answers first: the generated models equal validated ones.
    assert [m.model_dump() for m in await generated()] == [m.model_dump() for m in await validate()]
    for fn in variants.values():  # warm up: statement caches, allocator
        await fn()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeat):
        for name, fn in variants.items():
            samples[name].append(await timed(fn))

    init_times = []
    for _ in range(repeat):
        fresh = await asyncpg.connect(url)
        start = time.perf_counter()
        await package.init_connection(fresh)
        init_times.append((time.perf_counter() - start) * 1000)
        await fresh.close()
    await conn.close()
    await plain.close()
    return {name: statistics.median(s) for name, s in samples.items()}, statistics.median(init_times), server_version


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def report(medians: dict[str, float], init_ms: float, server_version: str, n_rows: int, repeat: int) -> str:
    floor = medians["fetch"]
    lines = [
        "# Row construction benchmark",
        "",
        f"Command: `.venv/bin/python bench/rows_bench.py --rows {n_rows} --repeat {repeat}` (or `make bench`)",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, asyncpg {asyncpg.__version__}, pydantic {pydantic.VERSION}, "
        f"PostgreSQL {server_version} (embedded, Unix socket, same machine). Run {datetime.now(UTC):%Y-%m-%d}.",
        "",
        f"One read of {n_rows:,} rows of 11 columns (uuid x2, text x2, enum, text[], jsonb, float8, int4, "
        f"timestamptz x2); median of {repeat} runs, taken in turns.",
        "",
        "| variant | median ms | vs fetch | per row |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, ms in medians.items():
        lines.append(f"| {name} | {ms:.1f} | {ms / floor:.2f}x | {ms / n_rows * 1000:.1f} µs |")
    generated = medians["generated (fetch + _from_records)"]
    construct = medians["model_construct(**dict(row))"]
    validate = medians["model_validate(dict(row))"]
    enums = medians["fetch"] - medians["fetch, enums as str (no enum codec)"]
    lines += [
        "",
        f"`init_connection` on a new connection (json, jsonb, 1 enum, pgvector codecs): {init_ms:.1f} ms median.",
        "",
        "Reading:",
        "",
        f"- The generated functions build models without validation (`_from_records` in gen/__init__.py): "
        f"{(generated - floor) / n_rows * 1000:.1f} µs per row on top of the fetch, against "
        f"{(construct - floor) / n_rows * 1000:.1f} µs for `model_construct` and "
        f"{(validate - floor) / n_rows * 1000:.1f} µs for `model_validate`. What remains is creating three objects "
        "per row (the model, its `__dict__`, its fields-set) and the garbage collector's work on them.",
        f"- Enums as StrEnum: {medians['fetch']:.1f} ms with the codec against {medians['fetch, enums as str (no enum codec)']:.1f} ms "
        f"without ({enums / n_rows * 1000:+.2f} µs per row, near the noise): a binary codec registered by "
        "`init_connection` looks each value up in a dict, inside asyncpg's decoding.",
        "- Where a bulk read does not need models, call `conn.fetch` with the exported SQL constant "
        "(e.g. `items.LIST_ITEMS`): the records carry the same decoded values.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results/rows.md alone")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="rows-bench-"))
    tmp.chmod(0o755)  # as root, the embedded server runs as its own user
    data = tmp / "pg"
    try:
        admin = db.start_embedded(data)
        asyncio.run(db.create_database(admin, "bench", recreate=True))
        url = db.with_database(admin, "bench")
        asyncio.run(_apply_schema(url))
        items = generate_module(tmp / "work", url)
        medians, init_ms, version = asyncio.run(run(url, items, args.rows, args.repeat))
    finally:
        db.stop_embedded(data)
        shutil.rmtree(tmp, ignore_errors=True)
    text = report(medians, init_ms, version, args.rows, args.repeat)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
        print(f"wrote {RESULTS.relative_to(ROOT)}")


async def _apply_schema(url: str) -> None:
    """Create the bench table (sqlc analyses the query against it)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(SCHEMA.split("-- migrate:down")[0])
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
