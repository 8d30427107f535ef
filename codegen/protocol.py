"""sqlc's process-plugin protocol with `format: json`.

sqlc runs the plugin as `<cmd> /plugin.CodegenService/Generate`, writes a
GenerateRequest as JSON to its stdin and reads a GenerateResponse from its
stdout: `{"files": [{"name": ..., "contents": <base64>}]}`. The request's field
names are those of sqlc's protos/plugin/codegen.proto (snake_case). This module
turns the parts the plugin uses into plain dataclasses.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

# Schemas that belong to PostgreSQL itself: no models are generated for them.
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_temp", "pg_toast"})
DEFAULT_SCHEMA = "public"


class GenerateError(Exception):
    """A problem in the schema or queries that the user must fix; reported by sqlc."""


@dataclass(frozen=True)
class Identifier:
    """A schema-qualified name; an empty schema means the default one (public)."""

    schema: str
    name: str

    @classmethod
    def parse(cls, data: dict[str, Any] | None) -> Identifier | None:
        if not data or not data.get("name"):
            return None
        return cls(schema=data.get("schema") or DEFAULT_SCHEMA, name=data["name"])

    def __str__(self) -> str:
        return self.name if self.schema == DEFAULT_SCHEMA else f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class TypeName:
    """A column's type as sqlc reports it (not normalized: 'pg_catalog.int4', 'double precision')."""

    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True)
class Column:
    name: str
    type: TypeName
    not_null: bool
    array_dims: int
    comment: str = ""
    table: Identifier | None = None
    original_name: str = ""  # the table column's name, for `SELECT u.id AS user_id`
    embed_table: Identifier | None = None

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Column:
        type_data = data.get("type") or {}
        dims = int(data.get("array_dims") or 0)
        if data.get("is_array") and dims == 0:
            dims = 1
        return cls(
            name=data.get("name") or "",
            type=TypeName(schema=type_data.get("schema") or "", name=type_data.get("name") or ""),
            not_null=bool(data.get("not_null")),
            array_dims=dims,
            comment=data.get("comment") or "",
            table=Identifier.parse(data.get("table")),
            original_name=data.get("original_name") or "",
            embed_table=Identifier.parse(data.get("embed_table")),
        )


@dataclass(frozen=True)
class Table:
    id: Identifier
    columns: tuple[Column, ...]
    comment: str = ""


@dataclass(frozen=True)
class Enum:
    id: Identifier
    values: tuple[str, ...]
    comment: str = ""


@dataclass(frozen=True)
class Catalog:
    tables: tuple[Table, ...]
    enums: tuple[Enum, ...]

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Catalog:
        tables: list[Table] = []
        enums: list[Enum] = []
        for schema in data.get("schemas") or []:
            schema_name = schema.get("name") or DEFAULT_SCHEMA
            if schema_name in SYSTEM_SCHEMAS:
                continue
            for t in schema.get("tables") or []:
                rel = t.get("rel") or {}
                tables.append(
                    Table(
                        id=Identifier(schema=rel.get("schema") or schema_name, name=rel["name"]),
                        columns=tuple(Column.parse(c) for c in t.get("columns") or []),
                        comment=t.get("comment") or "",
                    )
                )
            for e in schema.get("enums") or []:
                enums.append(
                    Enum(
                        id=Identifier(schema=schema_name, name=e["name"]),
                        values=tuple(e.get("vals") or []),
                        comment=e.get("comment") or "",
                    )
                )
        return cls(tables=tuple(tables), enums=tuple(enums))


@dataclass(frozen=True)
class Param:
    number: int
    column: Column


@dataclass(frozen=True)
class Query:
    name: str
    cmd: str
    text: str
    filename: str
    columns: tuple[Column, ...]
    params: tuple[Param, ...]
    comments: tuple[str, ...]
    insert_into_table: Identifier | None = None

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Query:
        params = [Param(number=int(p["number"]), column=Column.parse(p.get("column") or {})) for p in data.get("params") or []]
        return cls(
            name=data["name"],
            cmd=data["cmd"],
            text=data["text"],
            filename=data.get("filename") or "",
            columns=tuple(Column.parse(c) for c in data.get("columns") or []),
            params=tuple(sorted(params, key=lambda p: p.number)),
            comments=tuple(data.get("comments") or []),
            insert_into_table=Identifier.parse(data.get("insert_into_table")),
        )

    @property
    def docstring(self) -> str:
        """The `--` comment lines under `-- name:`, each without its leading space."""
        lines = [c[1:] if c.startswith(" ") else c for c in self.comments]
        return "\n".join(lines).strip()


@dataclass(frozen=True)
class Options:
    """The plugin's `options:` in sqlc.yaml."""

    package: str = "gen"

    @classmethod
    def parse(cls, raw: str) -> Options:
        data = json.loads(base64.b64decode(raw)) if raw else {}
        if not isinstance(data, dict):
            raise GenerateError(f"plugin options must be a mapping, got {data!r}")
        unknown = sorted(set(data) - {"package"})
        if unknown:
            raise GenerateError(f"unknown plugin option(s) {', '.join(unknown)}; the only option is `package`")
        package = data.get("package", cls.package)
        if not isinstance(package, str) or not package.isidentifier():
            raise GenerateError(f"plugin option `package` must be a Python package name, got {package!r}")
        return cls(package=package)


@dataclass(frozen=True)
class Request:
    sqlc_version: str
    catalog: Catalog
    queries: tuple[Query, ...]
    options: Options
    schema_paths: tuple[str, ...] = ()
    query_paths: tuple[str, ...] = ()

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Request:
        settings = data.get("settings") or {}
        return cls(
            sqlc_version=data.get("sqlc_version") or "unknown",
            catalog=Catalog.parse(data.get("catalog") or {}),
            queries=tuple(Query.parse(q) for q in data.get("queries") or []),
            options=Options.parse(data.get("plugin_options") or ""),
            schema_paths=tuple(settings.get("schema") or []),
            query_paths=tuple(settings.get("queries") or []),
        )


@dataclass
class Response:
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "files": [
                    {"name": name, "contents": base64.b64encode(text.encode()).decode()}
                    for name, text in sorted(self.files.items())
                ]
            }
        )
