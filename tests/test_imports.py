"""The import checker (tools/imports.py) on small packages written to tmp_path, and on the real server/.

Pure Python: no database, nothing imported from the packages under test.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from tools import imports

ROOT = Path(__file__).resolve().parents[1]


def write(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (path relative to root -> source) and return root / "pkg"."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root / "pkg"


def found(package: Path, third_party_only: tuple[Path, ...] = ()) -> list[tuple[str, tuple[str, ...]]]:
    """(rule, modules) of every finding, in output order."""
    return [(f.rule, f.modules) for f in imports.check([package], third_party_only).findings]


def test_two_modules_that_import_each_other_are_a_cycle(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from . import b\n",
            "pkg/b.py": "from .a import thing\n",
        },
    )
    assert found(package) == [("import-cycle", ("pkg.a", "pkg.b", "pkg.a"))]


def test_a_type_checking_import_closes_a_three_module_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import B\n",
            "pkg/b.py": "import pkg.c\n\nB = 1\n",
            "pkg/c.py": """
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from .a import A
            """,
        },
    )
    assert found(package) == [("import-cycle", ("pkg.a", "pkg.b", "pkg.c", "pkg.a"))]

    monkeypatch.chdir(tmp_path)
    assert imports.main(["pkg"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "pkg/a.py:1: import-cycle: 3 modules import each other:"
        " pkg.a (line 1) -> pkg.b (line 1) -> pkg.c (line 4, under TYPE_CHECKING) -> pkg.a"
    ]


def test_a_function_local_import_closes_a_cycle(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from .b import helper\n",
            "pkg/b.py": """
                def helper():
                    from . import a

                    return a
            """,
        },
    )
    findings = imports.check([package]).findings
    assert [(f.rule, f.modules) for f in findings] == [("import-cycle", ("pkg.a", "pkg.b", "pkg.a"))]
    assert "pkg.b (line 2, in helper())" in findings[0].message


def test_a_package_init_and_a_submodule_that_imports_the_package_back_are_a_cycle(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "from .sub import run\n\nVERSION = 1\n",
            "pkg/sub.py": "from pkg import VERSION\n\ndef run(): ...\n",
        },
    )
    assert found(package) == [("import-cycle", ("pkg", "pkg.sub", "pkg"))]


def test_each_strongly_connected_set_of_modules_is_reported_once_in_name_order(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from . import b\n",
            "pkg/b.py": "from . import a, c\n",
            "pkg/c.py": "from . import a, b\n",
            "pkg/d.py": "from . import e\n",
            "pkg/e.py": "def f():\n    from . import d\n",
        },
    )
    assert found(package) == [
        ("import-cycle", ("pkg.a", "pkg.b", "pkg.c", "pkg.a")),
        ("import-cycle", ("pkg.d", "pkg.e", "pkg.d")),
    ]


def test_an_acyclic_layered_package_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # pkg/__init__.py imports the top layer; the layers import `pkg.core...` absolutely, which is an
    # edge to the module named, not to pkg/__init__.py, so this is no cycle.
    write(
        tmp_path,
        {
            "pkg/__init__.py": "from .api import handler\n",
            "pkg/core/__init__.py": "",
            "pkg/core/base.py": "import json\n\nVALUE = json.dumps(1)\n",
            "pkg/core/_helpers.py": "def public(): ...\n",
            "pkg/core/util.py": "from . import _helpers\nfrom ._helpers import public\nfrom .base import VALUE\n",
            "pkg/service.py": """
                from typing import TYPE_CHECKING

                import pkg.core.base
                from pkg.core import util

                from .core.base import VALUE

                if TYPE_CHECKING:
                    from .core import base
            """,
            "pkg/api.py": """
                from . import service

                def handler():
                    from .core.util import VALUE

                    return service, VALUE, __name__
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    assert imports.main(["pkg"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["ok: 7 modules, 7 imports between them, no import cycle, no private import"]


def test_importing_a_private_name_of_another_module_is_reported(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/x.py": "def _private(): ...\n__version__ = '1'\n",
            "pkg/y.py": "from .x import _private, __version__\n",
            "pkg/z.py": "from pkg.x import _private as renamed\n",
        },
    )
    assert found(package) == [
        ("private-import", ("pkg.y", "pkg.x._private")),
        ("private-import", ("pkg.z", "pkg.x._private")),
    ]


def test_a_private_name_of_any_first_party_package_is_reported(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/y.py": "from server.routing import _nul_locations\nfrom aiohttp.web import _run_app\n",
        },
    )
    assert found(package) == [("private-import", ("pkg.y", "server.routing._nul_locations"))]


