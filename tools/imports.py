"""Check the import graph of Python packages: no import cycle, no private import, third-party-only modules.

    python -m tools.imports [--third-party-only FILE ...] PACKAGE_DIR [PACKAGE_DIR ...]

Every .py file under each PACKAGE_DIR (a directory with an __init__.py, named
relative to the current directory, e.g. `server`) is parsed with `ast`: nothing
is imported or run. Every import statement counts, wherever it is: at the top
level, under `if TYPE_CHECKING:`, inside a function.

Why: modules in a cycle each sit both above and below the others, so a layered
design cannot be seen, nor any module understood or tested without the whole
cycle; a TYPE_CHECKING or function-local import that closes the circle only
hides it. A private name (`_x`) imported from another module leaks that
module's internals: it can no longer change them without breaking its importers.

Rules:

  import-cycle      modules that import each other, directly or through others.
                    Each strongly connected set of modules is reported once, as a
                    closed path through all of them from the first by name:
                    `a (line 3) -> b (line 7, in f()) -> a` says that a imports b
                    on its line 3 and b imports a on its line 7, inside f().
  private-import    a private name (a leading underscore, not a dunder) of another
                    first-party module: `from .x import _y`, `from server.x import
                    _y`, `import a._b`, or `x._y` where x is a first-party module
                    bound by an import in the file. A private module may be imported
                    by the modules of its own package directory, and from inside it.
  third-party-only  a file named with --third-party-only imports a first-party
                    package: an absolute import of one, or any relative import.
  syntax-error      a file `ast` cannot parse.

First-party packages: server, gen, tools, codegen, jobs and the top-level
packages of the PACKAGE_DIRs. An import is an edge to the module it names, not
to the packages on the way: `import pkg.sub.mod` is an edge to pkg/sub/mod.py,
`from pkg.sub import name` to pkg/sub/name.py when that module exists and to
pkg/sub/__init__.py otherwise. A package's __init__.py importing its own
submodules is an edge like any other. Imports of modules outside the
PACKAGE_DIRs are not edges of the graph.

Findings print as `path:line: rule: message`, sorted by path and line. Exit
status: 1 with findings, 0 and one `ok: ...` line when clean, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

FIRST_PARTY = frozenset({"server", "gen", "tools", "codegen", "jobs"})

RULES = {
    "import-cycle": "modules that import each other, directly or through others (once per strongly connected set)",
    "private-import": "a private name or module of another first-party module: imported, or used as module._name",
    "third-party-only": "a --third-party-only file imports a first-party package (relative imports included)",
    "syntax-error": "a file the ast module cannot parse",
}


class UsageError(Exception):
    """A path argument that cannot be checked; main() exits 2 with its message."""


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    rule: str
    message: str
    modules: tuple[str, ...] = ()  # what the finding is about: the cycle's path, or (importer, what it imports)

    def render(self, cwd: Path) -> str:
        return f"{relative(self.path, cwd)}:{self.line}: {self.rule}: {self.message}"


def relative(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------
# Modules and their import statements


@dataclass(frozen=True)
class Statement:
    """An import statement and where it runs: "" at import time, "under TYPE_CHECKING", "in f()"."""

    node: ast.Import | ast.ImportFrom
    where: str


@dataclass(frozen=True)
class Module:
    name: str  # dotted; a package is named by its __init__.py
    path: Path
    tree: ast.Module
    statements: tuple[Statement, ...]

    @property
    def package(self) -> str:
        """The package of its directory: where its relative imports start."""
        return self.name if self.path.name == "__init__.py" else self.name.rpartition(".")[0]


class StatementCollector(ast.NodeVisitor):
    """Every import statement of a tree, labelled with the first reason it does not run at import time."""

    def __init__(self) -> None:
        self.statements: list[Statement] = []
        self.where = ""

    def within(self, where: str, body: Iterable[ast.stmt]) -> None:
        outer = self.where
        self.where = outer or where
        for node in body:
            self.visit(node)
        self.where = outer

    def visit_Import(self, node: ast.Import) -> None:
        self.statements.append(Statement(node, self.where))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.statements.append(Statement(node, self.where))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.within(f"in {node.name}()", node.body)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.within(f"in {node.name}()", node.body)

    def visit_If(self, node: ast.If) -> None:
        if not is_type_checking(node.test):
            self.generic_visit(node)
            return
        self.within("under TYPE_CHECKING", node.body)
        self.within("", node.orelse)


def is_type_checking(test: ast.expr) -> bool:
    """`TYPE_CHECKING` or `typing.TYPE_CHECKING`."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def parse(path: Path) -> ast.Module | Finding:
    try:
        return ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as error:
        return Finding(path, error.lineno or 1, "syntax-error", error.msg)
    except ValueError as error:  # null bytes, undecodable source
        return Finding(path, 1, "syntax-error", str(error))


