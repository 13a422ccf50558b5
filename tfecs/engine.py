"""Run rules over an inventory. A rule that crashes is reported with its id; the others
still run. Findings come out in a deterministic order."""

from __future__ import annotations

from typing import Iterable

from .model.inventory import Inventory
from .rule import Finding, Rule, RuleError


def run(rules: Iterable[Rule], inv: Inventory) -> tuple[list[Finding], list[RuleError]]:
    findings: list[Finding] = []
    errors: list[RuleError] = []
    for rule in rules:
        try:
            findings.extend(rule.check(inv))
        except Exception as exc:  # noqa: BLE001 - isolate the rule, report it, exit 2
            errors.append(RuleError(rule.meta.id, f"{type(exc).__name__}: {exc}"))
    findings.sort(key=sort_key)
    return findings, errors


def sort_key(f: Finding) -> tuple:
    return (f.input, f.file or "", f.line or 0, f.address, f.meta.id, f.path_text, f.status.value)
