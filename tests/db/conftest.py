"""The count of the policy mutation tests (tests/db/test_policy_mutations.py), printed at the end of the run."""

from __future__ import annotations

import pytest

MODULE = "tests/db/test_policy_mutations.py::"
POLICY_TEST = MODULE + "test_loosening_the_policy_is_reported_as_a_leak["
FORCE_TEST = MODULE + "test_removing_force_row_level_security_is_reported["


def _outcomes(terminalreporter: pytest.TerminalReporter, prefix: str) -> dict[str, int]:
    """How many tests whose id starts with prefix passed, failed (in any phase) or were skipped."""
    worst: dict[str, str] = {}
    for outcome in ("passed", "skipped", "failed", "error"):  # later ones win
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if nodeid.startswith(prefix):
                worst[nodeid] = "failed" if outcome == "error" else outcome
    counts = {"passed": 0, "skipped": 0, "failed": 0}
    for outcome in worst.values():
        counts[outcome] += 1
    return counts


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    policies, force = _outcomes(terminalreporter, POLICY_TEST), _outcomes(terminalreporter, FORCE_TEST)
    if not any(policies.values()) and not any(force.values()):
        return
    terminalreporter.write_sep("-", "policy mutations")
    terminalreporter.write_line(
        f"policies loosened and caught: {policies['passed']}/{policies['passed'] + policies['failed']}; "
        f"equivalent mutants (the policy already admits every row, nothing looser to try): {policies['skipped']}"
    )
    terminalreporter.write_line(
        f"FORCE ROW LEVEL SECURITY removed and caught: {force['passed']}/{force['passed'] + force['failed']} tables"
    )