def read_module(name: str, path: Path) -> Module | Finding:
    tree = parse(path)
    if isinstance(tree, Finding):
        return tree
    collector = StatementCollector()
    collector.visit(tree)
    return Module(name, path, tree, tuple(collector.statements))


def package_root(directory: Path) -> tuple[Path, str]:
    """The directory holding a package's top-level package, and the package's dotted name."""
    parts = [directory.name]
    parent = directory.parent
    while (parent / "__init__.py").is_file():
        parts.insert(0, parent.name)
        parent = parent.parent
    return parent, ".".join(parts)


def package_files(directory: Path) -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every .py file under a package directory."""
    _, package = package_root(directory)
    for path in sorted(directory.rglob("*.py")):
        parts = path.relative_to(directory).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join((package, *parts)), path


def file_module_name(path: Path) -> str:
    """Dotted name of a .py file found on its own: through the packages above it."""
    if not (path.parent / "__init__.py").is_file():
        return path.stem
    _, package = package_root(path.parent)
    return package if path.name == "__init__.py" else f"{package}.{path.stem}"


# ---------------------------------------------------------------------------
# The checked modules, and imports resolved against them


@dataclass(frozen=True)
class Index:
    modules: Mapping[str, Module]  # the modules of the checked packages, by name
    roots: frozenset[Path]  # the directories holding their top-level packages
    first_party: frozenset[str]  # top-level package names

    def is_first_party(self, name: str) -> bool:
        return name.partition(".")[0] in self.first_party

    def is_module(self, name: str) -> bool:
        """A checked module, or a .py file or package at that dotted path next to the checked packages."""
        if name in self.modules:
            return True
        parts = name.split(".")
        return any(
            root.joinpath(*parts).with_suffix(".py").is_file() or root.joinpath(*parts, "__init__.py").is_file()
            for root in self.roots
        )


@dataclass(frozen=True)
class Import:
    """One module or name an import statement brings in, with absolute dotted names."""

    line: int
    where: str
    module: str  # the module named: `import a.b` -> a.b; `from a import b` -> a.b when a module, else a
    name: str | None = None  # `from module import name` when name is not a module
    binds: tuple[str, str] | None = None  # (local name, module) when the statement binds a name to a module

    @property
    def target(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module

    @property
    def described(self) -> str:
        return f"line {self.line}, {self.where}" if self.where else f"line {self.line}"


def from_base(module: Module, node: ast.ImportFrom) -> str | None:
    """The absolute name of X in `from X import ...`; None when a relative X climbs above the top package."""
    if node.level == 0:
        return node.module
    package = module.package.split(".") if module.package else []
    kept = len(package) - (node.level - 1)
    if kept <= 0:
        return None
    return ".".join([*package[:kept], *([node.module] if node.module else [])])


def resolve(module: Module, statement: Statement, index: Index) -> Iterator[Import]:
    node, where = statement.node, statement.where
    if isinstance(node, ast.Import):
        for alias in node.names:
            top = alias.name.partition(".")[0]
            binds = (alias.asname, alias.name) if alias.asname else (top, top)
            yield Import(alias.lineno, where, alias.name, binds=binds)
        return
    base = from_base(module, node)
    if base is None:
        return
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if alias.name == "*":
            yield Import(alias.lineno, where, base)
        elif index.is_first_party(submodule) and index.is_module(submodule):
            yield Import(alias.lineno, where, submodule, binds=(alias.asname or alias.name, submodule))
        else:
            yield Import(alias.lineno, where, base, alias.name)


def resolved_imports(module: Module, index: Index) -> list[Import]:
    imports = (imported for statement in module.statements for imported in resolve(module, statement, index))
    return sorted(imports, key=lambda imported: imported.line)


def load(packages: Sequence[Path], third_party_only: Sequence[Path]) -> tuple[Index, list[Module], list[Finding]]:
    """The index of the checked packages, the --third-party-only modules, and the files that do not parse."""
    for directory in packages:
        if not (directory.is_dir() and (directory / "__init__.py").is_file()):
            raise UsageError(f"{directory}: not a package directory (a directory with an __init__.py)")
    for path in third_party_only:
        if not (path.is_file() and path.suffix == ".py"):
            raise UsageError(f"--third-party-only {path}: no such .py file")
    modules: dict[str, Module] = {}
    errors: list[Finding] = []
    for directory in packages:
        for name, path in package_files(directory.resolve()):
            read = read_module(name, path)
            if isinstance(read, Finding):
                errors.append(read)
            else:
                modules[name] = read
    roots = frozenset(package_root(directory.resolve())[0] for directory in packages)
    tops = {name.partition(".")[0] for name in modules}
    index = Index(modules, roots, FIRST_PARTY | tops)
    layer = [module_at(path.resolve(), index, errors) for path in third_party_only]
    return index, [module for module in layer if module is not None], errors


def module_at(path: Path, index: Index, errors: list[Finding]) -> Module | None:
    """The checked module read from `path`, or the file read on its own when it is outside the checked packages."""
    for module in index.modules.values():
        if module.path == path:
            return module
    read = read_module(file_module_name(path), path)
    if isinstance(read, Finding):
        errors.append(read)
        return None
    return read


# ---------------------------------------------------------------------------
# import-cycle

Graph = Mapping[str, Mapping[str, Import]]  # importer -> imported module -> its first import


def import_graph(index: Index, imports: Mapping[str, Sequence[Import]]) -> Graph:
    graph: dict[str, dict[str, Import]] = {}
    for name in sorted(index.modules):
        edges = graph[name] = {}
        for imported in imports[name]:
            if imported.module in index.modules and imported.module != name:
                edges.setdefault(imported.module, imported)
    return graph


def reachable(graph: Graph, start: str) -> set[str]:
    """Every module reached from `start` through imports, `start` included."""
    seen = {start}
    queue = deque([start])
    while queue:
        for following in graph[queue.popleft()]:
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return seen


def strongly_connected(graph: Graph) -> list[set[str]]:
    """The sets of two or more modules that each reach all the others, ordered by their first module."""
    reach = {name: reachable(graph, name) for name in graph}
    components: list[set[str]] = []
    placed: set[str] = set()
    for name in sorted(graph):
        if name in placed:
            continue
        component = {other for other in reach[name] if name in reach[other]}
        placed |= component
        if len(component) > 1:
            components.append(component)
    return components


def shortest_path(graph: Graph, start: str, goals: set[str], within: set[str]) -> list[str]:
    """The shortest import path from `start` to one of `goals` inside `within`, ties broken by name."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for following in sorted(graph[current]):
            if following in within and following not in previous and following != start:
                previous[following] = current
                if following in goals:
                    return path_back(previous, start, following)
                queue.append(following)
    raise ValueError(f"no import path from {start} to {sorted(goals)}")


