"""A terminal report: blocking findings first, then what already exists, then fixes."""

from __future__ import annotations

import click
from tabulate import tabulate

from ..report import Report
from ..rule import Finding, Status
from ..textsafe import escape_control

_SEV_COLOR = {"critical": "magenta", "high": "red", "medium": "yellow", "low": "cyan", "info": "white"}


def render(report: Report, color: bool = False) -> str:
    def style(text: str, **kw: object) -> str:
        return click.style(text, **kw) if color else text

    out: list[str] = []
    for i in report.inputs:
        version = f"format {i.format_version}, " if i.format_version else ""
        out.append(f"tfecs {report.tool_version}: {i.path} ({i.kind}, {version}{i.resources} resources)")
    groups = (
        ("Blocking", [f for f in report.findings if f.blocking]),
        ("Introduced, not blocking", [f for f in report.findings if not f.blocking and not f.suppressed and f.delta == "introduced"]),
        ("Existing before this change (reported, not blocking)", [f for f in report.findings if not f.blocking and not f.suppressed and f.delta != "introduced"]),
    )
    for title, findings in groups:
        if not findings:
            continue
        out.append("")
        out.append(style(f"{title} ({len(findings)})", bold=True))
        # Every cell is text: guessing which are numbers was most of the time (10k plan: 0.33 s).
        out.append(
            tabulate(_rows(findings, style), headers=["severity", "rule", "resource", "finding"], tablefmt="simple", disable_numparse=True)
        )
    suppressed = [f for f in report.findings if f.suppressed]
    if suppressed:
        out.append("")
        out.append(style(f"Suppressed ({len(suppressed)})", bold=True))
        out.extend(_suppressed_line(f) for f in suppressed)
    if report.fixed:
        out.append("")
        out.append(style(f"Fixed by this change ({len(report.fixed)})", bold=True, fg="green"))
        for x in report.fixed:
            where = f" {x.path}" if x.path else ""
            out.append(f"  {style('fixed', fg='green')}  {x.rule}  {x.address}{where}")
    if report.warnings:
        out.append("")
        out.append(style(f"Warnings ({len(report.warnings)})", bold=True, fg="yellow"))
        out.extend(f"  warning: {w.line()}" for w in report.warnings)
    out.append("")
    verdict = {0: "pass", 1: "blocked", 2: "error"}[report.exit_code]
    out.append(f"{report.summary_line()}. Result: {verdict} (exit {report.exit_code}).")
    return "\n".join(out) + "\n"


def _suppressed_line(f: Finding) -> str:
    s = f.suppressed or {}
    until = f", until {s['expires']}" if s.get("expires") else ""
    where = f" {f.path_text}" if f.path else ""
    text = f"  {f.meta.id}  {f.address}{where}: {s.get('source')} {s.get('where')}{until}: {s.get('reason')}"
    return escape_control(text)


def _rows(findings: list[Finding], style) -> list[list[str]]:
    """One row a finding, except that the unknowns of one value (a task definition's
    container_definitions known only after apply concerns a dozen rules) share a row."""
    unknown: dict[tuple, list[Finding]] = {}
    for f in findings:
        if f.status is Status.UNKNOWN:
            unknown.setdefault((f.address, f.path_text), []).append(f)
    rows: list[list[str]] = []
    for f in findings:
        same = unknown.get((f.address, f.path_text), ()) if f.status is Status.UNKNOWN else ()
        if len(same) < 2:
            rows.append(_row(f, style))
        elif same[0] is f:
            rows.append(_unknown_row(same, style))
    return rows


def _unknown_row(same: list[Finding], style) -> list[str]:
    worst = max(same, key=lambda f: f.effective_severity.rank)
    row = _row(worst, style)
    row[1] = "\n".join(f.meta.id for f in same)
    row[3] = (
        f"{worst.path_text or 'a value'} is known only after apply: {len(same)} rules cannot rule out a finding\n"
        "fix: scan with --source DIR to evaluate it from the configuration, or make it known at plan time"
    )
    return row


def _row(f: Finding, style) -> list[str]:
    sev = f.effective_severity.value
    sev_text = style(sev, fg=_SEV_COLOR[sev])
    if f.status is Status.UNKNOWN:
        sev_text += " (unknown)"
    where = f"{f.address} ({f.action})" if f.action else f.address
    if f.path:
        where += f"\n  {f.path_text}"
    if f.file:
        where += f"\n  {f.file}:{f.line}" if f.line else f"\n  {f.file}"
    return [sev_text, f.meta.id, where, f"{f.message}\nfix: {f.remediation}"]
