"""Lint the SQL in db/schema/ and db/functions/ against the house rules.

    python -m tools.sqllint [--migrations DIR] [--functions DIR]

Every dbmate migration in db/schema/ (in filename order) and every file in
db/functions/ is parsed with pglast (libpg_query, PostgreSQL's own parser). The
`-- migrate:up` sections, then the functions files, are replayed into a model of
the final schema: tables and their columns, foreign keys, indexes (PRIMARY KEY,
UNIQUE and EXCLUDE constraints included), row level security flags, policies and
functions. The rules run over that model, so an index, a FORCE or a policy added
by a later migration counts. Statements inside DO blocks and function bodies are
not analysed; statements on objects the model does not know are skipped.

Rules (`python -m tools.sqllint --help` lists them from the registry):

  rls-forced      a table with an organization_id column has ROW LEVEL SECURITY
                  enabled and forced and at least one policy.
  fk-index        every foreign key's columns, in any order, are the leading
                  columns of a btree/hash/GiST index on its table. An expression
                  index does not count; a partial one counts only when its WHERE is
                  `<fk column> IS NOT NULL`.
  policy-index    every column a policy's USING clause compares with `=` to a
                  non-literal (the current org, the current user...) can be found
                  through an index. WITH CHECK needs none: it tests the new row.
  security-definer-search-path
                  a SECURITY DEFINER function has SET search_path = ''.
  down-section    a migration has a non-empty `-- migrate:up` section followed by
                  a `-- migrate:down` section with at least one statement
                  (comments alone are not a rollback), and no SQL before the up marker.
  parse-error     a section PostgreSQL's parser rejects (reported, never raised).

Findings print as `path:line: rule-id message`, sorted, then a one-line summary.
Exit status: 0 when clean, 1 with findings, 2 on a usage error.

Suppressing a finding: put `-- sqllint: ignore <rule-id>[, <rule-id>...] [-- why]`
on the line the finding names, on the first line of its statement, or in the
comment lines directly above either. The rule must be named: there is no
blanket ignore.

Adding a rule: write a function from `Model` to `Finding`s and decorate it with
`@rule("rule-id", "one-line summary")`. If it needs something the model lacks,
record it in the `Replayer` handler of the statement that creates it.
"""

from __future__ import annotations

import argparse
import bisect
import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import pglast
from pglast import ast, enums

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = ROOT / "db" / "schema"
FUNCTIONS_DIR = ROOT / "db" / "functions"

DEFAULT_SCHEMA = "public"
NAMEDATALEN = 64  # PostgreSQL identifiers are at most NAMEDATALEN - 1 bytes
# Access methods whose indexes serve the `fk = $1` lookups of foreign key checks.
EQUALITY_METHODS = frozenset({"btree", "hash", "gist"})

UP_MARKER = re.compile(r"^--\s*migrate:up\b.*$", re.MULTILINE)
DOWN_MARKER = re.compile(r"^--\s*migrate:down\b.*$", re.MULTILINE)
SUPPRESSION = re.compile(r"--\s*sqllint:\s*ignore\b(?P<rules>.*)$")

QName = tuple[str, str]  # (schema, name)


def display(name: QName) -> str:
    return f"{name[0]}.{name[1]}"


# ---------------------------------------------------------------------------
# Source files, sections, findings


@dataclass
class SourceFile:
    path: Path
    text: str
    line_starts: list[int] = field(init=False)
    lines: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.line_starts = [0, *(i + 1 for i, ch in enumerate(self.text) if ch == "\n")]
        self.lines = self.text.split("\n")

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        return cls(path, path.read_text(encoding="utf-8"))

    def line_of(self, offset: int) -> int:
        """1-based line of a character offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def suppressed_rules(self, line: int) -> set[str]:
        if not 1 <= line <= len(self.lines):
            return set()
        match = SUPPRESSION.search(self.lines[line - 1])
        if match is None:
            return set()
        return set(re.findall(r"[\w-]+", match["rules"].split("--")[0]))

    def is_comment_line(self, line: int) -> bool:
        return 1 <= line <= len(self.lines) and self.lines[line - 1].lstrip().startswith("--")


@dataclass
class Section:
    """A run of SQL parsed on its own: a migration's up or down part, or a functions file."""

    file: SourceFile
    kind: str  # "up", "down" or "functions"
    start: int  # character offsets into file.text
    end: int
    statements: tuple[ast.RawStmt, ...] | None = None  # None when it does not parse

    @property
    def text(self) -> str:
        return self.file.text[self.start : self.end]


@dataclass(frozen=True)
class Origin:
    """Where a model object was defined: the line to report and its statement's first line."""

    path: Path
    line: int
    statement_line: int


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    rule: str
    message: str
    statement_line: int | None = None  # a second line whose suppression comments apply

    @classmethod
    def at(cls, origin: Origin, rule: str, message: str) -> Finding:
        return cls(origin.path, origin.line, rule, message, origin.statement_line)

    def render(self, cwd: Path) -> str:
        return f"{relative(self.path, cwd)}:{self.line}: {self.rule} {self.message}"