def path_back(previous: Mapping[str, str], start: str, end: str) -> list[str]:
    path = [end]
    while path[-1] != start:
        path.append(previous[path[-1]])
    return path[::-1]


def closed_walk(graph: Graph, component: set[str]) -> list[str]:
    """A closed import path through every module of `component`: from its first, always to the nearest unvisited."""
    start = min(component)
    walk = [start]
    unvisited = component - {start}
    while unvisited:
        walk += shortest_path(graph, walk[-1], unvisited, component)[1:]
        unvisited -= set(walk)
    walk += shortest_path(graph, walk[-1], {start}, component)[1:]
    return walk


def import_cycles(index: Index, graph: Graph) -> Iterator[Finding]:
    for component in strongly_connected(graph):
        walk = closed_walk(graph, component)
        steps = [graph[importer][imported] for importer, imported in pairwise(walk)]
        path = " -> ".join(f"{name} ({step.described})" for name, step in zip(walk, steps, strict=False))
        message = f"{len(component)} modules import each other: {path} -> {walk[-1]}"
        yield Finding(index.modules[walk[0]].path, steps[0].line, "import-cycle", message, tuple(walk))


# ---------------------------------------------------------------------------
# private-import


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def may_use(importer: Module, owner: str, name: str, index: Index) -> bool:
    """A module may use its own private names, the private modules of its own package directory,
    and the private packages it is inside of."""
    private = f"{owner}.{name}"
    if owner == importer.name or importer.name.startswith(f"{private}.") or importer.name == private:
        return True
    return owner == importer.package and index.is_module(private)


