"""The contract-fuzzing tool (tools/fuzz.py) without a fuzz run: its arguments and the command it builds.

No database and no server: the schemathesis command line is checked against the
options this schemathesis version lists (`st run --help`), so an upgrade that
renames one fails here rather than minutes into a fuzz run.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.config import Config
from tools import fuzz


def test_defaults_are_50_examples_one_worker_a_random_seed_and_data_fuzz() -> None:
    runs = [fuzz.parse_args([]) for _ in range(5)]
    first = runs[0]
    assert (first.max_examples, first.workers, first.report) == (50, 1, fuzz.ROOT / ".data" / "fuzz")
    assert not first.seed_given
    assert all(0 <= run.seed < 2**31 for run in runs)
    assert len({run.seed for run in runs}) > 1  # drawn anew each run


def test_given_options_are_kept(tmp_path: Path) -> None:
    options = fuzz.parse_args(["--max-examples", "80", "--seed", "42", "--report", str(tmp_path), "--workers", "2"])
    assert options == fuzz.Options(max_examples=80, seed=42, seed_given=True, report=tmp_path.resolve(), workers=2)


@pytest.mark.parametrize("argv", [["--max-examples", "0"], ["--workers", "-1"], ["--workers", "many"], ["--seed", "x"]])
def test_invalid_options_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        fuzz.parse_args(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_each_run_reports_into_a_directory_of_its_own(tmp_path: Path) -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert fuzz.run_directory(tmp_path, 7, at) == tmp_path / "20260102T030405Z-seed7"


def command(tmp_path: Path) -> list[str]:
    options = fuzz.Options(max_examples=50, seed=7, seed_given=True, report=tmp_path, workers=2)
    return fuzz.schemathesis_command("http://127.0.0.1:9", "TOKEN", options, tmp_path / "run", tmp_path / "st.toml")


def test_the_command_runs_the_served_document_with_default_checks_and_phases(tmp_path: Path) -> None:
    cmd = command(tmp_path)
    assert cmd[cmd.index("run") + 1] == "http://127.0.0.1:9/openapi.json"
    assert cmd[cmd.index("--header") + 1] == "Authorization: Bearer TOKEN"
    assert cmd[cmd.index("--config-file") + 1] == str(tmp_path / "st.toml")
    pairs = {cmd[i]: cmd[i + 1] for i in range(len(cmd) - 1) if cmd[i].startswith("--")}
    assert (pairs["--max-examples"], pairs["--seed"], pairs["--workers"]) == ("50", "7", "2")
    assert not {"--checks", "--exclude-checks", "--phases", "--mode"} & set(cmd)
    assert "TOKEN" not in " ".join(fuzz.redact(cmd))


def test_every_option_of_the_command_exists_in_this_schemathesis(tmp_path: Path) -> None:
    cmd = command(tmp_path)
    helps = {
        "st": subprocess.run([cmd[0], "--help"], capture_output=True, text=True, check=True).stdout,
        "run": subprocess.run([cmd[0], "run", "--help"], capture_output=True, text=True, check=True).stdout,
    }
    run_at = cmd.index("run")
    for index, arg in enumerate(cmd):
        if arg.startswith("--"):
            listed = helps["st" if index < run_at else "run"]
            assert re.search(rf"(^|[\s,]){re.escape(arg)}\b", listed), f"{arg} is not an option of st"


def test_the_webhook_secret_is_one_the_server_accepts() -> None:
    secret = fuzz.webhook_secret()
    assert secret.startswith("whsec_")
    assert Config(clerk_webhook_secret=secret).clerk_webhook_secret == secret


def test_a_free_port_is_a_port() -> None:
    assert 0 < fuzz.free_port() < 65536