def relative(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return str(path)


def skip_trivia(text: str, pos: int) -> int:
    """The offset of the first character at or after pos that is not whitespace or a comment."""
    n = len(text)
    while pos < n:
        if text[pos].isspace():
            pos += 1
        elif text.startswith("--", pos):
            newline = text.find("\n", pos)
            pos = n if newline < 0 else newline + 1
        elif text.startswith("/*", pos):
            depth, pos = 1, pos + 2  # PostgreSQL block comments nest
            while pos < n and depth:
                if text.startswith("/*", pos):
                    depth, pos = depth + 1, pos + 2
                elif text.startswith("*/", pos):
                    depth, pos = depth - 1, pos + 2
                else:
                    pos += 1
        else:
            break
    return pos


# ---------------------------------------------------------------------------
# The schema model


@dataclass
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    references: QName | None
    origin: Origin


@dataclass
class Index:
    name: str
    columns: list[str | None]  # key columns in order; None for an expression
    method: str
    partial: bool
    not_null_columns: frozenset[str] | None  # WHERE is only `col IS NOT NULL [AND ...]` on these
    constraint: bool  # backs a PRIMARY KEY, UNIQUE or EXCLUDE constraint of the same name
    origin: Origin

    def serves_equality(self, columns: Collection[str]) -> bool:
        """Whether `col1 = $1 AND col2 = $2 ...` on exactly these columns can use this index."""
        wanted = set(columns)
        leading = self.columns[: len(wanted)]
        if self.method not in EQUALITY_METHODS or len(leading) < len(wanted) or set(leading) != wanted:
            return False
        return not self.partial or (self.not_null_columns is not None and self.not_null_columns <= wanted)


@dataclass
class Policy:
    name: str
    filter_columns: set[str]  # compared with `=` to a non-literal in USING
    origin: Origin


@dataclass
class Table:
    name: QName
    origin: Origin
    columns: list[str] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    policies: dict[str, Policy] = field(default_factory=dict)
    rls_enabled: bool = False
    rls_forced: bool = False

    def index_named(self, name: str) -> Index | None:
        return next((index for index in self.indexes if index.name == name), None)


@dataclass
class Function:
    name: QName
    args: tuple[str, ...]
    security_definer: bool
    search_path: str | None  # the pinned value; None when not pinned
    origin: Origin

    @property
    def signature(self) -> str:
        return f"{display(self.name)}({', '.join(self.args)})"


FunctionKey = tuple[QName, tuple[str, ...]]


@dataclass
class Schema:
    tables: dict[QName, Table] = field(default_factory=dict)
    functions: dict[FunctionKey, Function] = field(default_factory=dict)

    def tables_in(self, schema: str) -> Iterator[Table]:
        return (table for table in self.tables.values() if table.name[0] == schema)

    def find_index(self, name: QName) -> tuple[Table, Index] | None:
        for table in self.tables_in(name[0]):
            index = table.index_named(name[1])
            if index is not None:
                return table, index
        return None

    def relation_names(self, schema: str) -> set[str]:
        """Names taken in a schema's relation namespace (tables and indexes)."""
        return {n for t in self.tables_in(schema) for n in (t.name[1], *(i.name for i in t.indexes))}

    def constraint_names(self, schema: str) -> set[str]:
        return {
            n
            for t in self.tables_in(schema)
            for n in (*(fk.name for fk in t.foreign_keys), *(i.name for i in t.indexes if i.constraint))
        }


@dataclass
class Migration:
    file: SourceFile
    up: Section
    down: Section | None
    up_line: int | None  # line of the marker
    down_line: int | None
    stray_line: int | None  # first line of SQL before the up marker


@dataclass
class Model:
    """What the rules see: the replayed schema and the files it came from."""

    schema: Schema = field(default_factory=Schema)
    migrations: list[Migration] = field(default_factory=list)
    function_files: list[Section] = field(default_factory=list)
    parse_errors: list[Finding] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Helpers over pglast nodes


def strings(items: Iterable[Any] | None) -> list[str]:
    """The values of a list of String nodes (names, column lists)."""
    return [str(item.sval) for item in items or () if isinstance(item, ast.String)]


def qualified(rv: ast.RangeVar) -> QName:
    return (rv.schemaname or DEFAULT_SCHEMA, rv.relname or "")


def qualified_list(parts: Sequence[str]) -> QName:
    return (parts[-2] if len(parts) > 1 else DEFAULT_SCHEMA, parts[-1])


def type_name(node: ast.TypeName | None) -> str:
    if node is None:
        return "?"
    parts = [p for p in strings(node.names) if p not in ("pg_catalog", DEFAULT_SCHEMA)]
    return ".".join(parts) + "[]" * len(node.arrayBounds or ())


INPUT_MODES = {
    enums.FunctionParameterMode.FUNC_PARAM_IN,
    enums.FunctionParameterMode.FUNC_PARAM_INOUT,
    enums.FunctionParameterMode.FUNC_PARAM_VARIADIC,
    enums.FunctionParameterMode.FUNC_PARAM_DEFAULT,
}


def function_args(parameters: Iterable[Any] | None) -> tuple[str, ...]:
    """The input argument types, which with the name identify a function."""
    return tuple(
        type_name(p.argType) for p in parameters or () if isinstance(p, ast.FunctionParameter) and p.mode in INPUT_MODES
    )


def make_object_name(name1: str, name2: str, label: str) -> str:
    """PostgreSQL's makeObjectName: name1_name2_label, shortening the longer part to fit."""
    overhead = (len(label) + 1 if label else 0) + (1 if name2 else 0)
    available = NAMEDATALEN - 1 - overhead
    n1, n2 = len(name1), len(name2)
    while n1 + n2 > available:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    return name1[:n1] + (f"_{name2[:n2]}" if name2 else "") + (f"_{label}" if label else "")


def choose_name(table: str, columns: Sequence[str | None], label: str, taken: Collection[str]) -> str:
    """The name PostgreSQL gives an unnamed index or constraint (ChooseRelationName)."""
    addition = "_".join(c if c is not None else "expr" for c in columns)
    for attempt in count():
        name = make_object_name(table, addition, label if attempt == 0 else f"{label}{attempt}")
        if name not in taken:
            return name
    raise AssertionError("unreachable")


def children(node: ast.Node) -> Iterator[ast.Node]:
    for attribute in node:
        value = getattr(node, attribute)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, ast.Node):
                yield item
            elif isinstance(item, tuple):  # lists of lists, e.g. DropStmt.objects
                yield from (i for i in item if isinstance(i, ast.Node))


