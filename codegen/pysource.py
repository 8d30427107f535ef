"""Small helpers that write Python source: literals, docstrings, imports, `__all__`."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable

from codegen.types import Ref

LINE_LENGTH = 120  # the project's ruff line-length
DOC_WIDTH = 100  # docstring lines are wrapped to this width, indentation included

STDLIB = frozenset(
    {"builtins", "collections", "datetime", "decimal", "enum", "ipaddress", "typing", "uuid"}
)


def string(value: str) -> str:
    """A double-quoted Python string literal."""
    return json.dumps(value, ensure_ascii=False)


def wrapped_string(value: str, indent: str, prefix: str = "") -> str:
    """A string literal that follows `indent + prefix` on a line, in parenthesized pieces if too long.

    The pieces (implicit concatenation) break after spaces and add up to exactly value.
    """
    literal = string(value)
    if len(indent) + len(prefix) + len(literal) + 1 <= LINE_LENGTH:
        return literal
    inner = indent + "    "
    width = LINE_LENGTH - len(inner)
    pieces: list[str] = []
    for word in re.findall(r"\s*\S+\s*", value) or [value]:
        if pieces and len(string(pieces[-1] + word)) <= width:
            pieces[-1] += word
        else:
            pieces.append(word)
    return "(\n" + "".join(f"{inner}{string(piece)}\n" for piece in pieces) + f"{indent})"


def block_string(text: str) -> str:
    """A triple-quoted literal whose value is text plus a final newline, for SQL.

    The text stays as written, so the generated module shows the query as it is in
    the .sql file; backslashes make it a raw string. Text a triple-quoted string
    cannot hold falls back to a parenthesized sequence of one-line literals.
    """
    value = text.rstrip() + "\n"
    if '"""' not in value and not value.endswith('\\\n'):
        prefix = "r" if "\\" in value else ""
        return f'{prefix}"""{value}"""'
    lines = value.splitlines(keepends=True)
    return "(\n" + "".join(f"    {string(line)}\n" for line in lines) + ")"


def docstring(text: str, indent: str) -> list[str]:
    """The lines of a docstring for text at the given indentation (PEP 257 layout)."""
    text = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    width = max(DOC_WIDTH - len(indent), 40)
    lines: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        lines.extend(textwrap.wrap(line, width=width, break_long_words=False, break_on_hyphens=False) or [""])
    if lines[-1].endswith('"'):
        lines[-1] = lines[-1][:-1] + '\\"'
    if len(lines) == 1 and len(indent) + len(lines[0]) + 6 <= LINE_LENGTH:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out += [f"{indent}{line}" if line else "" for line in lines[1:]]
    out.append(f'{indent}"""')
    return out


def _casing_rank(name: str) -> int:
    """isort's order-by-type: CONSTANTS, then Classes, then everything else."""
    if len(name) > 1 and name.isupper():
        return 0
    if name[:1].isupper():
        return 1
    return 2


def _natural(name: str) -> list[object]:
    """Natural order: runs of digits compare as numbers (A_2 before A_10)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def isort_key(name: str) -> tuple[int, list[object], list[object]]:
    """The order of names in `from m import ...` (ruff's isort: by type, then case-insensitive)."""
    return _casing_rank(name), _natural(name.lower()), _natural(name)


def all_key(name: str) -> tuple[int, list[object]]:
    """The order of `__all__` that ruff's RUF022 expects (by type, then case-sensitive)."""
    return _casing_rank(name), _natural(name)


def dunder_all(names: Iterable[str]) -> list[str]:
    """`__all__ = [...]` sorted as ruff's RUF022 expects."""
    items = sorted(set(names), key=all_key)
    one_line = "__all__ = [" + ", ".join(string(n) for n in items) + "]"
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    return ["__all__ = [", *(f"    {string(n)}," for n in items), "]"]


class Imports:
    """The imports of one module, and how to spell each imported name in it.

    A name is imported as itself (`from uuid import UUID`) unless the module
    defines that name too, as a class, field, parameter or function (a column
    named `date`). Then its module is imported under a private alias and the
    name qualified (`import datetime as _datetime`, `_datetime.date`), so no
    definition can shadow a type the module uses, and the alias (leading
    underscore) cannot clash with a field or with a name imported as itself.
    """

    def __init__(self, taken: Iterable[str] = (), *, local_module: str = "") -> None:
        self.taken = set(taken)
        self.local_module = local_module  # names defined in this module are used as they are
        self._from: dict[str, set[str]] = {}
        self._straight: set[str] = set()

    def add(self, module: str, name: str) -> str:
        """Import name from module and return how to spell it here."""
        return self.ref(Ref(module, name))

    def import_module(self, module: str) -> str:
        """`import module`, for the modules the generated code calls into; returns its name."""
        self._straight.add(module)
        return module

    def ref(self, ref: Ref) -> str:
        """Import a name and return how to spell it here."""
        if ref.module == self.local_module:
            return ref.name
        if ref.name not in self.taken:
            if ref.module:  # builtins need no import
                self._from.setdefault(ref.module, set()).add(ref.name)
            return ref.name
        module = ref.module or "builtins"
        alias = "_" + module.strip(".").replace(".", "_")
        if module.startswith("."):
            package, _, name = module.rpartition(".")
            self._from.setdefault(package or ".", set()).add(f"{name} as {alias}")
        else:
            self._straight.add(f"{module} as {alias}")
        return f"{alias}.{ref.name}"

    def render(self) -> list[str]:
        """The import block: standard library, third party, then this package; each sorted."""
        sections: dict[int, list[str]] = {-1: [], 0: [], 1: [], 2: []}

        def section(module: str) -> int:
            if module == "__future__":
                return -1
            if module.startswith("."):
                return 2
            return 0 if module.split()[0].split(".")[0] in STDLIB else 1

        for module in sorted(self._straight, key=str.lower):
            sections[section(module)].append(f"import {module}")
        for module in sorted(self._from, key=str.lower):
            names = sorted(self._from[module], key=isort_key)
            line = f"from {module} import {', '.join(names)}"
            if len(line) > LINE_LENGTH:
                line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
            sections[section(module)].append(line)
        out: list[str] = []
        for lines in sections.values():
            if lines:
                if out:
                    out.append("")
                out.extend(lines)
        return out