def leaked_private(importer: Module, dotted: str, index: Index) -> str | None:
    """The first private name along a dotted path that `importer` may not use, as a dotted path."""
    parts = dotted.split(".")
    for end in range(1, len(parts)):
        owner, name = ".".join(parts[:end]), parts[end]
        if is_private(name) and not may_use(importer, owner, name, index):
            return f"{owner}.{name}"
    return None


def private_message(leaked: str, index: Index) -> str:
    owner = leaked.rpartition(".")[0]
    kind = "module" if index.is_module(leaked) else "name"
    return f"a private {kind} of {owner}"


def private_imports(module: Module, imports: Sequence[Import], index: Index) -> Iterator[Finding]:
    for imported in imports:
        if not index.is_first_party(imported.module):
            continue
        leaked = leaked_private(module, imported.target, index)
        if leaked:
            message = f"imports {leaked.rpartition('.')[2]}, {private_message(leaked, index)}"
            yield Finding(module.path, imported.line, "private-import", message, (module.name, leaked))


def attribute_chain(node: ast.Attribute) -> list[str] | None:
    """`a.b._c` as ["a", "b", "_c"]; None when the chain does not start at a plain name."""
    chain = [node.attr]
    value = node.value
    while isinstance(value, ast.Attribute):
        chain.insert(0, value.attr)
        value = value.value
    return [value.id, *chain] if isinstance(value, ast.Name) else None


def module_bindings(imports: Iterable[Import], index: Index) -> dict[str, str]:
    """Names an import binds to a first-party module, in the whole file (scopes are not told apart)."""
    return {imp.binds[0]: imp.binds[1] for imp in imports if imp.binds and index.is_first_party(imp.binds[1])}


def private_attributes(module: Module, imports: Sequence[Import], index: Index) -> Iterator[Finding]:
    """`mod._name` where mod is bound to a first-party module, and so is everything left of `_name`."""
    bound = module_bindings(imports, index)
    for node in ast.walk(module.tree):
        if not (isinstance(node, ast.Attribute) and is_private(node.attr)):
            continue
        chain = attribute_chain(node)
        if chain is None or chain[0] not in bound:
            continue
        owner = ".".join([bound[chain[0]], *chain[1:-1]])
        if index.is_module(owner) and not may_use(module, owner, node.attr, index):
            leaked = f"{owner}.{node.attr}"
            message = f"uses {'.'.join(chain)}, {private_message(leaked, index)}"
            yield Finding(module.path, node.lineno, "private-import", message, (module.name, leaked))


