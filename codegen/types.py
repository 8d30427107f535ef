"""PostgreSQL types -> the Python types asyncpg returns for them (with the codecs of gen/__init__.py).

sqlc reports a column's type as it found it, not normalized: `int4`, `integer`,
`pg_catalog.int4`, `double precision`, `timestamp with time zone`, `_text` (the
catalog's array type), an enum as `org_role` or `public.org_role`. `normalize`
reduces every spelling to one canonical name; `python_type` maps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codegen.protocol import DEFAULT_SCHEMA, Column, Identifier


@dataclass(frozen=True, order=True)
class Ref:
    """A named Python type: `module` is "" for builtins, ".models" for the generated enums."""

    module: str
    name: str


@dataclass(frozen=True)
class PyType:
    """A column's Python type: one of `alternatives`, in `array_dims` nested lists, maybe None."""

    alternatives: tuple[Ref, ...]
    array_dims: int = 0
    nullable: bool = False

    @property
    def arbitrary(self) -> bool:
        """Whether pydantic needs `arbitrary_types_allowed` for it (no schema of its own)."""
        return any(ref in ARBITRARY for ref in self.alternatives)


def _ref(qualified: str) -> Ref:
    module, _, name = qualified.rpartition(".")
    return Ref(module, name)


BOOL = _ref("bool")
INT = _ref("int")
FLOAT = _ref("float")
STR = _ref("str")
BYTES = _ref("bytes")
DECIMAL = _ref("decimal.Decimal")
UUID = _ref("uuid.UUID")
DATE = _ref("datetime.date")
TIME = _ref("datetime.time")
DATETIME = _ref("datetime.datetime")
TIMEDELTA = _ref("datetime.timedelta")
JSON = _ref("pydantic.JsonValue")
VECTOR = _ref("pgvector.Vector")
HALFVEC = _ref("pgvector.HalfVector")
SPARSEVEC = _ref("pgvector.SparseVector")
INET = tuple(_ref(f"ipaddress.{n}") for n in ("IPv4Address", "IPv6Address", "IPv4Interface", "IPv6Interface"))
CIDR = tuple(_ref(f"ipaddress.{n}") for n in ("IPv4Network", "IPv6Network"))

ARBITRARY = frozenset({VECTOR, HALFVEC, SPARSEVEC})

# Canonical name -> Python type(s). The canonical names are PostgreSQL's internal
# type names (pg_type.typname), which `ALIASES` maps the SQL spellings onto.
TYPES: dict[str, tuple[Ref, ...]] = {
    "bool": (BOOL,),
    "int2": (INT,),
    "int4": (INT,),
    "int8": (INT,),
    "oid": (INT,),
    "float4": (FLOAT,),
    "float8": (FLOAT,),
    "numeric": (DECIMAL,),
    "money": (STR,),
    "text": (STR,),
    "varchar": (STR,),
    "bpchar": (STR,),
    "name": (STR,),
    "citext": (STR,),
    "xml": (STR,),
    "tsvector": (STR,),
    "tsquery": (STR,),
    "macaddr": (STR,),
    "macaddr8": (STR,),
    "regclass": (STR,),
    "regconfig": (STR,),
    "regnamespace": (STR,),
    "regproc": (STR,),
    "regrole": (STR,),
    "regtype": (STR,),
    "bytea": (BYTES,),
    "uuid": (UUID,),
    "date": (DATE,),
    "time": (TIME,),
    "timetz": (TIME,),
    "timestamp": (DATETIME,),
    "timestamptz": (DATETIME,),
    "interval": (TIMEDELTA,),
    "json": (JSON,),
    "jsonb": (JSON,),
    "inet": INET,
    "cidr": CIDR,
    "vector": (VECTOR,),
    "halfvec": (HALFVEC,),
    "sparsevec": (SPARSEVEC,),
}

ALIASES = {
    "smallint": "int2",
    "smallserial": "int2",
    "serial2": "int2",
    "integer": "int4",
    "int": "int4",
    "serial": "int4",
    "serial4": "int4",
    "bigint": "int8",
    "bigserial": "int8",
    "serial8": "int8",
    "real": "float4",
    "double precision": "float8",
    "float": "float8",
    "boolean": "bool",
    "decimal": "numeric",
    "character varying": "varchar",
    "character": "bpchar",
    "char": "bpchar",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "time with time zone": "timetz",
    "time without time zone": "time",
}

