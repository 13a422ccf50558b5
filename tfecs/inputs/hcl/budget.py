"""Explicit budgets on the work one scan's HCL evaluation may do: hostile configuration
must not hang the gate or eat the CI machine's memory.

- elements: list/map elements and template pieces produced by expressions (a 1000-cubed
  nested `for`, `setproduct`, `range`);
- string bytes: characters produced by templates and string functions (a 20 MB heredoc
  interpolated fifty times, `format("%2000000000d")`, `replace` that multiplies);
- wall clock: seconds for the whole evaluation (checked every few thousand steps);
- module depth: see `modules.MAX_MODULE_DEPTH`.

Exceeding one is an input error naming the file and line where it happened (exit 2):
a configuration that needs this much is not something tfecs can judge, and saying
"unknown" would let it pass.
"""

from __future__ import annotations

import time

from ...errors import InputError

MAX_ELEMENTS = 5_000_000
MAX_STRING_BYTES = 256 * 1024 * 1024
MAX_STRING = 64 * 1024 * 1024  # one string value
TIME_LIMIT = 120.0  # seconds
_CHECK_EVERY = 4096


MAX_VALUE_NODES = 2_000_000  # elements of one value, counted as if written out


def value_too_big(value: object, max_nodes: int = MAX_VALUE_NODES, max_bytes: int = MAX_STRING) -> bool:
    """Whether `value`, written out, has more than `max_nodes` elements or `max_bytes`
    characters. Values share their parts (`[for i in range(1000) : local.big]` holds
    one list a thousand times), so a small value in memory can be astronomically large
    once encoded or walked: this counts with an early stop, before anything walks it."""
    stack = [value]
    nodes = 0
    size = 0
    while stack:
        v = stack.pop()
        nodes += 1
        if isinstance(v, str):
            size += len(v)
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            size += sum(len(k) for k in v)
            stack.extend(v.values())
        if nodes > max_nodes or size > max_bytes:
            return True
    return False


class BudgetExceeded(InputError):
    """A budget ran out; `where` is file:line (relative to the scan root until shown)."""


class Budget:
    __slots__ = ("elements", "string_bytes", "deadline", "steps", "max_elements", "max_string_bytes", "time_limit")

    def __init__(
        self,
        *,
        max_elements: int = MAX_ELEMENTS,
        max_string_bytes: int = MAX_STRING_BYTES,
        time_limit: float | None = TIME_LIMIT,
    ):
        self.elements = 0
        self.string_bytes = 0
        self.steps = 0
        self.max_elements = max_elements
        self.max_string_bytes = max_string_bytes
        self.time_limit = time_limit
        self.deadline = None if time_limit is None else time.monotonic() + time_limit

    def step(self, where: str) -> None:
        self.steps += 1
        if self.steps % _CHECK_EVERY == 0:
            self.check_time(where)

    def check_time(self, where: str) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BudgetExceeded(
                f"evaluating the configuration took more than {self.time_limit:g} s (time budget exceeded)", where=where
            )

    def add_elements(self, n: int, where: str) -> None:
        self.elements += n
        if self.elements > self.max_elements:
            raise BudgetExceeded(
                f"the configuration produces more than {self.max_elements} values (element budget exceeded)", where=where
            )

    def add_string(self, n: int, where: str) -> None:
        if n > MAX_STRING:
            raise BudgetExceeded(f"a string of more than {MAX_STRING // (1024 * 1024)} MiB (string budget exceeded)", where=where)
        self.string_bytes += n
        if self.string_bytes > self.max_string_bytes:
            raise BudgetExceeded(
                f"the configuration produces more than {self.max_string_bytes // (1024 * 1024)} MiB of text "
                "(string budget exceeded)",
                where=where,
            )
