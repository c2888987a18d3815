# -*- test-case-name: mimic.test.test_persistence_services -*-
"""
Compact JSON for many records of the same shape, as the services' saved
states (:class:`mimic.interfaces.IPersistentState`) hold them: ten
thousand servers, or their ports, saved and read back in milliseconds.

Records are written column by column, and a column as briefly as its
values allow: one value or a short pattern repeated (a status, a
server's two ports' networks in turn), a table of the distinct values
and each record's index into it (an image id, a creation time shared by
a batch), runs of equal values, or the differences between numbers
handed out in order.  Short to write, quick to read, and one shared
object per distinct value read back.  Sets of integers are runs of
consecutive ones.
"""

from __future__ import annotations

from itertools import accumulate, groupby
from operator import ne, sub
from typing import Any, Hashable, Iterable, Sequence


#: The longest repeating pattern a column is checked for.
LONGEST_CYCLE = 8


def _cycle(values: list[Any]) -> dict[str, Any] | None:
    """
    ``{"cycle": pattern}`` when the values repeat a short pattern (one
    value throughout, or a server's two ports' networks in turn).
    """
    first = values[0]
    for period in range(1, min(LONGEST_CYCLE, len(values)) + 1):
        if period < len(values) and values[period] != first:
            continue
        if values[period:] == values[:-period]:
            return {"cycle": values[:period]}
    return None


def _runs_of(values: list[Any], limit: int) -> list[Any] | None:
    """
    ``[value, count, value, count...]`` of the runs of equal values, or
    None when that would be longer than ``limit``.
    """
    changes = sum(map(ne, values[1:], values[:-1]))
    if 2 * (changes + 1) > limit:
        return None
    return [part for value, group in groupby(values) for part in (value, sum(1 for _ in group))]


def integers(values: list[int]) -> Any:
    """
    A column of integers: a repeating pattern, runs of equal values
    (``{"runs": [value, count, ...]}``), or the differences from one to
    the next written so (numbers handed out in order), else the list.
    """
    if not values:
        return []
    found = _cycle(values)
    if found is not None:
        return found
    limit = len(values) // 4
    repeated = _runs_of(values, limit)
    if repeated is not None:
        return {"runs": repeated}
    steps = differences(values)
    found = _cycle(steps[1:])
    if found is not None:
        return {"start": steps[0], "steps": found}
    repeated = _runs_of(steps, limit)
    if repeated is not None:
        return {"steps": {"runs": repeated}}
    return values


def column(values: Sequence[Hashable]) -> Any:
    """
    A column of JSON scalars: a repeating pattern, else a table of the
    distinct values with each one's index into it (an :func:`integers`
    column) when values repeat, else the list itself.  (Values that
    compare equal, such as ``1`` and ``1.0``, are one.)
    """
    values = list(values)
    if not values:
        return []
    found = _cycle(values)
    if found is not None:
        return found
    table: dict[Hashable, int] = {}
    setdefault = table.setdefault
    index = [setdefault(value, len(table)) for value in values]
    if len(table) * 2 > len(index):
        return values
    return {"table": list(table), "index": integers(index)}


def read_column(saved: Any, count: int, name: str = "column") -> list[Any]:
    """
    The ``count`` values :func:`column` or :func:`integers` wrote;
    ``ValueError`` naming the column if there are not as many.
    """
    values = _read(saved, count, name)
    if len(values) != count:
        raise ValueError(f"{name} has {len(values)} values for {count} records")
    return values


def _read(saved: Any, count: int, name: str) -> list[Any]:
    if isinstance(saved, list):
        return saved
    if not isinstance(saved, dict):
        raise ValueError(f"{name} is no column but {type(saved).__name__}")
    if "cycle" in saved:
        pattern = saved["cycle"]
        if not isinstance(pattern, list) or not pattern:
            raise ValueError(f"{name} repeats no pattern")
        return (pattern * (count // len(pattern) + 1))[:count]
    if "runs" in saved:
        flat = saved["runs"]
        values: list[Any] = []
        for index in range(0, len(flat) - 1, 2):
            values += [flat[index]] * flat[index + 1]
        return values
    if "steps" in saved:
        if "start" in saved:
            steps = [saved["start"], *read_column(saved["steps"], count - 1, name)]
        else:
            steps = read_column(saved["steps"], count, name)
        return list(accumulate(steps))
    if "table" in saved:
        table = saved["table"]
        return [table[i] for i in read_column(saved["index"], count, name)]
    raise ValueError(f"{name} is a column of no known form")


def differences(numbers: Sequence[int]) -> list[int]:
    """
    Integers as the first and then each one's difference from the one
    before.
    """
    if not numbers:
        return []
    return [numbers[0], *map(sub, numbers[1:], numbers[:-1])]


def runs(numbers: Iterable[int]) -> list[int]:
    """
    A set of integers as ``[first, count, first, count...]`` of its runs
    of consecutive numbers, ascending.
    """
    found: list[int] = []
    start = previous = 0
    started = False
    for number in sorted(numbers):
        if started and number == previous + 1:
            previous = number
            continue
        if started:
            found += [start, previous - start + 1]
        start = previous = number
        started = True
    if started:
        found += [start, previous - start + 1]
    return found


def from_runs(saved: list[int]) -> set[int]:
    """
    The set :func:`runs` wrote.
    """
    if len(saved) % 2:
        raise ValueError("runs of numbers come in pairs of first and count")
    numbers: set[int] = set()
    for index in range(0, len(saved), 2):
        start, count = saved[index], saved[index + 1]
        if not isinstance(start, int) or not isinstance(count, int) or count < 0:
            raise ValueError(f"{start!r}, {count!r} is not a run of numbers")
        numbers.update(range(start, start + count))
    return numbers