# ---------------------------------------------------------------------------
# third-party-only


def first_party_targets(module: Module, statement: Statement, index: Index) -> list[str]:
    """The first-party modules an import statement names; a relative import is always first-party."""
    node = statement.node
    relative = isinstance(node, ast.ImportFrom) and node.level > 0
    if isinstance(node, ast.ImportFrom) and relative and from_base(module, node) is None:
        return ["." * node.level + (node.module or "")]
    named = (imported.module for imported in resolve(module, statement, index))
    return list(dict.fromkeys(name for name in named if relative or index.is_first_party(name)))


def first_party_imports(module: Module, index: Index) -> Iterator[Finding]:
    for statement in module.statements:
        where = f" ({statement.where})" if statement.where else ""
        for target in first_party_targets(module, statement, index):
            message = (
                f"`{ast.unparse(statement.node)}`{where} imports first-party {target}:"
                f" {module.name} may import only the standard library and third-party packages"
            )
            yield Finding(module.path, statement.node.lineno, "third-party-only", message, (module.name, target))


# ---------------------------------------------------------------------------
# Running the rules


@dataclass(frozen=True)
class Result:
    findings: list[Finding]
    modules: int
    imports: int  # edges of the graph: pairs of checked modules where the first imports the second
    third_party_only: int


def check(packages: Sequence[Path], third_party_only: Sequence[Path] = ()) -> Result:
    """Run every rule over the packages; raises UsageError for a path that cannot be checked."""
    index, layer, findings = load(packages, third_party_only)
    imports = {name: resolved_imports(module, index) for name, module in index.modules.items()}
    graph = import_graph(index, imports)
    findings += import_cycles(index, graph)
    for name, module in index.modules.items():
        findings += private_imports(module, imports[name], index)
        findings += private_attributes(module, imports[name], index)
    for module in layer:
        findings += first_party_imports(module, index)
    edges = sum(len(edges) for edges in graph.values())
    return Result(sorted(findings, key=order), len(index.modules), edges, len(layer))


def order(finding: Finding) -> tuple[str, int, str, str]:
    return (str(finding.path), finding.line, finding.rule, finding.message)


def summary(result: Result) -> str:
    counts = {rule: sum(f.rule == rule for f in result.findings) for rule in RULES}
    found = ", ".join(f"{count} {rule}" for rule, count in counts.items() if count)
    return f"imports: {len(result.findings)} finding(s) in {result.modules} modules: {found}"


def ok_line(result: Result) -> str:
    layer = f", {result.third_party_only} third-party-only file(s) clean" if result.third_party_only else ""
    return f"ok: {result.modules} modules, {result.imports} imports between them, no import cycle, no private import{layer}"


def build_parser() -> argparse.ArgumentParser:
    rules = "\n".join(f"  {rule:<18} {text}" for rule, text in RULES.items())
    parser = argparse.ArgumentParser(
        prog="python -m tools.imports",
        description=(
            "Check the imports of Python packages, read with ast (nothing is imported): no import cycle,\n"
            "no private name of another first-party module, no first-party import in --third-party-only files.\n"
            "Prints `path:line: rule: message` per finding and exits 1 when there is any; 0 when clean."
        ),
        epilog=f"rules:\n{rules}\n\nfirst-party packages: {', '.join(sorted(FIRST_PARTY))} and the PACKAGE_DIRs' own.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("packages", nargs="+", type=Path, metavar="PACKAGE_DIR", help="a package directory: server")
    parser.add_argument(
        "--third-party-only",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a .py file that may import only the standard library and third-party packages (repeatable)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = check(args.packages, args.third_party_only)
    except UsageError as error:
        parser.error(str(error))
    cwd = Path.cwd()
    for finding in result.findings:
        print(finding.render(cwd))
    if result.findings:
        print(summary(result), file=sys.stderr)
        return 1
    print(ok_line(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
