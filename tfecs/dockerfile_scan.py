"""One Dockerfile through the same pipeline as a plan: read it into a `dockerfile`
resource, run the rules that judge Dockerfiles, gate (no prior state: every finding is
introduced), and attach its inline `# tfecs:ignore:...` comments as suppressions (unless
--no-ignores; an ignore without a reason suppresses nothing, as in .tf files), then the
config's ignores and the baseline (the scan's Suppressor)."""

from __future__ import annotations

from datetime import date
from typing import Sequence

from . import engine, gate
from .errors import TfecsError
from .inputs.dockerfile import DOCKERFILE_TYPE, read_dockerfile, suppression
from .model.inventory import Inventory
from .report import ErrorInfo, InputInfo, Report, WarningInfo
from .rule import Finding, Rule


def dockerfile_rules(rules: Sequence[Rule]) -> list[Rule]:
    """The rules that judge Dockerfiles: Terraform rules (whole-configuration ones too)
    have nothing to say about a Dockerfile."""
    return [r for r in rules if DOCKERFILE_TYPE in r.meta.resource_types]


def scan_dockerfile(
    path: str, rules: Sequence[Rule], options: gate.GateOptions, report: Report, root: str | None = None, today: date | None = None, suppressor=None
) -> None:
    try:
        raw, ignores = read_dockerfile(path, root)
    except TfecsError as exc:
        report.errors.append(ErrorInfo("input", exc.message, exc.where or path))
        return
    report.inputs.append(InputInfo(path, "dockerfile", None, None, 1))
    inv = Inventory.build([raw])
    report.errors.extend(ErrorInfo("resource", e.message, e.address) for e in inv.errors)
    found, rule_errors = engine.run(dockerfile_rules(rules), inv)
    report.errors.extend(ErrorInfo("rule", e.message, e.rule) for e in rule_errors)
    day = today or date.today()
    expired: list[dict] = []
    no_inline = suppressor is not None and suppressor.no_ignores
    if not no_inline:
        for ig in [ig for ig in ignores if not ig["reason"].strip()]:
            ignores.remove(ig)
            problem = WarningInfo("ignore-invalid", "an ignore needs a reason after the rule id (it does not suppress without one)", f"{raw.address}:{ig['line']}")
            report.warnings.append(problem)
            if suppressor is not None and suppressor.strict:  # --strict-ignores
                report.errors.append(ErrorInfo("config", problem.message, problem.where))
    others = suppressor.for_root(None) if suppressor is not None else None

    def suppress(f: Finding) -> dict | None:
        if not no_inline:
            hit, old = suppression(ignores, (f.meta.id, *f.meta.aliases), f.line, f.file or raw.address, day)
            if old:
                expired.append(old)
            if hit:
                return hit
        return others(f) if others is not None else None

    findings, fixed = gate.decide(found, None, options, suppress=suppress)
    report.findings.extend(findings)
    report.fixed.extend(fixed)
    for old in expired:
        report.warnings.append(
            WarningInfo("ignore-expired", f"the ignore of {old['rule']} expired on {old['expires']}: the finding is reported again", old["where"])
        )
