"""The golden output, imported and called against the fixture database: the code does what its types say."""

from __future__ import annotations

import datetime
import decimal
import importlib
import ipaddress
import types
import typing
import uuid
from types import ModuleType
from typing import Any

import asyncpg
import pytest
from pgvector import HalfVector, SparseVector, Vector
from pydantic import JsonValue


@pytest.fixture
def projects(golden: ModuleType) -> ModuleType:
    return importlib.import_module(f"{golden.__name__}.projects")


@pytest.fixture
def tasks(golden: ModuleType) -> ModuleType:
    return importlib.import_module(f"{golden.__name__}.tasks")


@pytest.fixture
def models(golden: ModuleType) -> ModuleType:
    return importlib.import_module(f"{golden.__name__}.models")


@pytest.fixture
def audit(golden: ModuleType) -> ModuleType:
    return importlib.import_module(f"{golden.__name__}.audit")


@pytest.fixture
def samples(golden: ModuleType) -> ModuleType:
    return importlib.import_module(f"{golden.__name__}.samples")


async def make_tasks(conn: asyncpg.Connection, tasks: ModuleType, models: ModuleType, project_id: uuid.UUID) -> int:
    status = models.TaskStatus
    rows = [
        tasks.CreateTasksParams(project_id, "write spec", status.DONE, ["docs"], {"pages": 3}, Vector([1, 0, 0])),
        tasks.CreateTasksParams(project_id, "review spec", status.NEEDS_REVIEW, ["docs", "review"], None, Vector([0, 1, 0])),
        tasks.CreateTasksParams(project_id, "ship", status.PENDING, [], [1, "two", None], None),
    ]
    count: int = await tasks.create_tasks(conn, rows=iter(rows))
    return count


async def test_one_returns_the_table_model_or_none(fixture_conn: asyncpg.Connection, projects: ModuleType, models: ModuleType) -> None:
    created = await projects.create_project(fixture_conn, name="apollo", settings={"color": "blue", "n": [1, 2.5, None]})
    assert isinstance(created, models.Project)
    assert isinstance(created.id, uuid.UUID)
    assert created.settings == {"color": "blue", "n": [1, 2.5, None]}
    assert isinstance(created.created_at, datetime.datetime) and created.created_at.tzinfo is not None
    assert await projects.get_project(fixture_conn, id=created.id) == created
    assert await projects.get_project(fixture_conn, id=uuid.uuid4()) is None
    defaulted = await projects.create_project(fixture_conn, name="gemini", settings=None)
    assert defaulted.settings == {}


async def test_single_column_queries_return_plain_values(fixture_conn: asyncpg.Connection, projects: ModuleType) -> None:
    for name in ("b", "a", "c"):
        await projects.create_project(fixture_conn, name=name, settings=None)
    assert await projects.list_project_names(fixture_conn) == ["a", "b", "c"]
    assert await projects.count_projects(fixture_conn) == 3


async def test_exec_commands_report_what_they_did(fixture_conn: asyncpg.Connection, projects: ModuleType) -> None:
    project = await projects.create_project(fixture_conn, name="old", settings=None)
    assert await projects.rename_project(fixture_conn, name="new", id=project.id) == 1
    assert await projects.rename_project(fixture_conn, name="new", id=uuid.uuid4()) == 0
    assert await projects.touch_projects(fixture_conn) == "UPDATE 1"
    assert await projects.delete_project(fixture_conn, id=project.id) is None
    assert await projects.count_projects(fixture_conn) == 0


async def test_copyfrom_inserts_rows_that_read_back_typed(
    fixture_conn: asyncpg.Connection, projects: ModuleType, tasks: ModuleType, models: ModuleType
) -> None:
    project = await projects.create_project(fixture_conn, name="p", settings=None)
    assert await make_tasks(fixture_conn, tasks, models, project.id) == 3
    listed = await tasks.list_tasks(fixture_conn, project_id=project.id)
    assert [t.title for t in listed] == ["review spec", "ship", "write spec"]
    review, ship, write = listed
    assert all(isinstance(t, models.Task) for t in listed)
    assert type(review.status) is models.TaskStatus and review.status is models.TaskStatus.NEEDS_REVIEW
    assert review.tags == ["docs", "review"]
    assert write.payload == {"pages": 3} and ship.payload == [1, "two", None] and review.payload is None
    assert isinstance(write.embedding, Vector) and write.embedding == Vector([1, 0, 0])
    assert ship.embedding is None