def column_of(node: ast.Node | None, table: Table) -> str | None:
    """The table column a ColumnRef names (`col` or `table.col`), if it is one."""
    if not isinstance(node, ast.ColumnRef):
        return None
    parts = [str(f.sval) if isinstance(f, ast.String) else "*" for f in node.fields or ()]
    if not parts or parts[-1] not in table.columns:
        return None
    qualifier = parts[:-1]
    if qualifier and qualifier[-1] != table.name[1]:
        return None
    if len(qualifier) > 1 and qualifier[-2] != table.name[0]:
        return None
    return parts[-1]


def is_literal(node: ast.Node | None) -> bool:
    """A constant, possibly cast: `'public'` or `'public'::visibility`."""
    while isinstance(node, ast.TypeCast):
        node = node.arg
    return isinstance(node, ast.A_Const)


def equality_columns(expression: ast.Node | None, table: Table) -> set[str]:
    """Columns of table compared with `=` to a non-literal, outside sub-queries."""
    found: set[str] = set()
    pending = [expression] if expression is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, ast.SubLink):
            continue  # a sub-query reads other tables (its own indexes are its own business)
        if (
            isinstance(node, ast.A_Expr)
            and node.kind == enums.A_Expr_Kind.AEXPR_OP
            and strings(node.name)[-1:] == ["="]
        ):
            right = node.rexpr if isinstance(node.rexpr, ast.Node) else None
            for side, other in ((node.lexpr, right), (right, node.lexpr)):
                column = column_of(side, table)
                if column and not is_literal(other) and column_of(other, table) is None:
                    found.add(column)
        pending.extend(children(node))
    return found


def not_null_columns(predicate: ast.Node) -> frozenset[str] | None:
    """The columns of a WHERE made only of `col IS NOT NULL` conjuncts; None for any other WHERE."""
    conjuncts: list[Any] = [predicate]
    columns: set[str] = set()
    while conjuncts:
        node = conjuncts.pop()
        if isinstance(node, ast.BoolExpr) and node.boolop == enums.BoolExprType.AND_EXPR:
            conjuncts.extend(node.args or ())
        elif (
            isinstance(node, ast.NullTest)
            and node.nulltesttype == enums.NullTestType.IS_NOT_NULL
            and isinstance(node.arg, ast.ColumnRef)
        ):
            columns.add(strings(node.arg.fields)[-1])
        else:
            return None
    return frozenset(columns)


def index_column(element: ast.IndexElem) -> str | None:
    if element.name:
        return element.name
    # `((col))` is a plain column to PostgreSQL too; anything else is an expression.
    if isinstance(element.expr, ast.ColumnRef):
        names = strings(element.expr.fields)
        return names[-1] if len(names) == 1 else None
    return None


# ---------------------------------------------------------------------------
# Replaying statements into the model


