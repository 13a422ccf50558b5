"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers).

One run. `tool.driver.rules` lists every rule that ran, with its documentation. A
result points at the `.tf` file and line (HCL mode, or a plan scanned with `--source`),
relative to the repository root (`%SRCROOT%`); a plan alone has no file, so the result
falls back to the plan file, and the resource address is always a logical location.
`partialFingerprints` hash the rule, address and attribute path, never the line, so a
finding keeps its identity when code moves. Built from the redacted JSON report dict:
JSON escapes by itself, and no secret reaches any string.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable
from urllib.parse import quote

import orjson

from ..report import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/tfecs/tfecs"
SRCROOT = "%SRCROOT%"
# GitHub ranks security alerts by this score: > 9 critical, 7-8.9 high, 4-6.9 medium.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
DEFAULT_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "note"}
# GitHub code scanning rejects a whole upload with more results than this in a run.
MAX_RESULTS = 25_000
_SEV_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def render(report: Report, color: bool = False) -> str:
    from . import redacted_doc

    return dumps(render_doc(redacted_doc(report), rules=[_rule_from_class(r) for r in report.rules]))


def dumps(doc: dict) -> str:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()


def render_doc(doc: dict, *, rules: list[dict] | None = None) -> dict:
    """The SARIF log for a JSON report dict. `rules`: reporting descriptors of every rule
    that ran (from the rule classes); without them, those of the rules that found
    something, from the findings."""
    findings = [f for f in doc.get("findings") or () if isinstance(f, dict)]
    descriptors = list(rules) if rules is not None else _rules_from_findings(findings)
    known = {d["id"] for d in descriptors}
    descriptors += [d for d in _rules_from_findings(findings) if d["id"] not in known]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    tool = doc.get("tool") or {}
    version = str(tool.get("version") or "0")
    errors = [e for e in doc.get("errors") or () if isinstance(e, dict)]
    notes: list[dict] = []
    if len(findings) > MAX_RESULTS:
        # Keep the ones that matter (blocking, then most severe); say what was left out.
        ranked = sorted(range(len(findings)), key=lambda i: (not findings[i].get("blocking"), _SEV_RANK.get(str(findings[i].get("severity")), 5), i))
        kept = sorted(ranked[:MAX_RESULTS])
        notes.append({"level": "warning", "message": {"text": (
            f"{len(findings) - MAX_RESULTS} of {len(findings)} findings are left out: code scanning rejects a run of more than "
            f"{MAX_RESULTS} results (the blocking and most severe are kept; the JSON report has them all)")}})
        findings = [findings[i] for i in kept]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "tfecs",
                "version": version,
                "semanticVersion": version,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "invocations": [
            {
                "executionSuccessful": not errors,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": _error_text(e)}} for e in errors
                ] + notes,
            }
        ],
        "results": [_result(f, index) for f in findings],
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule_from_class(rule: Any) -> dict:
    m = rule.meta
    docs = rule.docs()
    return _descriptor(m.id, m.title, m.severity.value, m.practice_name, list(m.controls), m.docs_url,
                       _first_section(docs) or m.title, docs or m.title, m.remediation)


def _rules_from_findings(findings: Iterable[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for f in findings:
        rule = str(f.get("rule"))
        if rule not in seen:
            title = str(f.get("title") or rule)
            seen[rule] = _descriptor(rule, title, str(f.get("severity")), str(f.get("practice") or ""),
                                     list(f.get("controls") or ()), f.get("docs"), title, title, None)
    return list(seen.values())


def _descriptor(rule_id: str, title: str, severity: str, practice: str, controls: list, docs_url: str | None,
                full: str, help_md: str, fix: str | None) -> dict:
    tags = ["security", "terraform", "aws-ecs"]
    if practice:
        tags.append(practice)
    tags += [str(c) for c in controls]
    help_text = help_md if not fix else f"{help_md}\n\nFix: {fix}"
    out: dict[str, Any] = {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("-")),
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": DEFAULT_LEVEL.get(severity, "warning")},
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
            "problem.severity": "error" if DEFAULT_LEVEL.get(severity) == "error" else "warning",
        },
    }
    if isinstance(docs_url, str) and docs_url.startswith("https://"):
        out["helpUri"] = docs_url
    return out


def _first_section(docs: str) -> str:
    """The text under the docs' first heading ("What it does"), as one paragraph."""
    lines = docs.splitlines()
    body: list[str] = []
    for line in lines[1:] if lines and lines[0].startswith("## ") else lines:
        if line.startswith("## "):
            break
        body.append(line.strip())
    return " ".join(x for x in body if x)


def _level(f: dict) -> str:
    if f.get("status") == "unknown":
        return "note"
    if f.get("blocking"):
        return "error"
    return "note" if f.get("severity") == "info" else "warning"


def fingerprint(f: dict) -> str:
    """Stable across line moves: the rule, the resource address and the attribute path."""
    key = "\x1f".join(str(f.get(k) or "") for k in ("rule", "address", "path"))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _artifact(path: str) -> dict:
    """A repository-relative path against %SRCROOT%; an absolute one as a file: URI."""
    if path.startswith("/"):
        return {"uri": "file://" + quote(path, safe="/")}
    if path.startswith("./"):
        path = path[2:]
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _result(f: dict, index: dict[str, int]) -> dict:
    rule = str(f.get("rule"))
    message = str(f.get("message") or "")
    if f.get("remediation"):
        message += f" Fix: {f['remediation']}"
    logical = [{"fullyQualifiedName": str(f.get("address")), "kind": "resource"}]
    if f.get("path"):
        logical.append({"fullyQualifiedName": f"{f.get('address')}.{f['path']}", "kind": "member"})
    location: dict[str, Any] = {"logicalLocations": logical}
    line = f.get("line") if isinstance(f.get("line"), int) and f["line"] >= 1 else 1
    if f.get("file"):
        location["physicalLocation"] = {
            "artifactLocation": _artifact(str(f["file"])),
            "region": {"startLine": line},
        }
    elif f.get("input") and f.get("input") != "<stdin>":
        # A plan alone: the plan file, the address says where in it.
        location["physicalLocation"] = {
            "artifactLocation": _artifact(str(f["input"])),
            "region": {"startLine": 1},
        }
    result: dict[str, Any] = {
        "ruleId": rule,
        "ruleIndex": index[rule],
        "level": _level(f),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {"tfecsFindingHash/v1": fingerprint(f)},
        "properties": {
            k: f.get(k)
            for k in ("severity", "status", "delta", "blocking", "address", "resource_type", "action", "container", "confidence")
            if f.get(k) is not None
        },
    }
    suppressed = f.get("suppressed")
    if suppressed:
        result["suppressions"] = [_suppression(suppressed)]
    return result


def _suppression(s: Any) -> dict:
    if not isinstance(s, dict):
        return {"kind": "external", "status": "accepted"}
    out: dict[str, Any] = {"kind": "inSource" if s.get("source") == "inline" else "external", "status": "accepted"}
    if s.get("reason"):
        out["justification"] = str(s["reason"])
    props = {k: str(s[k]) for k in ("source", "expires", "where") if s.get(k)}
    if props:
        out["properties"] = props
    return out


def _error_text(e: dict) -> str:
    where, message = e.get("where"), str(e.get("message") or "")
    return f"{where}: {message}" if where else message
