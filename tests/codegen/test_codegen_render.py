"""The plugin on hand-made requests: error messages, naming corner cases, the protocol."""

from __future__ import annotations

import ast
import base64
import io
import json
from typing import Any

import pytest

from codegen import pysource
from codegen.__main__ import METHOD, main
from codegen.protocol import GenerateError, Request
from codegen.render import generate


def col(name: str, type_name: str, *, not_null: bool = True, table: str | None = None, dims: int = 0, schema: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "type": {"schema": schema, "name": type_name},
        "not_null": not_null,
        "is_array": dims > 0,
        "array_dims": dims,
        "table": {"schema": "", "name": table} if table else None,
        "comment": "",
    }


def query(name: str, cmd: str, columns: list[dict[str, Any]] = (), params: list[dict[str, Any]] = (), filename: str = "things.sql", **extra: Any) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "name": name,
        "cmd": cmd,
        "text": "SELECT 1",
        "filename": filename,
        "columns": list(columns),
        "params": [{"number": i + 1, "column": p} for i, p in enumerate(params)],
        "comments": [],
        **extra,
    }


THINGS = {
    "rel": {"schema": "", "name": "things"},
    "comment": "",
    "columns": [col("id", "uuid", table="things"), col("name", "text", table="things")],
}


def request(queries: list[dict[str, Any]], tables: list[dict[str, Any]] = (), enums: list[dict[str, Any]] = (), schemas: list[dict[str, Any]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "settings": {"schema": ["db/schema"], "queries": ["db/queries"]},
        "sqlc_version": "v1.31.1",
        "plugin_options": base64.b64encode(b'{"package": "gen"}').decode(),
        "catalog": {
            "schemas": [
                {"name": "public", "tables": [THINGS, *tables], "enums": list(enums)},
                {"name": "pg_catalog", "tables": [{"rel": {"name": "pg_class"}, "columns": [col("oid", "oid")]}]},
                *schemas,
            ]
        },
        "queries": queries,
    }


def run(data: dict[str, Any]) -> dict[str, str]:
    return generate(Request.parse(data))


def errors_of(data: dict[str, Any]) -> str:
    with pytest.raises(GenerateError) as caught:
        run(data)
    return str(caught.value)


def test_a_record_column_fails_naming_file_query_and_column() -> None:
    message = errors_of(request([query("GetCounts", ":many", [col("id", "uuid"), col("counts", "record")])]))
    assert message.startswith("db/queries/things.sql: query GetCounts: column counts: type record has no Python type")
    assert "SELECT a, b FROM fn.f(...)" in message


def test_an_any_parameter_fails_suggesting_a_cast() -> None:
    message = errors_of(request([query("Nearest", ":many", [col("id", "uuid")], params=[col("embedding", "any")])]))
    assert "query Nearest: parameter embedding: type any has no Python type: add a cast" in message


def test_every_problem_is_reported_at_once() -> None:
    message = errors_of(
        request(
            [
                query("A", ":one", [col("x", "record")]),
                query("B", ":batchexec"),
                query("C", ":one", filename="other.sql"),
            ]
        )
    )
    lines = message.splitlines()
    assert len(lines) == 3
    assert "query A: column x" in lines[1] or "query A: column x" in lines[0]
    assert any("query B: :batchexec is not supported" in line for line in lines)
    assert any("db/queries/other.sql: query C: the query returns no columns; mark it :exec" in line for line in lines)


def test_a_table_with_an_unsupported_column_fails_naming_it() -> None:
    table = {"rel": {"name": "spans"}, "comment": "", "columns": [col("during", "tstzrange", table="spans")]}
    assert "table spans, column during: type tstzrange has no Python type" in errors_of(request([], tables=[table]))


def test_a_query_file_named_models_is_refused() -> None:
    message = errors_of(request([query("GetThing", ":one", THINGS["columns"], filename="models.sql")]))
    assert "db/queries/models.sql: its module models.py would clash" in message


def test_tables_outside_public_get_their_schema_as_prefix() -> None:
    audit = {"name": "audit", "tables": [{"rel": {"schema": "audit", "name": "events"}, "columns": [col("id", "int8")]}], "enums": [{"name": "level", "vals": ["info"]}]}
    models = run(request([], schemas=[audit]))["models.py"]
    assert "class AuditEvent(BaseModel):" in models and "class AuditLevel(StrEnum):" in models
    assert "PgClass" not in models


def test_a_table_named_like_an_enum_keeps_its_plural_name() -> None:
    statuses = {"rel": {"name": "task_statuses"}, "columns": [col("status", "task_status")]}
    models = run(request([], tables=[statuses], enums=[{"name": "task_status", "vals": ["open"]}]))["models.py"]
    assert "class TaskStatus(StrEnum):" in models and "class TaskStatuses(BaseModel):" in models


def test_a_field_named_like_a_type_does_not_shadow_it() -> None:
    events = {"rel": {"name": "events"}, "columns": [col("date", "date"), col("at", "timestamptz"), col("time", "time")]}
    models = run(request([], tables=[events]))["models.py"]
    assert "import datetime as _datetime\nfrom datetime import datetime\n" in models
    assert "    date: _datetime.date\n    at: datetime\n    time: _datetime.time\n" in models
    ast.parse(models)


def test_parameters_keep_their_names_unless_python_reserves_them() -> None:
    q = query(
        "SetThing",
        ":execrows",
        params=[col("from", "text"), col("conn", "text"), col("status", "text"), col("name", "text"), col("name", "text", not_null=False)],
    )
    module = run(request([q]))["things.py"]
    assert "async def set_thing(conn: Connection, *, from_: str, conn_: str, status: str, name: str, name_2: str | None) -> int:" in module
    assert "    tag = await conn.execute(SET_THING, from_, conn_, status, name, name_2)\n    return int(tag.split()[-1])\n" in module


def test_results_reuse_table_models_only_for_exactly_their_columns() -> None:
    exact = query("GetThing", ":one", THINGS["columns"])
    nullable = query("GetMaybeThing", ":one", [col("id", "uuid", table="things"), col("name", "text", table="things", not_null=False)])
    single = query("GetThingName", ":one", [col("name", "text", table="things")])
    module = run(request([exact, nullable, single]))["things.py"]
    assert "-> Thing | None:" in module and "class GetThingRow" not in module
    assert "class GetMaybeThingRow(BaseModel):" in module
    assert "async def get_thing_name(conn: Connection) -> str | None:" in module


def test_queries_returning_the_same_columns_share_one_row_model() -> None:
    columns = [col("id", "uuid", table="things"), col("label", "text")]
    other = [col("id", "uuid", table="things"), col("label", "text", not_null=False)]  # nullability differs
    module = run(request([query("AddLabel", ":one", columns), query("ListLabels", ":many", columns), query("GetLabel", ":one", other)]))[
        "things.py"
    ]
    assert module.count("class AddLabelRow(BaseModel):") == 1
    assert '"""A row of add_label, list_labels."""' in module
    assert "ListLabelsRow = AddLabelRow" in module and "class ListLabelsRow" not in module
    assert "class GetLabelRow(BaseModel):" in module
    assert "async def list_labels(conn: Connection) -> list[ListLabelsRow]:" in module
    namespace: dict[str, Any] = {}
    exec(compile(module.replace("from . import", "from gen import").replace("from .models import", "from gen.models import"), "things.py", "exec"), namespace)
    assert namespace["ListLabelsRow"] is namespace["AddLabelRow"]
    assert "ListLabelsRow" in namespace["__all__"]


def test_output_is_deterministic() -> None:
    data = request([query("GetThing", ":one", THINGS["columns"]), query("ListNames", ":many", [col("name", "text")])])
    assert run(data) == run(json.loads(json.dumps(data)))


def test_unknown_plugin_options_are_refused() -> None:
    data = request([])
    data["plugin_options"] = base64.b64encode(b'{"pakage": "gen"}').decode()
    assert "unknown plugin option(s) pakage" in errors_of(data)


@pytest.mark.parametrize("text", ["SELECT '\\d+'", 'SELECT \'"""\'', "SELECT 'a'\n  AND b", 'SELECT "x"', "SELECT '\\'"])
def test_sql_literals_hold_the_text_exactly(text: str) -> None:
    assert ast.literal_eval(pysource.block_string(text)) == text + "\n"


@pytest.mark.parametrize("text", ['He said "hi"', "a\\b", 'x """ y', "line one\nline two", "word " * 40])
def test_docstrings_hold_the_text(text: str) -> None:
    lines = pysource.docstring(text, "")
    parsed = ast.literal_eval("\n".join(lines))
    assert " ".join(parsed.split()) == " ".join(text.split())
    assert all(len(line) <= pysource.LINE_LENGTH for line in lines)


@pytest.mark.parametrize("value", ["short", "word " * 60, 'quote "me" ' * 30, " leading and trailing " * 10])
def test_long_strings_wrap_into_pieces_that_add_up(value: str) -> None:
    literal = pysource.wrapped_string(value, " " * 8, "description=")
    assert ast.literal_eval(literal) == value
    assert all(len(line) <= pysource.LINE_LENGTH for line in literal.splitlines())


def test_an_unbreakable_string_stays_whole() -> None:
    assert ast.literal_eval(pysource.wrapped_string("x" * 200, "    ")) == "x" * 200


def test_main_speaks_the_process_plugin_protocol(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(request([query("GetThing", ":one", THINGS["columns"])]))))
    assert main(["sqlc-gen-asyncpg", METHOD]) == 0
    response = json.loads(capsys.readouterr().out)
    names = [f["name"] for f in response["files"]]
    assert names == ["__init__.py", "models.py", "things.py"]
    things = base64.b64decode(response["files"][2]["contents"]).decode()
    assert things.startswith("# Code generated by sqlc (plugin codegen/, sqlc v1.31.1). DO NOT EDIT.\n# source: db/queries/things.sql\n")


def test_main_reports_problems_on_stderr_and_fails(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(request([query("Bad", ":one", [col("x", "void")])]))))
    assert main(["sqlc-gen-asyncpg", METHOD]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "query Bad: column x: type void has no Python type: a function returning void has no value" in captured.err
    assert main(["sqlc-gen-asyncpg"]) == 2
