"""Cron expressions: the five classic fields, matched against a minute.

    Cron.parse("*/5 * * * *").matches(datetime(2027, 1, 1, 0, 10, tzinfo=UTC))   # True

Fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12), day of
week (0-7, 0 and 7 are Sunday). Each is `*`, a number, a range `a-b`, a step
`*/n` or `a-b/n`, or a comma-separated list of those. As in Vixie cron, when
both day of month and day of week are restricted, a day matching either one
matches. Times are taken as given (the scheduler passes UTC). No names
(`mon`, `jan`) and no `@daily` shortcuts: a ValueError says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))


def _number(text: str, name: str, low: int, high: int) -> int:
    if not text.isdigit():
        raise ValueError(f"{name}: {text!r} is not a number")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{name}: {value} is outside {low}-{high}")
    return value


def _field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = _number(step_text, name, 1, high - low + 1) if step_text else 1
        if span == "*":
            start, end = low, high
        elif "-" in span:
            first, _, last = span.partition("-")
            start, end = _number(first, name, low, high), _number(last, name, low, high)
            if start > end:
                raise ValueError(f"{name}: range {span!r} runs backwards")
        else:
            start = _number(span, name, low, high)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A parsed cron expression."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, expression: str) -> Cron:
        parts = expression.split()
        if len(parts) != 5:
            raise ValueError(f"a cron expression has 5 fields (minute hour day month weekday), not {len(parts)}")
        sets = [_field(text, *spec) for text, spec in zip(parts, FIELDS, strict=True)]
        weekdays = frozenset(day % 7 for day in sets[4])
        return cls(
            expression, sets[0], sets[1], sets[2], sets[3], weekdays,
            any_day=parts[2].startswith("*"), any_weekday=parts[4].startswith("*"),
        )

    def matches(self, moment: datetime) -> bool:
        """Whether the minute of moment is one the expression names."""
        if moment.minute not in self.minutes or moment.hour not in self.hours or moment.month not in self.months:
            return False
        day = moment.day in self.days
        weekday = (moment.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return day and weekday
        return day or weekday