async def test_enums_come_back_as_their_str_enum(
    fixture_conn: asyncpg.Connection, projects: ModuleType, tasks: ModuleType, models: ModuleType
) -> None:
    status = models.TaskStatus
    project = await projects.create_project(fixture_conn, name="p", settings=None)
    await make_tasks(fixture_conn, tasks, models, project.id)
    ids = await tasks.list_task_ids_by_status(fixture_conn, statuses=[status.DONE, status.PENDING])
    assert len(ids) == 2 and all(isinstance(i, uuid.UUID) for i in ids)
    assert await tasks.get_task_status(fixture_conn, id=ids[0]) is status.PENDING  # "ship" sorts first
    assert await tasks.set_task_status(fixture_conn, status=status.RUNNING, id=ids[0]) == 1
    assert await tasks.get_task_status(fixture_conn, id=ids[0]) is status.RUNNING
    # A RETURNS TABLE function, queried with its columns named.
    counts = await tasks.count_tasks_by_status(fixture_conn, project_id=project.id)
    assert [(c.status, c.n) for c in counts] == [(status.RUNNING, 1), (status.DONE, 1), (status.NEEDS_REVIEW, 1)]
    assert all(type(c.status) is status for c in counts)


async def test_nullable_arguments_filter_only_when_given(
    fixture_conn: asyncpg.Connection, projects: ModuleType, tasks: ModuleType, models: ModuleType
) -> None:
    project = await projects.create_project(fixture_conn, name="apollo", settings=None)
    await make_tasks(fixture_conn, tasks, models, project.id)
    every = await tasks.list_task_summaries(fixture_conn, status=None, tags=["docs"])
    assert [(s.title, s.project_name) for s in every] == [("review spec", "apollo"), ("write spec", "apollo")]
    done = await tasks.list_task_summaries(fixture_conn, status=models.TaskStatus.DONE, tags=["docs"])
    assert [s.title for s in done] == ["write spec"]
    assert isinstance(done[0], tasks.ListTaskSummariesRow)


async def test_vector_parameters_and_distances(
    fixture_conn: asyncpg.Connection, projects: ModuleType, tasks: ModuleType, models: ModuleType
) -> None:
    project = await projects.create_project(fixture_conn, name="p", settings=None)
    await make_tasks(fixture_conn, tasks, models, project.id)
    nearest = await tasks.nearest_tasks(fixture_conn, embedding=Vector([0, 0.9, 0.1]), max_results=5)
    assert [n.title for n in nearest] == ["review spec", "write spec"]
    assert isinstance(nearest[0].distance, float) and nearest[0].distance < nearest[1].distance


async def test_other_schemas_and_jsonb_scalars(
    fixture_conn: asyncpg.Connection, audit: ModuleType, models: ModuleType
) -> None:
    event = await audit.record_event(fixture_conn, project_id=None, detail={"action": "created", "ok": True})
    assert isinstance(event, models.AuditEvent) and isinstance(event.id, int)
    await audit.record_event(fixture_conn, project_id=uuid.uuid4(), detail=["a", 1])
    assert await audit.list_event_details(fixture_conn) == [{"action": "created", "ok": True}, ["a", 1]]


SAMPLE = """
INSERT INTO type_samples (
    c_bool, c_int2, c_int4, c_int8, c_oid, c_float4, c_float8, c_numeric, c_money, c_text, c_varchar,
    c_bpchar, c_name, c_tsvector, c_tsquery, c_macaddr, c_regclass, c_bytea, c_uuid, date, time,
    c_timetz, c_timestamp, c_timestamptz, c_interval, c_json, c_jsonb, c_inet, c_cidr, c_vector, c_halfvec,
    c_sparsevec, c_color, c_colors, c_int_matrix, "from", model_config
) VALUES (
    true, 1, 2, 3, 4, 1.5, 2.5, 12.34, 5.67, 'text', 'varchar',
    'ab', 'name', 'a fat cat', 'fat & cat', '08:00:2b:01:02:03', 'tasks', '\\x0102', gen_random_uuid(),
    '2026-01-02', '03:04:05', '03:04:05+02', '2026-01-02 03:04:05', now(), '1 day 2 hours', '[1, "a"]',
    '{"k": {"nested": [true]}}', '10.0.0.1/8', '10.0.0.0/8', '[1,2,3]', '[1,2,3]', '{1:1.5,3:2}/5', 'red',
    '{red,green}', '{{1,2},{3,4}}', 'keyword', '{"pydantic": "reserved"}'
)
RETURNING id
"""


def is_json(value: Any) -> bool:
    if isinstance(value, list):
        return all(is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_json(v) for k, v in value.items())
    return value is None or isinstance(value, str | bool | int | float)


