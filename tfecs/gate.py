"""The change gate: what the plan introduces blocks, what already exists is reported,
what it fixes is listed. Decides `delta` and `blocking` for every finding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .inputs.raw import is_data_address
from .rule import Finding, Severity, Status

UNKNOWN_POLICIES = ("warn", "fail", "ignore")
GATES = ("changes", "all")


@dataclass(frozen=True, slots=True)
class GateOptions:
    fail_on: Severity | None = Severity.LOW  # None: nothing blocks (soft fail)
    unknown: str = "warn"
    gate: str = "changes"


@dataclass(frozen=True, slots=True)
class Fixed:
    rule: str
    address: str
    path: str
    severity: str
    title: str


def is_data_source(address: str) -> bool:
    # By the address grammar: a module named `data` or a key holding `.data.` is no data source.
    return is_data_address(address)


def decide(
    after: list[Finding],
    before: list[Finding] | None,
    opts: GateOptions,
    suppress: Callable[[Finding], dict | None] | None = None,
) -> tuple[list[Finding], list[Fixed]]:
    """Mark each finding of the after-state introduced/existing and blocking or not.

    `before` is None when there is no prior state to compare with (HCL): everything is
    then introduced. Data sources are inputs, never targets.
    """
    # Each finding's key once (a dense plan's thousands of findings asked it five times).
    prior = [(f, f.key) for f in before or () if not is_data_source(f.address)]
    before_keys = {k for _, k in prior}
    before_paths = _paths_by_subject(k for _, k in prior)
    keyed = [(f, f.key) for f in after if not is_data_source(f.address)]
    # An unknown after the change proves nothing: what failed before and is unknown now
    # (at the same place, or around it) is neither fixed nor newly introduced.
    unknown_paths = _paths_by_subject(k for f, k in keyed if f.status is Status.UNKNOWN)
    out: list[Finding] = []
    after_keys: set[tuple] = set()
    for f, key in keyed:
        after_keys.add(key)
        if f.status is Status.UNKNOWN and opts.unknown == "ignore":
            continue
        existed = key in before_keys or (
            f.status is Status.UNKNOWN and _overlaps(key[2], before_paths.get(key[:2], ()))
        )
        f.delta = "existing" if existed else "introduced"
        f.suppressed = suppress(f) if suppress else None
        f.blocking = _blocks(f, opts)
        out.append(f)
    fixed = sorted(
        {
            Fixed(f.rule, f.address, f.path_text, f.effective_severity.value, f.meta.title)
            for f, key in prior
            if f.status is Status.FAIL
            and key not in after_keys
            and not _overlaps(key[2], unknown_paths.get(key[:2], ()))
        },
        key=lambda x: (x.address, x.rule, x.path),
    )
    return out, fixed


def _paths_by_subject(keys: Iterable[tuple]) -> dict[tuple, list[tuple]]:
    """(rule, address) -> the paths of those finding keys."""
    out: dict[tuple, list[tuple]] = {}
    for key in keys:
        out.setdefault(key[:2], []).append(key[2])
    return out


def _overlaps(path: tuple, others: Iterable[tuple]) -> bool:
    """One path contains the other (`policy` and `policy.Statement[0]`)."""
    for other in others:
        n = min(len(path), len(other))
        if path[:n] == other[:n]:
            return True
    return False


def _blocks(f: Finding, opts: GateOptions) -> bool:
    if f.suppressed or opts.fail_on is None:
        return False
    if f.effective_severity < opts.fail_on:
        return False
    if f.status is Status.UNKNOWN and opts.unknown != "fail":
        return False
    return f.delta == "introduced" or opts.gate == "all"
