"""PostgreSQL type names, in every spelling sqlc reports, mapped to Python types."""

from __future__ import annotations

import pytest

from codegen.protocol import Column, Identifier, TypeName
from codegen.types import DATETIME, INET, INT, JSON, STR, UUID, VECTOR, PyType, Ref, TypeMap, UnsupportedType, normalize

TYPEMAP = TypeMap({Identifier("public", "org_role"): "OrgRole", Identifier("audit", "level"): "AuditLevel"})


def column(type_name: str, schema: str = "", *, not_null: bool = True, dims: int = 0) -> Column:
    return Column(name="c", type=TypeName(schema=schema, name=type_name), not_null=not_null, array_dims=dims)


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (["int2", "smallint", "pg_catalog.int2", "smallserial"], "int2"),
        (["int4", "integer", "int", "serial", "pg_catalog.int4", "INTEGER"], "int4"),
        (["int8", "bigint", "bigserial", "pg_catalog.int8"], "int8"),
        (["float4", "real"], "float4"),
        (["float8", "double precision", "pg_catalog.float8"], "float8"),
        (["bool", "boolean", "pg_catalog.bool"], "bool"),
        (["varchar", "character varying", "pg_catalog.varchar", "varchar(20)"], "varchar"),
        (["bpchar", "character", "char(4)"], "bpchar"),
        (["timestamptz", "timestamp with time zone", "pg_catalog.timestamptz"], "timestamptz"),
        (["timestamp", "timestamp without time zone"], "timestamp"),
        (["timetz", "time with time zone"], "timetz"),
        (["time", "time without time zone"], "time"),
        (["numeric", "decimal", "numeric(12, 2)", "pg_catalog.numeric"], "numeric"),
    ],
)
def test_every_spelling_normalizes_to_one_name(spellings: list[str], canonical: str) -> None:
    for spelling in spellings:
        assert normalize("", spelling) == ("", canonical, 0), spelling
    assert normalize("pg_catalog", spellings[0]) == ("", canonical, 0)


@pytest.mark.parametrize(
    ("type_name", "schema", "expected"),
    [
        ("uuid", "", (UUID,)),
        ("text", "", (STR,)),
        ("citext", "", (STR,)),
        ("xml", "", (STR,)),
        ("tsvector", "", (STR,)),
        ("jsonb", "", (JSON,)),
        ("json", "", (JSON,)),
        ("interval", "pg_catalog", (Ref("datetime", "timedelta"),)),
        ("numeric", "pg_catalog", (Ref("decimal", "Decimal"),)),
        ("bytea", "", (Ref("", "bytes"),)),
        ("date", "", (Ref("datetime", "date"),)),
        ("timestamptz", "", (DATETIME,)),
        ("inet", "", INET),
        ("vector", "", (VECTOR,)),
        ("public.vector", "", (VECTOR,)),
        ("halfvec", "", (Ref("pgvector", "HalfVector"),)),
        ("sparsevec", "", (Ref("pgvector", "SparseVector"),)),
        ("oid", "", (INT,)),
        ("org_role", "", (Ref(".models", "OrgRole"),)),
        ("org_role", "public", (Ref(".models", "OrgRole"),)),
        ("public.org_role", "", (Ref(".models", "OrgRole"),)),
        ("level", "audit", (Ref(".models", "AuditLevel"),)),
        ("level", "", (Ref(".models", "AuditLevel"),)),  # unique across schemas
    ],
)
def test_types_map_to_what_asyncpg_returns(type_name: str, schema: str, expected: tuple[Ref, ...]) -> None:
    assert TYPEMAP.python_type(column(type_name, schema)).alternatives == expected


def test_nullability_follows_not_null() -> None:
    assert TYPEMAP.python_type(column("text", not_null=False)) == PyType((STR,), nullable=True)
    assert TYPEMAP.python_type(column("text")) == PyType((STR,), nullable=False)


@pytest.mark.parametrize(
    ("type_name", "dims", "expected_dims", "expected"),
    [
        ("text", 1, 1, (STR,)),
        ("_text", 0, 1, (STR,)),
        ("_text", 1, 1, (STR,)),
        ("text[]", 0, 1, (STR,)),
        ("integer", 2, 2, (INT,)),
        ("_int4", 0, 1, (INT,)),
        ("org_role", 1, 1, (Ref(".models", "OrgRole"),)),
        ("_org_role", 0, 1, (Ref(".models", "OrgRole"),)),
    ],
)
def test_arrays_become_lists(type_name: str, dims: int, expected_dims: int, expected: tuple[Ref, ...]) -> None:
    mapped = TYPEMAP.python_type(column(type_name, dims=dims))
    assert (mapped.alternatives, mapped.array_dims) == (expected, expected_dims)


def test_is_array_without_dims_counts_as_one_dimension() -> None:
    parsed = Column.parse({"name": "tags", "type": {"name": "text"}, "is_array": True, "array_dims": 0, "not_null": True})
    assert TYPEMAP.python_type(parsed).array_dims == 1


@pytest.mark.parametrize(
    ("type_name", "hint"),
    [
        ("record", "select the function's columns explicitly"),
        ("any", "add a cast"),
        ("void", "run the query as :exec"),
        ("int4range", "cast it to a supported type"),
        ("unknown_enum", "cast it to a supported type"),
    ],
)
def test_types_without_a_python_type_are_refused_with_a_hint(type_name: str, hint: str) -> None:
    with pytest.raises(UnsupportedType) as caught:
        TYPEMAP.python_type(column(type_name))
    assert type_name in str(caught.value) and hint in str(caught.value)


def test_vectors_need_arbitrary_types_in_pydantic() -> None:
    assert TYPEMAP.python_type(column("vector")).arbitrary
    assert not TYPEMAP.python_type(column("jsonb")).arbitrary
