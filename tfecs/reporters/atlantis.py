"""Plain text for Atlantis (`policy_check` with `custom_policy_check: true`, or a `run`
step): conftest's shape, which Atlantis parses.

    FAIL - <address> - <rule> - <message>      a blocking finding
    WARN - <address> - <rule> - <message>      introduced, not blocking, or unknown
    N tests, N passed, N warnings, N failures, N exceptions

Atlantis (>= 0.39) fails a policy set whose output matches `[1-9][0-9]* failure` or
starts with FAIL; older versions fail on any "fail" in it. So a run with nothing blocking
never says the word: its last line counts without the conftest summary. Lines are sorted
(sticky approvals hash them), one finding each, no colour, at most MAX_LINES of them
(Atlantis keeps the end of a long output: the summary is last). Existing findings are
counted, not listed. `tests` counts each finding and each rule that found nothing in an
input; `exceptions` are suppressed findings (conftest's word for an excepted rule).
"""

from __future__ import annotations

from ..report import Report
from ..textsafe import escape_control

MAX_LINES = 100
_SEV_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def render(report: Report, color: bool = False) -> str:
    from . import redacted_doc

    return render_doc(redacted_doc(report), rules_run=len(report.rules) or report.rules_run)


def _v(value: object) -> str:
    return escape_control("" if value is None else str(value))


def render_doc(doc: dict, *, rules_run: int | None = None) -> str:
    findings = [f for f in doc.get("findings") or () if isinstance(f, dict)]
    summary = doc.get("summary") if isinstance(doc.get("summary"), dict) else {}
    if rules_run is None:
        rules_run = summary.get("rules") if isinstance(summary.get("rules"), int) else 0
    inputs = [i for i in doc.get("inputs") or () if isinstance(i, dict)]
    active = [f for f in findings if not f.get("suppressed")]
    failures = [f for f in active if f.get("blocking")]
    warnings = [f for f in active if not f.get("blocking")]
    listed_warnings = [f for f in warnings if f.get("delta") == "introduced" or f.get("status") == "unknown"]
    exceptions = len(findings) - len(active)
    # A rule passes in an input where it found nothing.
    paths = [str(i.get("path")) for i in inputs]
    passed = 0
    for path in paths:
        hit = {str(f.get("rule")) for f in findings if len(paths) == 1 or str(f.get("input") or "") == path}
        passed += max(rules_run - len(hit), 0)
    tests = passed + len(warnings) + len(failures) + exceptions

    out: list[str] = []
    for e in doc.get("errors") or ():
        if isinstance(e, dict):
            where = f"{_v(e['where'])} - " if e.get("where") else ""
            out.append(f"ERROR - {where}{_v(e.get('message'))}")
    lines = [_line("FAIL", f) for f in sorted(failures, key=_order)]
    lines += [_line("WARN", f) for f in sorted(listed_warnings, key=_order)]
    if len(lines) > MAX_LINES:
        left = len(lines) - MAX_LINES
        lines = lines[:MAX_LINES] + [f"... and {left} more findings not listed here: see the full report (--format json)"]
    out += lines
    unlisted = len(warnings) - len(listed_warnings)
    if unlisted:
        out.append(f"{unlisted} findings existed before this change (not blocking, not listed)")
    counts = f"{tests} tests, {passed} passed, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    if failures:
        out.append(f"{counts}, {len(failures)} failure{'s' if len(failures) != 1 else ''}, {exceptions} exceptions")
    else:
        out.append(f"tfecs: {counts}, nothing blocking, {exceptions} exceptions")
    return "\n".join(out) + "\n"


def _order(f: dict) -> tuple:
    return (_SEV_RANK.get(str(f.get("severity")), 5), str(f.get("address")), str(f.get("rule")), str(f.get("path")))


def _line(word: str, f: dict) -> str:
    message = _v(f.get("message"))
    if f.get("status") == "unknown":
        message = f"unknown until apply: {message}"
    where = f" ({_v(f['file'])}:{_v(f.get('line') or 1)})" if f.get("file") else ""
    return f"{word} - {_v(f.get('address'))} - {_v(f.get('rule'))} - {message}{where}"
