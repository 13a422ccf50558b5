"""The change gate: what the plan introduces blocks, what already exists is reported,
what it fixes is listed. Decides `delta` and `blocking` for every finding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

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
    return address.startswith("data.") or ".data." in address


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
    before_keys = {f.key for f in before or () if not is_data_source(f.address)}
    out: list[Finding] = []
    after_keys: set[tuple] = set()
    for f in after:
        if is_data_source(f.address):
            continue
        if f.status is Status.UNKNOWN and opts.unknown == "ignore":
            continue
        after_keys.add(f.key)
        f.delta = "existing" if f.key in before_keys else "introduced"
        f.suppressed = suppress(f) if suppress else None
        f.blocking = _blocks(f, opts)
        out.append(f)
    fixed = sorted(
        {
            Fixed(f.rule, f.address, f.path_text, f.effective_severity.value, f.meta.title)
            for f in before or ()
            if f.status is Status.FAIL and f.key not in after_keys and not is_data_source(f.address)
        },
        key=lambda x: (x.address, x.rule, x.path),
    )
    return out, fixed


def _blocks(f: Finding, opts: GateOptions) -> bool:
    if f.suppressed or opts.fail_on is None:
        return False
    if f.effective_severity < opts.fail_on:
        return False
    if f.status is Status.UNKNOWN and opts.unknown != "fail":
        return False
    return f.delta == "introduced" or opts.gate == "all"
