"""The finished report every reporter renders, and the exit code derived from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import __version__
from .gate import Fixed, GateOptions
from .rule import Finding, Severity, Status

EXIT_OK, EXIT_BLOCKING, EXIT_ERROR = 0, 1, 2


@dataclass(slots=True)
class InputInfo:
    path: str
    kind: str  # "plan" | "state" | "hcl"
    format_version: str | None = None
    terraform_version: str | None = None
    resources: int = 0


@dataclass(slots=True)
class ErrorInfo:
    kind: str  # "input" | "resource" | "rule" | "internal"
    message: str
    where: str | None = None  # a path, a resource address or a rule id

    def line(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def _unchanged(text: str) -> str:
    """No secret to mask. A module-level function, so a report pickles (a monorepo's
    roots are scanned in worker processes)."""
    return text


@dataclass(slots=True)
class WarningInfo:
    """Worth saying, not an error: never changes the exit code. `kind` is a stable word
    (e.g. "source-unmatched", "variable-no-value", "module-not-downloaded",
    "file-outside-root", "ignore-unused", "ignore-expired", "config")."""

    kind: str
    message: str
    where: str | None = None  # a path (file:line where known), an address or a rule id

    def line(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass(slots=True)
class Report:
    inputs: list[InputInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    fixed: list[Fixed] = field(default_factory=list)
    errors: list[ErrorInfo] = field(default_factory=list)
    warnings: list[WarningInfo] = field(default_factory=list)
    options: GateOptions = field(default_factory=GateOptions)
    rules_run: int = 0
    rules: list = field(default_factory=list)  # the Rule instances that ran (SARIF and JUnit list them)
    redact: Callable[[str], str] = field(default=_unchanged)
    tool_version: str = __version__

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_ERROR
        return EXIT_BLOCKING if any(f.blocking for f in self.findings) else EXIT_OK

    def summary(self) -> dict:
        by_sev = {s.value: 0 for s in Severity}
        for f in self.findings:
            by_sev[f.effective_severity.value] += 1
        return {
            "introduced": sum(f.delta == "introduced" for f in self.findings),
            "existing": sum(f.delta == "existing" for f in self.findings),
            "fixed": len(self.fixed),
            "blocking": sum(f.blocking for f in self.findings),
            "unknown": sum(f.status is Status.UNKNOWN for f in self.findings),
            "suppressed": sum(bool(f.suppressed) for f in self.findings),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "by_severity": by_sev,
            "resources": sum(i.resources for i in self.inputs),
            "rules": self.rules_run,
            "exit_code": self.exit_code,
        }

    def summary_line(self) -> str:
        s = self.summary()
        text = (
            f"{s['introduced']} introduced ({s['blocking']} blocking), {s['existing']} existing, "
            f"{s['fixed']} fixed"
        )
        if s["unknown"]:
            text += f", {s['unknown']} unknown until apply"
        if s["errors"]:
            text += f", {s['errors']} error{'s' if s['errors'] != 1 else ''}"
        return text