def test_a_private_attribute_of_an_imported_first_party_module_is_reported(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/x.py": "def _private(): ...\n",
            "pkg/y.py": """
                import os

                import pkg.x
                import pkg.x as alias
                from . import x

                x._private()
                pkg.x._private()
                alias._private()
                os._exit, x.__name__
            """,
        },
    )
    findings = imports.check([package]).findings
    assert [(f.rule, f.modules, f.line) for f in findings] == [
        ("private-import", ("pkg.y", "pkg.x._private"), 7),
        ("private-import", ("pkg.y", "pkg.x._private"), 8),
        ("private-import", ("pkg.y", "pkg.x._private"), 9),
    ]
    assert findings[0].message == "uses x._private, a private name of pkg.x"


def test_a_private_module_may_be_imported_only_from_its_own_package_directory(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/core/__init__.py": "from . import _helpers\n",
            "pkg/core/_helpers.py": "def public(): ...\n",
            "pkg/core/util.py": "from . import _helpers\nfrom ._helpers import public\nimport pkg.core._helpers\n",
            "pkg/api.py": "from .core import _helpers\n",
            "pkg/web.py": "from .core._helpers import public\n",
        },
    )
    assert found(package) == [
        ("private-import", ("pkg.api", "pkg.core._helpers")),
        ("private-import", ("pkg.web", "pkg.core._helpers")),
    ]


def test_third_party_only_reports_relative_and_type_checking_first_party_imports_and_accepts_aiohttp(
    tmp_path: Path,
) -> None:
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/config.py": "",
            "pkg/keys.py": """
                from __future__ import annotations

                from typing import TYPE_CHECKING

                import aiohttp
                from aiohttp import web

                from . import config

                if TYPE_CHECKING:
                    from server.auth import Principal
            """,
        },
    )
    findings = imports.check([package], [package / "keys.py"]).findings
    assert [(f.rule, f.modules, f.line) for f in findings] == [
        ("third-party-only", ("pkg.keys", "pkg.config"), 8),
        ("third-party-only", ("pkg.keys", "server.auth"), 11),
    ]
    assert "(under TYPE_CHECKING)" in findings[1].message


def test_a_file_that_does_not_parse_is_reported(tmp_path: Path) -> None:
    package = write(tmp_path, {"pkg/__init__.py": "", "pkg/broken.py": "def (:\n"})
    assert [(f.rule, f.path.name) for f in imports.check([package]).findings] == [("syntax-error", "broken.py")]


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["plain"], "plain: not a package directory (a directory with an __init__.py)"),
        (["missing"], "missing: not a package directory"),
        (["pkg", "--third-party-only", "pkg/nope.py"], "--third-party-only pkg/nope.py: no such .py file"),
    ],
)
def test_a_path_that_cannot_be_checked_is_a_usage_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    error: str,
) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "plain/module.py": ""})
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        imports.main(argv)
    assert exit_.value.code == 2
    assert error in capsys.readouterr().err


def test_the_server_package_has_no_import_cycle_or_private_import(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `make check` runs. Fails until the restructuring of server/ lands."""
    monkeypatch.chdir(ROOT)
    status = imports.main(["server", "--third-party-only", "server/pipeline/keys.py"])
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if not line.startswith("ok: ")] == []
    assert status == 0


def test_the_request_pipeline_imports_no_aggregate() -> None:
    """server/pipeline knows no resource: it imports only itself, the settings and the shared API types."""
    allowed = {"server.pipeline", "server.config", "server.types"}
    for path in sorted((ROOT / "server" / "pipeline").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level:
                target = ".".join(["server", "pipeline"][: 3 - node.level] + ([node.module] if node.module else []))
                assert any(target == a or target.startswith(a + ".") for a in allowed), (path.name, target)
            elif isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                for name in names:
                    assert not name.startswith("server") or any(name.startswith(a) for a in allowed), (path.name, name)
