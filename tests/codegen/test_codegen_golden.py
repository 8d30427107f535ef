"""Golden-file tests: real sqlc, the real plugin, a real database; output compared with expected/.

Regenerate the golden files after an intended change with

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/codegen/test_codegen_golden.py

and review the diff of tests/codegen/fixture/expected/ like any other change.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from tools import db

EXPECTED = Path(__file__).parent / "fixture" / "expected"
VENV_BIN = Path(sys.executable).parent


def files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(directory.glob("*.py"))}


def test_generated_code_matches_golden_files(generated: Path) -> None:
    actual = files(generated)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(generated, EXPECTED, ignore=shutil.ignore_patterns("__pycache__"))
    expected = files(EXPECTED)
    assert sorted(actual) == sorted(expected), "generated files differ from expected/ (UPDATE_GOLDEN=1 to accept)"
    diffs = [
        "".join(difflib.unified_diff(expected[name].splitlines(True), actual[name].splitlines(True), f"expected/{name}", f"generated/{name}"))
        for name in expected
        if actual[name] != expected[name]
    ]
    assert not diffs, "generated code differs from expected/ (UPDATE_GOLDEN=1 to accept):\n" + "\n".join(diffs)


def test_generation_is_deterministic(run_fixture_sqlc: Callable[..., CompletedProcess[str]], generated: Path, tmp_path: Path) -> None:
    proc = run_fixture_sqlc(tmp_path / "again")
    assert proc.returncode == 0, proc.stderr
    assert files(tmp_path / "again" / "expected") == files(generated)


# Calls as an application makes them; mypy --strict checks them together with expected/.
USAGE = """
import datetime
import uuid

import asyncpg
from pgvector import Vector

from expected import audit, init_connection, models, projects, samples, tasks


async def use(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    async with asyncpg.create_pool("postgresql:///x", init=init_connection) as pool, pool.acquire() as proxy:
        names: list[str] = await projects.list_project_names(proxy)
    project: models.Project | None = await projects.get_project(conn, id=uuid.uuid4())
    count: int | None = await projects.count_projects(conn)
    status: models.TaskStatus | None = await tasks.get_task_status(conn, id=uuid.uuid4())
    row = tasks.CreateTasksParams(uuid.uuid4(), "t", models.TaskStatus.DONE, ["a"], {"k": [1, None]}, Vector([1, 2, 3]))
    copied: int = await tasks.create_tasks(conn, rows=[row])
    nearest: list[tasks.NearestTasksRow] = await tasks.nearest_tasks(conn, embedding=Vector([1, 2, 3]), max_results=3)
    sample = await samples.get_type_sample(conn, id=1)
    day: datetime.date | None = sample.date if sample else None
    event: models.AuditEvent | None = await audit.record_event(conn, project_id=None, detail={"a": [1.5, "b"]})
"""

# Each line is a mistake mypy must catch.
MISUSE = """
import uuid

import asyncpg

from expected import projects, tasks


async def misuse(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    await tasks.set_task_status(conn, status="running", id=uuid.uuid4())
    await projects.get_project(conn, uuid.uuid4())
    name: str = (await projects.get_project(conn, id=uuid.uuid4())).name
    await projects.rename_project(conn, name=None, id=uuid.uuid4())
"""


def mypy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "mypy"), "--strict", "--config-file", str(db.ROOT / "pyproject.toml"), str(path)],
        cwd=db.ROOT,
        env=dict(os.environ, MYPYPATH=str(EXPECTED.parent)),
        capture_output=True,
        text=True,
    )


def test_golden_output_and_its_use_pass_mypy_strict(tmp_path: Path) -> None:
    (tmp_path / "usage.py").write_text(USAGE)
    proc = mypy(tmp_path / "usage.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_catches_wrong_arguments_and_unchecked_results(tmp_path: Path) -> None:
    (tmp_path / "misuse.py").write_text(MISUSE)
    proc = mypy(tmp_path / "misuse.py")
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    mistakes = [n for n, line in enumerate(MISUSE.splitlines(), 1) if line.startswith("    ")]
    assert [int(line.split(":")[1]) for line in errors] == mistakes, proc.stdout


def test_golden_output_passes_ruff() -> None:
    proc = subprocess.run(
        [str(VENV_BIN / "ruff"), "check", "--no-cache", str(EXPECTED)],
        cwd=db.ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_unknown_column_type_fails_generation_naming_the_column(
    run_fixture_sqlc: Callable[..., CompletedProcess[str]], tmp_path: Path
) -> None:
    # A RETURNS TABLE function selected as a whole is one column of type record.
    bad = "-- name: CountsAsRecords :many\nSELECT task_counts(sqlc.arg(project_id)) AS counts;\n"
    proc = run_fixture_sqlc(tmp_path / "bad", extra_queries={"bad.sql": bad})
    assert proc.returncode != 0
    message = proc.stdout + proc.stderr
    assert "queries/bad.sql: query CountsAsRecords: column counts: type record has no Python type" in message
    assert "select the function's columns explicitly" in message
    assert not (tmp_path / "bad" / "expected").exists()
