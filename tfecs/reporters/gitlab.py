"""GitLab Code Quality (`artifacts:reports:codequality`): a JSON array of issues that the
merge request widget compares between the base and the head pipeline. Built from the
redacted JSON report dict."""

from __future__ import annotations

import hashlib

import orjson

from ..report import Report

# GitLab's five levels; a blocking finding of any severity is at least "major".
SEVERITY = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"}
_RANKS = ("info", "minor", "major", "critical", "blocker")


def render(report: Report, color: bool = False) -> str:
    from . import redacted_doc

    return dumps(render_doc(redacted_doc(report)))


def dumps(issues: list) -> str:
    return orjson.dumps(issues, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()


def render_doc(doc: dict) -> list[dict]:
    """One issue per finding, suppressed ones left out (GitLab has no suppression), each
    with a fingerprint that is unique in the report and stable across runs and line
    moves (rule, address, attribute path, input)."""
    issues: list[dict] = []
    seen: set[str] = set()
    for f in doc.get("findings") or ():
        if not isinstance(f, dict) or f.get("suppressed"):
            continue
        issues.append(_issue(f, seen))
    return issues


def _severity(f: dict) -> str:
    if f.get("status") == "unknown":
        return "info"
    sev = SEVERITY.get(str(f.get("severity")), "major")
    if f.get("blocking") and _RANKS.index(sev) < _RANKS.index("major"):
        return "major"
    return sev


def _issue(f: dict, seen: set[str]) -> dict:
    key = "\x1f".join(str(f.get(k) or "") for k in ("rule", "address", "path", "input"))
    fp = hashlib.sha256(key.encode()).hexdigest()
    n = 1
    while fp in seen:  # the same key twice (a rule reporting one value twice): still unique
        n += 1
        fp = hashlib.sha256(f"{key}\x1f{n}".encode()).hexdigest()
    seen.add(fp)
    address = str(f.get("address"))
    where = f" ({f['path']})" if f.get("path") else ""
    status = "unknown until apply: " if f.get("status") == "unknown" else ""
    line = f.get("line") if isinstance(f.get("line"), int) and f["line"] >= 1 else 1
    path = f.get("file") or f.get("input") or "plan"
    issue = {
        "type": "issue",
        "engine_name": "tfecs",
        "check_name": str(f.get("rule")),
        "description": f"{status}{address}{where}: {f.get('message') or ''}",
        "categories": ["Security"],
        "severity": _severity(f),
        "fingerprint": fp,
        "location": {"path": str(path)[2:] if str(path).startswith("./") else str(path), "lines": {"begin": line}},
    }
    if f.get("remediation") or f.get("docs"):
        body = f"Fix: {f.get('remediation') or ''}"
        if f.get("docs"):
            body += f"\n\nDocs: {f['docs']}"
        issue["content"] = {"body": body}
    return issue
