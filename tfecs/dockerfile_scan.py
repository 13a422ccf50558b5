"""One Dockerfile through the same pipeline as a plan: read it into a `dockerfile`
resource, run the rules that judge Dockerfiles, gate (no prior state: every finding is
introduced), and attach its inline `# tfecs:ignore:...` comments as suppressions."""

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


def scan_dockerfile(path: str, rules: Sequence[Rule], options: gate.GateOptions, report: Report, root: str | None = None, today: date | None = None) -> None:
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

    def suppress(f: Finding) -> dict | None:
        hit, old = suppression(ignores, (f.meta.id, *f.meta.aliases), f.line, f.file or raw.address, day)
        if old:
            expired.append(old)
        return hit

    findings, fixed = gate.decide(found, None, options, suppress=suppress)
    report.findings.extend(findings)
    report.fixed.extend(fixed)
    for old in expired:
        report.warnings.append(
            WarningInfo("ignore-expired", f"the ignore of {old['rule']} expired on {old['expires']}: the finding is reported again", old["where"])
        )