# Types with no value a Python type could describe, and what to do instead.
HINTS = {
    "record": (
        "select the function's columns explicitly, `SELECT a, b FROM fn.f(...)` instead of "
        "`SELECT fn.f(...)` or `SELECT *` from a function returning a record or SETOF record"
    ),
    "any": "add a cast so PostgreSQL knows the type, e.g. `(embedding <=> $1)::float8` or `sqlc.arg(x)::text`",
    "anyelement": "add a cast to a concrete type, e.g. `coalesce(a, b)::text`",
    "unknown": "add a cast so PostgreSQL knows the type, e.g. `'literal'::text` or `sqlc.arg(x)::text`",
    "void": "a function returning void has no value: run the query as :exec",
    "trigger": "a trigger function cannot be called from a query",
}

_MODIFIERS = re.compile(r"\s*\(.*\)\s*")


@dataclass(frozen=True)
class UnsupportedType(Exception):
    """A column whose type has no Python mapping; `hint` says how to fix the SQL."""

    type_name: str
    hint: str

    def __str__(self) -> str:
        return f"type {self.type_name} has no Python type: {self.hint}"


def normalize(schema: str, name: str) -> tuple[str, str, int]:
    """(schema, name, array dims) of a type as sqlc spells it, without pg_catalog.

    A schema written into the name (`pg_catalog.int4`) is split off, type
    modifiers (`varchar(20)`) are dropped, and a trailing `[]` counts as an
    array dimension. Built-in names are made canonical (`integer` -> `int4`);
    other names (enums) keep their spelling.
    """
    name = name.strip()
    dims = 0
    while name.endswith("[]"):
        name, dims = name[:-2].rstrip(), dims + 1
    if "." in name and not schema:
        schema, _, name = name.rpartition(".")
    schema, name = schema.strip('"'), _MODIFIERS.sub("", name).strip('"')
    if schema == "pg_catalog":
        schema = ""
    canonical = ALIASES.get(name.lower(), name.lower())
    if canonical in TYPES:
        name = canonical
    return schema, name, dims


class TypeMap:
    """Resolves column types against the built-in mapping and the schema's enums."""

    def __init__(self, enum_classes: dict[Identifier, str]) -> None:
        self._enums = dict(enum_classes)

    def _enum(self, schema: str, name: str) -> str | None:
        if schema:
            return self._enums.get(Identifier(schema, name))
        found = self._enums.get(Identifier(DEFAULT_SCHEMA, name))
        if found:
            return found
        # sqlc may leave out the schema of an enum outside public; take a unique match.
        matches = sorted(cls for ident, cls in self._enums.items() if ident.name == name)
        return matches[0] if len(matches) == 1 else None

    def _scalar(self, schema: str, name: str) -> tuple[Ref, ...] | None:
        enum_class = self._enum(schema, name)
        if enum_class is not None:
            return (Ref(".models", enum_class),)
        return TYPES.get(name)

    def python_type(self, column: Column) -> PyType:
        """The Python type of a column; raises UnsupportedType when there is none."""
        schema, name, extra_dims = normalize(column.type.schema, column.type.name)
        dims = column.array_dims + extra_dims
        alternatives = self._scalar(schema, name)
        if alternatives is None and name.startswith("_"):
            # The catalog's name of an array type: _text is text[].
            _, element, _ = normalize(schema, name[1:])
            alternatives = self._scalar(schema, element)
            dims = max(dims, 1)
        if alternatives is None:
            shown = f"{schema}.{name}" if schema else name
            if name in HINTS:
                raise UnsupportedType(shown, HINTS[name])
            raise UnsupportedType(
                shown,
                "cast it to a supported type in the query (for example `::text` or `::jsonb`); "
                f"supported: {', '.join(sorted(TYPES))} and the schema's enums",
            )
        return PyType(alternatives=alternatives, array_dims=dims, nullable=not column.not_null)