class Replayer:
    """Applies parsed statements to a Schema, the way PostgreSQL would (as far as the rules care)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.section: Section | None = None
        self.statement_offset = 0
        self.handlers: dict[type[ast.Node], Callable[[Any], None]] = {
            ast.CreateStmt: self.create_table,
            ast.AlterTableStmt: self.alter_table,
            ast.IndexStmt: self.create_index,
            ast.DropStmt: self.drop,
            ast.RenameStmt: self.rename,
            ast.AlterObjectSchemaStmt: self.set_schema,
            ast.CreatePolicyStmt: self.create_policy,
            ast.AlterPolicyStmt: self.alter_policy,
            ast.CreateFunctionStmt: self.create_function,
            ast.AlterFunctionStmt: self.alter_function,
        }

    def replay(self, section: Section) -> None:
        self.section = section
        for raw in section.statements or ():
            handler = self.handlers.get(type(raw.stmt)) if raw.stmt is not None else None
            if handler is not None:
                self.statement_offset = skip_trivia(section.text, raw.stmt_location or 0)
                handler(raw.stmt)

    def origin(self, location: int | None = None) -> Origin:
        """Where the current statement is; location (section-relative) picks a line inside it."""
        assert self.section is not None
        file, start = self.section.file, self.section.start
        statement_line = file.line_of(start + self.statement_offset)
        line = file.line_of(start + location) if location is not None and location >= 0 else statement_line
        return Origin(file.path, line, statement_line)

    # -- tables

    def create_table(self, stmt: ast.CreateStmt) -> None:
        if stmt.relation is None or stmt.relation.relpersistence == "t":
            return  # temporary tables do not outlive the migration
        name = qualified(stmt.relation)
        if name in self.schema.tables and stmt.if_not_exists:
            return
        table = Table(name, self.origin(stmt.relation.location))
        self.schema.tables[name] = table
        for parent in stmt.inhRelations or ():  # INHERITS / PARTITION OF: the parent's columns
            if isinstance(parent, ast.RangeVar) and qualified(parent) in self.schema.tables:
                table.columns.extend(self.schema.tables[qualified(parent)].columns)
        for element in (*(stmt.tableElts or ()), *(stmt.constraints or ())):
            if isinstance(element, ast.ColumnDef):
                self.add_column(table, element)
            elif isinstance(element, ast.Constraint):
                self.add_constraint(table, element)
            elif isinstance(element, ast.TableLikeClause) and element.relation is not None:
                source = self.schema.tables.get(qualified(element.relation))
                table.columns.extend(source.columns if source else ())

    def add_column(self, table: Table, column: ast.ColumnDef) -> None:
        name = column.colname or ""
        if name not in table.columns:
            table.columns.append(name)
        for constraint in column.constraints or ():
            if isinstance(constraint, ast.Constraint):
                self.add_constraint(table, constraint, column=name, location=column.location)

    def add_constraint(
        self, table: Table, constraint: ast.Constraint, *, column: str | None = None, location: int | None = None
    ) -> None:
        kind = constraint.contype
        origin = self.origin(location if location is not None else constraint.location)
        if kind == enums.ConstrType.CONSTR_FOREIGN:
            fk_columns = (column,) if column else tuple(strings(constraint.fk_attrs))
            name = constraint.conname or choose_name(
                table.name[1], fk_columns, "fkey", self.schema.constraint_names(table.name[0])
            )
            references = qualified(constraint.pktable) if constraint.pktable is not None else None
            table.foreign_keys.append(ForeignKey(name, fk_columns, references, origin))
            return
        if kind == enums.ConstrType.CONSTR_PRIMARY:
            label, method = "pkey", "btree"
        elif kind == enums.ConstrType.CONSTR_UNIQUE:
            label, method = "key", "btree"
        elif kind == enums.ConstrType.CONSTR_EXCLUSION:
            label, method = "excl", constraint.access_method or "gist"
        else:
            return  # CHECK, NOT NULL, DEFAULT...: no index, no reference
        if constraint.indexname:  # ADD ... USING INDEX: an existing index becomes the constraint's
            index = table.index_named(constraint.indexname)
            if index is not None:
                index.constraint = True
                index.name = constraint.conname or index.name
            return
        if column:
            columns: list[str | None] = [column]
        elif kind == enums.ConstrType.CONSTR_EXCLUSION:
            columns = [
                index_column(pair[0])
                for pair in constraint.exclusions or ()
                if isinstance(pair, tuple) and isinstance(pair[0], ast.IndexElem)
            ]
        else:
            columns = list(strings(constraint.keys))
        if label == "pkey":
            name = constraint.conname or f"{table.name[1]}_pkey"
        else:
            name = constraint.conname or choose_name(
                table.name[1], columns, label, self.schema.relation_names(table.name[0])
            )
        where = constraint.where_clause
        table.indexes.append(
            Index(
                name,
                columns,
                method,
                partial=where is not None,
                not_null_columns=not_null_columns(where) if where is not None else None,
                constraint=True,
                origin=origin,
            )
        )

    def alter_table(self, stmt: ast.AlterTableStmt) -> None:
        if stmt.relation is None or stmt.objtype not in (None, enums.ObjectType.OBJECT_TABLE):
            return
        table = self.schema.tables.get(qualified(stmt.relation))
        if table is None:
            return
        for cmd in stmt.cmds or ():
            if not isinstance(cmd, ast.AlterTableCmd):
                continue
            subtype = cmd.subtype
            if subtype == enums.AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
                if not (cmd.missing_ok and cmd.def_.colname in table.columns):
                    self.add_column(table, cmd.def_)
            elif subtype == enums.AlterTableType.AT_DropColumn and cmd.name:
                self.drop_column(table, cmd.name)
            elif subtype == enums.AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
                self.add_constraint(table, cmd.def_)
            elif subtype == enums.AlterTableType.AT_DropConstraint and cmd.name:
                table.foreign_keys = [fk for fk in table.foreign_keys if fk.name != cmd.name]
                table.indexes = [i for i in table.indexes if not (i.constraint and i.name == cmd.name)]
            elif subtype == enums.AlterTableType.AT_EnableRowSecurity:
                table.rls_enabled = True
            elif subtype == enums.AlterTableType.AT_DisableRowSecurity:
                table.rls_enabled = False
            elif subtype == enums.AlterTableType.AT_ForceRowSecurity:
                table.rls_forced = True
            elif subtype == enums.AlterTableType.AT_NoForceRowSecurity:
                table.rls_forced = False

    @staticmethod
    def drop_column(table: Table, column: str) -> None:
        # PostgreSQL drops the indexes and constraints that use a dropped column with it.
        table.columns = [c for c in table.columns if c != column]
        table.indexes = [i for i in table.indexes if column not in i.columns]
        table.foreign_keys = [fk for fk in table.foreign_keys if column not in fk.columns]
        for policy in table.policies.values():
            policy.filter_columns.discard(column)

    def drop_table(self, name: QName) -> None:
        if self.schema.tables.pop(name, None) is None:
            return
        for table in self.schema.tables.values():  # CASCADE takes the foreign keys pointing at it
            table.foreign_keys = [fk for fk in table.foreign_keys if fk.references != name]

    # -- indexes

    def create_index(self, stmt: ast.IndexStmt) -> None:
        if stmt.relation is None:
            return
        table = self.schema.tables.get(qualified(stmt.relation))
        if table is None:
            return
        columns = [index_column(e) for e in stmt.indexParams or () if isinstance(e, ast.IndexElem)]
        schema = table.name[0]
        if stmt.idxname and stmt.if_not_exists and self.schema.find_index((schema, stmt.idxname)):
            return
        label = "pkey" if stmt.primary else "key" if stmt.isconstraint else "idx"
        name = stmt.idxname or choose_name(table.name[1], columns, label, self.schema.relation_names(schema))
        where = stmt.whereClause
        table.indexes.append(
            Index(
                name,
                columns,
                (stmt.accessMethod or "btree").lower(),
                partial=where is not None,
                not_null_columns=not_null_columns(where) if where is not None else None,
                constraint=bool(stmt.isconstraint or stmt.primary),
                origin=self.origin(stmt.relation.location),
            )
        )

    # -- DROP, RENAME, SET SCHEMA

    def drop(self, stmt: ast.DropStmt) -> None:
        kind = stmt.removeType
        for obj in stmt.objects or ():
            if kind in (enums.ObjectType.OBJECT_TABLE, enums.ObjectType.OBJECT_INDEX, enums.ObjectType.OBJECT_POLICY):
                parts = strings(obj)
                if not parts:
                    continue
                if kind == enums.ObjectType.OBJECT_TABLE:
                    self.drop_table(qualified_list(parts))
                elif kind == enums.ObjectType.OBJECT_INDEX:
                    found = self.schema.find_index(qualified_list(parts))
                    if found is not None:
                        found[0].indexes.remove(found[1])
                elif len(parts) > 1:
                    table = self.schema.tables.get(qualified_list(parts[:-1]))
                    if table is not None:
                        table.policies.pop(parts[-1], None)
            elif kind == enums.ObjectType.OBJECT_SCHEMA:
                schema = str(obj.sval) if isinstance(obj, ast.String) else ""
                for name in [n for n in self.schema.tables if n[0] == schema]:
                    self.drop_table(name)
                self.schema.functions = {k: f for k, f in self.schema.functions.items() if k[0][0] != schema}
            elif kind in (enums.ObjectType.OBJECT_FUNCTION, enums.ObjectType.OBJECT_PROCEDURE) and isinstance(
                obj, ast.ObjectWithArgs
            ):
                name = qualified_list(strings(obj.objname))
                args = None if obj.args_unspecified else tuple(type_name(t) for t in obj.objargs or ())
                self.schema.functions = {
                    k: f for k, f in self.schema.functions.items() if not (k[0] == name and args in (None, k[1]))
                }

    def rename(self, stmt: ast.RenameStmt) -> None:
        kind, new = stmt.renameType, stmt.newname or ""
        if stmt.relation is None:
            return
        name = qualified(stmt.relation)
        if kind == enums.ObjectType.OBJECT_INDEX:
            found = self.schema.find_index(name)
            if found is not None:
                found[1].name = new
            return
        table = self.schema.tables.get(name)
        if table is None:
            return
        old = stmt.subname or ""
        if kind == enums.ObjectType.OBJECT_TABLE:
            self.move_table(table, (name[0], new))
        elif kind == enums.ObjectType.OBJECT_COLUMN:
            table.columns = [new if c == old else c for c in table.columns]
            for index in table.indexes:
                index.columns = [new if c == old else c for c in index.columns]
            for fk in table.foreign_keys:
                fk.columns = tuple(new if c == old else c for c in fk.columns)
            for policy in table.policies.values():
                if old in policy.filter_columns:
                    policy.filter_columns = (policy.filter_columns - {old}) | {new}
        elif kind == enums.ObjectType.OBJECT_TABCONSTRAINT:
            for fk in table.foreign_keys:
                fk.name = new if fk.name == old else fk.name
            for index in table.indexes:  # renaming a UNIQUE/PK constraint renames its index
                index.name = new if index.constraint and index.name == old else index.name
        elif kind == enums.ObjectType.OBJECT_POLICY and old in table.policies:
            policy = table.policies.pop(old)
            policy.name = new
            table.policies[new] = policy

    def set_schema(self, stmt: ast.AlterObjectSchemaStmt) -> None:
        if stmt.objectType == enums.ObjectType.OBJECT_TABLE and stmt.relation is not None and stmt.newschema:
            table = self.schema.tables.get(qualified(stmt.relation))
            if table is not None:
                self.move_table(table, (stmt.newschema, table.name[1]))

    def move_table(self, table: Table, new: QName) -> None:
        old = table.name
        del self.schema.tables[old]
        table.name = new
        self.schema.tables[new] = table
        for other in self.schema.tables.values():
            for fk in other.foreign_keys:
                fk.references = new if fk.references == old else fk.references

    # -- policies

    def create_policy(self, stmt: ast.CreatePolicyStmt) -> None:
        table = self.schema.tables.get(qualified(stmt.table)) if stmt.table is not None else None
        if table is not None and stmt.policy_name:
            origin = self.origin()
            table.policies[stmt.policy_name] = Policy(stmt.policy_name, equality_columns(stmt.qual, table), origin)

    def alter_policy(self, stmt: ast.AlterPolicyStmt) -> None:
        table = self.schema.tables.get(qualified(stmt.table)) if stmt.table is not None else None
        policy = table.policies.get(stmt.policy_name or "") if table is not None else None
        if table is not None and policy is not None and stmt.qual is not None:
            policy.filter_columns = equality_columns(stmt.qual, table)
            policy.origin = self.origin()

    # -- functions

    def create_function(self, stmt: ast.CreateFunctionStmt) -> None:
        name = qualified_list(strings(stmt.funcname))
        args = function_args(stmt.parameters)
        function = Function(name, args, security_definer=False, search_path=None, origin=self.origin())
        self.apply_function_options(function, stmt.options)
        self.schema.functions[(name, args)] = function

    def alter_function(self, stmt: ast.AlterFunctionStmt) -> None:
        if stmt.func is None:
            return
        name = qualified_list(strings(stmt.func.objname))
        args = None if stmt.func.args_unspecified else tuple(type_name(t) for t in stmt.func.objargs or ())
        for (key_name, key_args), function in self.schema.functions.items():
            if key_name == name and args in (None, key_args):
                self.apply_function_options(function, stmt.actions)
                function.origin = self.origin()

    @staticmethod
    def apply_function_options(function: Function, options: Iterable[Any] | None) -> None:
        for option in options or ():
            if not isinstance(option, ast.DefElem):
                continue
            if option.defname == "security" and isinstance(option.arg, ast.Boolean):
                function.security_definer = bool(option.arg.boolval)
            elif option.defname == "set" and isinstance(option.arg, ast.VariableSetStmt):
                setting = option.arg
                if (
                    setting.name or ""
                ).lower() != "search_path" and setting.kind != enums.VariableSetKind.VAR_RESET_ALL:
                    continue
                if setting.kind == enums.VariableSetKind.VAR_SET_VALUE:
                    values = [
                        str(a.val.sval)
                        for a in setting.args or ()
                        if isinstance(a, ast.A_Const) and isinstance(a.val, ast.String)
                    ]
                    function.search_path = ", ".join(values)
                elif setting.kind == enums.VariableSetKind.VAR_SET_CURRENT:
                    function.search_path = "FROM CURRENT"
                else:  # RESET, SET ... TO DEFAULT
                    function.search_path = None


# ---------------------------------------------------------------------------
# Loading files


def parse_section(section: Section, errors: list[Finding]) -> Section:
    """Parse a section in place; a parser error becomes a parse-error finding."""
    try:
        section.statements = pglast.parse_sql(section.text)
    except pglast.parser.ParseError as error:
        message = str(error.args[0]) if error.args else str(error)
        location = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else 0
        line = section.file.line_of(section.start + location)
        where = "" if section.kind == "functions" else f"the {section.kind} section: "
        errors.append(Finding(section.file.path, line, "parse-error", f"{where}{message}"))
    return section


def read_migration(path: Path, errors: list[Finding]) -> Migration:
    file = SourceFile.read(path)
    text = file.text
    up, down = UP_MARKER.search(text), DOWN_MARKER.search(text)
    if up is not None and (down is None or down.start() > up.start()):
        up_section = Section(file, "up", up.end(), down.start() if down else len(text))
        down_section = Section(file, "down", down.end(), len(text)) if down else None
    elif up is not None and down is not None:  # down first: dbmate refuses this; lint both anyway
        up_section = Section(file, "up", up.end(), len(text))
        down_section = Section(file, "down", down.end(), up.start())
    else:
        up_section = Section(file, "up", 0, down.start() if down else len(text))
        down_section = Section(file, "down", down.end(), len(text)) if down else None
    first_marker = min((m.start() for m in (up, down) if m is not None), default=0)
    stray = skip_trivia(text[:first_marker], 0)
    return Migration(
        file,
        parse_section(up_section, errors),
        parse_section(down_section, errors) if down_section else None,
        up_line=file.line_of(up.start()) if up else None,
        down_line=file.line_of(down.start()) if down else None,
        stray_line=file.line_of(stray) if stray < first_marker else None,
    )


def sql_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.sql"), key=lambda p: p.name)


def load(migrations_dir: Path, functions_dir: Path) -> Model:
    """Parse every file and replay migrations' up sections, then functions files, into a Model."""
    model = Model()
    replayer = Replayer(model.schema)
    for path in sql_files(migrations_dir):
        migration = read_migration(path, model.parse_errors)
        model.migrations.append(migration)
        replayer.replay(migration.up)
    for path in sql_files(functions_dir):
        file = SourceFile.read(path)
        section = parse_section(Section(file, "functions", 0, len(file.text)), model.parse_errors)
        model.function_files.append(section)
        replayer.replay(section)
    return model


