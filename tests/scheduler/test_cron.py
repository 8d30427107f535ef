"""The scheduler's cron expressions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobs.cron import Cron


def at(day: int, hour: int, minute: int, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)  # 2027-03-01 is a Monday


def test_each_field_form_matches_the_minutes_it_names() -> None:
    assert Cron.parse("* * * * *").matches(at(1, 0, 0))
    every_five = Cron.parse("*/5 * * * *")
    assert [m for m in range(60) if every_five.matches(at(1, 0, m))] == list(range(0, 60, 5))
    nightly = Cron.parse("17 3 * * *")
    assert nightly.matches(at(9, 3, 17)) and not nightly.matches(at(9, 3, 18)) and not nightly.matches(at(9, 4, 17))
    office = Cron.parse("0,30 9-17/2 * 1-6 1-5")
    assert office.matches(at(1, 9, 30)) and office.matches(at(5, 17, 0))
    assert not office.matches(at(1, 10, 0)) and not office.matches(at(6, 9, 0))  # 10 is off-step; the 6th is a Saturday
    assert not office.matches(at(1, 9, 0, month=7))


def test_sunday_is_0_or_7_and_restricted_day_fields_match_either() -> None:
    assert Cron.parse("0 0 * * 0").matches(at(7, 0, 0)) and Cron.parse("0 0 * * 7").matches(at(7, 0, 0))
    first_or_friday = Cron.parse("0 0 1 * 5")
    assert first_or_friday.matches(at(1, 0, 0)) and first_or_friday.matches(at(5, 0, 0))
    assert not first_or_friday.matches(at(2, 0, 0))


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("* * * *", "5 fields"),
        ("60 * * * *", "minute: 60 is outside 0-59"),
        ("* 5-2 * * *", "runs backwards"),
        ("*/0 * * * *", "outside"),
        ("* * * jan *", "not a number"),
        ("@daily", "5 fields"),
    ],
)
def test_malformed_expressions_say_what_is_wrong(expression: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Cron.parse(expression)
