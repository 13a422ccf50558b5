"""JUnit XML (GitLab `artifacts:reports:junit`, Jenkins, Azure DevOps test tabs).

One `testsuite` per input; in it one `testcase` per (rule, resource) that has a finding
(`classname` the rule, `name` the resource address), with a `failure` when a finding
there blocks and `skipped` when every finding there is unknown until apply, not blocking
or suppressed; and one passing `testcase` per rule that ran and found nothing in that
input. Scan errors are `error` test cases in a `tfecs` suite. Every value is made
printable first: XML 1.0 cannot hold most control characters at all.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Iterable

from ..report import Report
from ..textsafe import escape_control


def render(report: Report, color: bool = False) -> str:
    from . import redacted_doc

    return render_doc(redacted_doc(report), rules=[r.meta.id for r in report.rules])


def _v(value: object) -> str:
    return escape_control("" if value is None else str(value))


def render_doc(doc: dict, *, rules: Iterable[str] | None = None) -> str:
    findings = [f for f in doc.get("findings") or () if isinstance(f, dict)]
    ran = list(rules) if rules is not None else sorted({str(f.get("rule")) for f in findings})
    root = ET.Element("testsuites", name="tfecs")
    inputs = [str(i.get("path")) for i in doc.get("inputs") or () if isinstance(i, dict)]
    for path in inputs:
        mine = [f for f in findings if str(f.get("input") or "") == path or (len(inputs) == 1 and not f.get("input"))]
        _suite(root, path, mine, ran)
    errors = [e for e in doc.get("errors") or () if isinstance(e, dict)]
    if errors:
        suite = ET.SubElement(root, "testsuite", name="tfecs")
        for e in errors:
            case = ET.SubElement(suite, "testcase", classname=f"tfecs.{_v(e.get('kind') or 'error')}", name=_v(e.get("where") or "scan"))
            err = ET.SubElement(case, "error", message=_v(e.get("message")), type=_v(e.get("kind") or "error"))
            err.text = _v(e.get("message"))
        _count(suite)
    totals = {k: 0 for k in ("tests", "failures", "errors", "skipped")}
    for suite in root:
        for k in totals:
            totals[k] += int(suite.get(k, "0"))
    for k, n in totals.items():
        root.set(k, str(n))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(root: ET.Element, path: str, findings: list[dict], ran: list[str]) -> None:
    suite = ET.SubElement(root, "testsuite", name=_v(path))
    groups: dict[tuple[str, str], list[dict]] = {}
    for f in findings:
        groups.setdefault((str(f.get("rule")), str(f.get("address"))), []).append(f)
    for (rule, address), group in sorted(groups.items()):
        case = ET.SubElement(suite, "testcase", classname=_v(rule), name=_v(address))
        first = group[0]
        if first.get("file"):
            case.set("file", _v(first["file"]))
            if isinstance(first.get("line"), int):
                case.set("line", str(first["line"]))
        blocking = [f for f in group if f.get("blocking") and not f.get("suppressed")]
        if blocking:
            worst = blocking[0]
            node = ET.SubElement(case, "failure", message=_v(worst.get("message")), type=_v(worst.get("severity")))
            node.text = "\n\n".join(_details(f) for f in blocking)
        else:
            node = ET.SubElement(case, "skipped", message=_why_skipped(group))
            node.text = "\n\n".join(_details(f) for f in group)
    found = {rule for rule, _ in groups}
    for rule in ran:
        if rule not in found:
            ET.SubElement(suite, "testcase", classname=_v(rule), name="no finding")
    _count(suite)


def _count(suite: ET.Element) -> None:
    cases = list(suite.iter("testcase"))
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    suite.set("errors", str(sum(c.find("error") is not None for c in cases)))
    suite.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))


def _why_skipped(group: list[dict]) -> str:
    f = group[0]
    if f.get("suppressed"):
        s = f["suppressed"]
        reason = s.get("reason") if isinstance(s, dict) else None
        return _v(f"suppressed: {reason}" if reason else "suppressed")
    if f.get("status") == "unknown":
        return _v(f"unknown until apply: {f.get('message')}")
    return _v(f"not blocking ({f.get('delta') or 'reported'}, {f.get('severity')}): {f.get('message')}")


def _details(f: dict) -> str:
    lines = [f"{_v(f.get('severity'))} {_v(f.get('rule'))} {_v(f.get('address'))}"]
    if f.get("path"):
        lines[0] += f" {_v(f['path'])}"
    if f.get("file"):
        lines.append(f"at {_v(f['file'])}:{_v(f.get('line') or 1)}")
    lines.append(_v(f.get("message")))
    if f.get("remediation"):
        lines.append(f"fix: {_v(f['remediation'])}")
    if f.get("docs"):
        lines.append(f"docs: {_v(f['docs'])}")
    return "\n".join(lines)