# ---------------------------------------------------------------------------
# Rules


Check = Callable[[Model], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(rule_id: str, summary: str) -> Callable[[Check], Check]:
    """Register a check under a rule id; its findings must carry that id."""

    def register(check: Check) -> Check:
        RULES[rule_id] = Rule(rule_id, summary, check)
        return check

    return register


@rule("rls-forced", "a table with organization_id has RLS enabled, forced, and at least one policy")
def check_rls_forced(model: Model) -> Iterator[Finding]:
    for table in model.schema.tables.values():
        if "organization_id" not in table.columns:
            continue
        missing = [
            text
            for text, ok in (
                ("ENABLE ROW LEVEL SECURITY", table.rls_enabled),
                ("FORCE ROW LEVEL SECURITY", table.rls_forced),
                ("a policy", bool(table.policies)),
            )
            if not ok
        ]
        if missing:
            yield Finding.at(
                table.origin,
                "rls-forced",
                f"{display(table.name)} has an organization_id column but lacks {', '.join(missing)}",
            )


@rule("fk-index", "every foreign key's columns lead some index on its table")
def check_fk_index(model: Model) -> Iterator[Finding]:
    for table in model.schema.tables.values():
        for fk in table.foreign_keys:
            if any(index.serves_equality(fk.columns) for index in table.indexes):
                continue
            columns = ", ".join(fk.columns)
            target = f" references {display(fk.references)}" if fk.references else ""
            yield Finding.at(
                fk.origin,
                "fk-index",
                f"foreign key {display(table.name)} ({columns}){target} has no index starting with its columns:"
                f" add CREATE INDEX ON {display(table.name)} ({columns})",
            )


@rule("policy-index", "columns a policy's USING compares with = to a non-literal are indexed")
def check_policy_index(model: Model) -> Iterator[Finding]:
    for table in model.schema.tables.values():
        for policy in table.policies.values():
            for column in sorted(policy.filter_columns):
                if any(_index_reaches(index, column, policy.filter_columns) for index in table.indexes):
                    continue
                yield Finding.at(
                    policy.origin,
                    "policy-index",
                    f'policy "{policy.name}" on {display(table.name)} filters on {column} but no index serves it:'
                    f" add CREATE INDEX ON {display(table.name)} ({column})",
                )


def _index_reaches(index: Index, column: str, equalities: set[str]) -> bool:
    """Whether the index can find rows by column, given equalities on the columns before it."""
    if column not in index.columns:
        return False
    position = index.columns.index(column)
    leading = {c for c in index.columns[:position] if c is not None}
    return len(leading) == position and leading <= equalities and index.serves_equality([*leading, column])


@rule("security-definer-search-path", "a SECURITY DEFINER function has SET search_path = ''")
def check_security_definer(model: Model) -> Iterator[Finding]:
    for function in model.schema.functions.values():
        if not function.security_definer or function.search_path == "":
            continue
        if function.search_path is None:
            problem = "without SET search_path = ''"
        else:
            problem = f"with search_path {function.search_path!r} instead of ''"
        yield Finding.at(
            function.origin,
            "security-definer-search-path",
            f"{function.signature} is SECURITY DEFINER {problem}: a caller's search_path must not resolve"
            " its names; schema-qualify them and SET search_path = ''",
        )


@rule("down-section", "a migration has a non-empty up section and a down section with a statement")
def check_down_section(model: Model) -> Iterator[Finding]:
    for migration in model.migrations:
        path = migration.file.path
        if migration.up_line is None:
            yield Finding(path, 1, "down-section", "no `-- migrate:up` marker: dbmate refuses the file")
        if migration.stray_line is not None:
            yield Finding(
                path, migration.stray_line, "down-section", "SQL before the first marker belongs to no section"
            )
        if migration.down_line is None:
            yield Finding(
                path, 1, "down-section", "no `-- migrate:down` section: every migration needs a working rollback"
            )
        elif migration.up_line is not None and migration.down_line < migration.up_line:
            yield Finding(path, migration.down_line, "down-section", "`-- migrate:down` comes before `-- migrate:up`")
        if migration.up_line is not None and migration.up.statements == ():
            yield Finding(path, migration.up_line, "down-section", "the up section has no SQL statement")
        down = migration.down
        if migration.down_line is not None and down is not None and down.statements == ():
            yield Finding(
                path,
                migration.down_line,
                "down-section",
                "the down section has no SQL statement: write the statements that undo the up section",
            )


@rule("parse-error", "every section parses with PostgreSQL's parser")
def check_parse_errors(model: Model) -> Iterator[Finding]:
    yield from model.parse_errors


# ---------------------------------------------------------------------------
# Running


@dataclass
class Result:
    findings: list[Finding]
    suppressed: list[Finding]
    files: int


def is_suppressed(finding: Finding, files: dict[Path, SourceFile]) -> bool:
    file = files.get(finding.path)
    if file is None:
        return False
    for anchor in {finding.line, finding.statement_line or finding.line}:
        line = anchor
        while True:
            if finding.rule in file.suppressed_rules(line):
                return True
            line -= 1
            if not file.is_comment_line(line):
                break
    return False


def lint(migrations_dir: Path = MIGRATIONS_DIR, functions_dir: Path = FUNCTIONS_DIR) -> Result:
    model = load(migrations_dir, functions_dir)
    files = {m.file.path: m.file for m in model.migrations} | {s.file.path: s.file for s in model.function_files}
    found = {finding for r in RULES.values() for finding in r.check(model)}
    findings = [f for f in found if not is_suppressed(f, files)]
    suppressed = [f for f in found if is_suppressed(f, files)]
    return Result(sorted(findings, key=_order), sorted(suppressed, key=_order), len(files))


def _order(finding: Finding) -> tuple[str, int, str, str]:
    return (str(finding.path), finding.line, finding.rule, finding.message)


def build_parser() -> argparse.ArgumentParser:
    rules = "\n".join(f"  {r.id:<30} {r.summary}" for r in RULES.values())
    parser = argparse.ArgumentParser(
        prog="python -m tools.sqllint",
        description=(
            "Lint dbmate migrations and db/functions files against the house SQL rules: the migrations' up"
            " sections are replayed into a schema model and every rule runs over it. Prints"
            " `path:line: rule-id message` per finding; exits 1 when there is any, 0 when clean."
        ),
        epilog=(
            f"rules:\n{rules}\n\n"
            "Suppress a finding with `-- sqllint: ignore <rule-id>[, <rule-id>...] [-- why]` on its line,\n"
            "on its statement's first line, or in the comment lines directly above either."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--migrations", type=Path, default=MIGRATIONS_DIR, metavar="DIR", help="dbmate migrations (default: db/schema)"
    )
    parser.add_argument(
        "--functions", type=Path, default=FUNCTIONS_DIR, metavar="DIR", help="function files (default: db/functions)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for directory in (args.migrations, args.functions):
        if not directory.is_dir():
            parser.error(f"not a directory: {directory}")
    result = lint(args.migrations, args.functions)
    cwd = Path.cwd()
    for finding in result.findings:
        print(finding.render(cwd))
    suppressed = f", {len(result.suppressed)} suppressed" if result.suppressed else ""
    if result.findings:
        files = len({f.path for f in result.findings})
        print(f"sqllint: {len(result.findings)} finding(s) in {files} file(s){suppressed}")
        return 1
    print(f"sqllint: {result.files} file(s) clean{suppressed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
