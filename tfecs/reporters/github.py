"""GitHub Actions workflow commands: one annotation a finding (`::error` blocking,
`::warning` not blocking, `::notice` unknown until apply), most severe first, then a
plain summary line.

GitHub turns at most 10 errors, 10 warnings and 10 notices of a step into annotations
(the rest stay in the log), so the order decides what a reviewer sees on the PR. Values
are hostile: control characters are made visible first (no value can end its line and
start a command of its own), then GitHub's own escaping (`%`, CR, LF in the message;
also `:` and `,` in properties).
"""

from __future__ import annotations

from ..report import Report
from ..textsafe import escape_control

ANNOTATIONS_PER_STEP = 10
_SEV_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
_KIND_RANK = {"error": 0, "warning": 1, "notice": 2}


def render(report: Report, color: bool = False) -> str:
    from . import redacted_doc

    return render_doc(redacted_doc(report))


def escape_data(text: str) -> str:
    """GitHub's escaping of a command's message (its own newlines become line breaks)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub's escaping of a property value (file, title)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _v(value: object) -> str:
    """A value from the input, on one line whatever it holds."""
    return escape_control("" if value is None else str(value))


def _kind(f: dict) -> str:
    if f.get("status") == "unknown":
        return "notice"
    return "error" if f.get("blocking") else "warning"


def render_doc(doc: dict) -> str:
    findings = [f for f in doc.get("findings") or () if isinstance(f, dict) and not f.get("suppressed")]
    findings.sort(key=lambda f: (_KIND_RANK[_kind(f)], _SEV_RANK.get(str(f.get("severity")), 5),
                                 str(f.get("rule")), str(f.get("address")), str(f.get("path"))))
    out: list[str] = []
    for e in doc.get("errors") or ():
        if isinstance(e, dict):
            where = f"{_v(e['where'])}: " if e.get("where") else ""
            out.append(f"::error title={escape_property('tfecs error')}::{escape_data(where + _v(e.get('message')))}")
    counts = {"error": 0, "warning": 0, "notice": 0}
    for f in findings:
        kind = _kind(f)
        counts[kind] += 1
        props = []
        if f.get("file"):
            props.append(f"file={escape_property(_v(f['file']))}")
            if isinstance(f.get("line"), int) and f["line"] >= 1:
                props.append(f"line={f['line']}")
        props.append(f"title={escape_property(_title(f))}")
        out.append(f"::{kind} {','.join(props)}::{escape_data(_message(f))}")
    over = [f"{n} {k}s" for k, n in counts.items() if n > ANNOTATIONS_PER_STEP]
    if over:
        out.append(
            f"tfecs: GitHub shows {ANNOTATIONS_PER_STEP} annotations of each kind per step, the most severe "
            f"listed first; the rest of the {', '.join(over)} are in this log only."
        )
    out.append(_summary(doc))
    return "\n".join(out) + "\n"


def _title(f: dict) -> str:
    sev = str(f.get("severity"))
    if f.get("status") == "unknown":
        sev += ", unknown until apply"
    return f"tfecs {_v(f.get('rule'))} ({_v(sev)})"


def _message(f: dict) -> str:
    where = _v(f.get("address"))
    if f.get("path"):
        where += f" {_v(f['path'])}"
    text = f"{where}: {_v(f.get('message'))}"
    if f.get("remediation"):
        text += f"\nFix: {_v(f['remediation'])}"
    if f.get("docs"):
        text += f"\nDocs: {_v(f['docs'])}"
    return text


def _summary(doc: dict) -> str:
    s = doc.get("summary") if isinstance(doc.get("summary"), dict) else {}
    def n(key: str) -> int:
        value = s.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    code = n("exit_code")
    verdict = {0: "pass", 1: "blocked", 2: "error"}.get(code, "unknown")
    text = f"tfecs: {n('introduced')} introduced ({n('blocking')} blocking), {n('existing')} existing, {n('fixed')} fixed"
    if n("unknown"):
        text += f", {n('unknown')} unknown until apply"
    if n("errors"):
        text += f", {n('errors')} error{'s' if n('errors') != 1 else ''}"
    return f"{text}. Result: {verdict} (exit {code})."