def conforms(value: Any, annotation: Any) -> bool:
    """Whether value is an instance of a (generated) type annotation: unions, list[...], classes."""
    if annotation is JsonValue:
        return is_json(value)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if origin is list:
        (item,) = typing.get_args(annotation)
        return isinstance(value, list) and all(conforms(v, item) for v in value)
    if annotation is float:
        return isinstance(value, float)
    return isinstance(value, annotation)


async def test_every_mapped_type_reads_back_as_its_annotation(
    fixture_conn: asyncpg.Connection, models: ModuleType, samples: ModuleType
) -> None:
    sample_id = await fixture_conn.fetchval(SAMPLE)
    sample = await samples.get_type_sample(fixture_conn, id=sample_id)
    assert isinstance(sample, models.TypeSample)
    hints = typing.get_type_hints(models.TypeSample)
    assert not conforms("1", hints["c_int4"]) and not conforms([1], hints["c_colors"]) and not conforms({1: 2}, hints["c_json"])
    wrong = {
        name: (type(getattr(sample, name)).__name__, hints[name])
        for name in models.TypeSample.model_fields
        if not conforms(getattr(sample, name), hints[name])
    }
    assert not wrong
    assert all(getattr(sample, name) is not None for name in models.TypeSample.model_fields), "every column was set"
    assert sample.c_numeric == decimal.Decimal("12.34")
    assert sample.c_inet == ipaddress.ip_interface("10.0.0.1/8") and sample.c_cidr == ipaddress.ip_network("10.0.0.0/8")
    assert isinstance(sample.c_halfvec, HalfVector) and isinstance(sample.c_sparsevec, SparseVector)
    assert sample.c_colors == [models.Color.RED, models.Color.GREEN] and type(sample.c_colors[0]) is models.Color
    assert sample.c_int_matrix == [[1, 2], [3, 4]]
    # Renamed fields keep their column names as aliases.
    assert sample.from_ == "keyword" and sample.model_config_ == {"pydantic": "reserved"}
    dumped = sample.model_dump(by_alias=True)
    assert dumped["from"] == "keyword" and dumped["model_config"] == {"pydantic": "reserved"}
    await samples.set_sample_names(fixture_conn, from_name=None, date=datetime.date(2030, 1, 1), id=sample_id)
    again = await samples.get_type_sample(fixture_conn, id=sample_id)
    assert again.from_ is None and again.date == datetime.date(2030, 1, 1)


async def test_models_built_from_records_equal_model_construct(
    fixture_conn: asyncpg.Connection, projects: ModuleType, models: ModuleType
) -> None:
    project = await projects.create_project(fixture_conn, name="p", settings={"a": 1})
    constructed = models.Project.model_construct(**project.model_dump())
    assert project == constructed
    for attribute in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"):
        assert getattr(project, attribute) == getattr(constructed, attribute)
    # They behave as any model: copy with changes, assignment, validation, JSON.
    renamed = project.model_copy(update={"name": "q"})
    assert renamed.name == "q" and project.name == "p"
    project.name = "r"
    assert project.model_fields_set == set(models.Project.model_fields)
    assert models.Project.model_validate(project.model_dump()) == project
    assert models.Project.model_validate_json(project.model_dump_json()) == project


async def test_functions_accept_a_pool_connection(
    fixture_url: str, golden: ModuleType, projects: ModuleType, audit: ModuleType
) -> None:
    async with asyncpg.create_pool(fixture_url, min_size=1, max_size=1, init=golden.init_connection) as pool:
        async with pool.acquire() as conn:
            assert await projects.count_projects(conn) == 0
            assert await audit.list_event_details(conn) == []


async def test_init_connection_works_without_the_vector_extension(
    new_database: str, golden: ModuleType, models: ModuleType
) -> None:
    conn = await asyncpg.connect(new_database)
    try:
        await conn.execute("CREATE TYPE task_status AS ENUM ('pending'); CREATE TYPE color AS ENUM ('red')")
        await golden.init_connection(conn)
        assert await conn.fetchval("SELECT $1::jsonb", {"still": ["json"]}) == {"still": ["json"]}
        assert await conn.fetchval("SELECT 'red'::color") is models.Color.RED
    finally:
        await conn.close()


async def test_an_enum_value_unknown_to_the_code_fails_clearly(new_database: str, golden: ModuleType) -> None:
    conn = await asyncpg.connect(new_database)
    try:
        await conn.execute("CREATE TYPE task_status AS ENUM ('pending', 'added_later'); CREATE TYPE color AS ENUM ('red')")
        await golden.init_connection(conn)
        with pytest.raises(ValueError, match="'added_later' is not a value of TaskStatus"):
            await conn.fetchval("SELECT 'added_later'::task_status")
    finally:
        await conn.close()
