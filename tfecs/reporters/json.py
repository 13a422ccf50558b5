"""The versioned JSON report (schema_version 1): a contract, so fields are only added."""

from __future__ import annotations

from typing import Iterator

import orjson

from ..redact import JSON_RAW_CONTROLS
from ..report import Report
from ..rule import Finding

SCHEMA_VERSION = 1


def _rule_fields(meta) -> tuple:
    """What every finding of a rule repeats: id, title, controls, practice, docs URL."""
    return (meta.id, meta.title, list(meta.controls), meta.practice_name, meta.docs_url)


def finding_dict(f: Finding, rule: tuple | None = None) -> dict:
    """`rule`: _rule_fields of its rule when the caller has them (a report has thousands
    of findings of a few dozen rules; the docs URL reads the environment)."""
    rule_id, title, controls, practice, docs = rule if rule is not None else _rule_fields(f.meta)
    return {
        "rule": rule_id,
        "title": title,
        "severity": f.effective_severity.value,
        "status": f.status.value,
        "address": f.address,
        "resource_type": f.resource_type,
        "action": f.action,
        "delta": f.delta,
        "blocking": f.blocking,
        "message": f.message,
        "path": f.path_text or None,
        "container": f.container,
        "file": f.file,
        "line": f.line,
        "controls": controls,
        "practice": practice,
        "remediation": f.remediation,
        "docs": docs,
        "confidence": f.confidence,
        "input": f.input or None,
        "suppressed": f.suppressed,
    }


def report_dict(report: Report, findings: bool = True) -> dict:
    """The report document; `findings=False` leaves its findings list empty (encode_report
    fills it in batches)."""
    return {**_head(report), "findings": findings_dicts(report.findings) if findings else [], **_tail(report)}


def findings_dicts(findings: list[Finding]) -> list[dict]:
    rules: dict[int, tuple] = {}
    for f in findings:
        if id(f.meta) not in rules:
            rules[id(f.meta)] = _rule_fields(f.meta)
    return [finding_dict(f, rules[id(f.meta)]) for f in findings]


def _head(report: Report) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "tfecs", "version": report.tool_version},
        "inputs": [
            {
                "path": i.path,
                "kind": i.kind,
                "format_version": i.format_version,
                "terraform_version": i.terraform_version,
                "resources": i.resources,
            }
            for i in report.inputs
        ],
    }


def _tail(report: Report) -> dict:
    return {
        "fixed": [
            {"rule": x.rule, "address": x.address, "path": x.path or None, "severity": x.severity, "title": x.title}
            for x in report.fixed
        ],
        "errors": [{"kind": e.kind, "where": e.where, "message": e.message} for e in report.errors],
        "warnings": [{"kind": w.kind, "where": w.where, "message": w.message} for w in report.warnings],
        "summary": report.summary(),
    }


_BATCH = 500
_EMPTY_FINDINGS = b'\n  "findings": [],\n'


def encode_report(report: Report, redact) -> Iterator[bytes]:
    """The report's UTF-8 text in pieces, the same bytes as encode(redact_strings(
    report_dict(report), redact)): the findings are made, redacted and encoded a batch
    at a time, so that neither thousands of finding dicts nor the whole text are held
    at once (a dense plan's report is megabytes, at the run's peak of memory).

    Exact: orjson indents by depth, and a batch encoded as a list of its own is the
    same text as inside the document two spaces shallower; redaction is value by value
    (redact_strings), whatever else is redacted with it."""
    from ..redact import redact_strings

    skeleton = encode(redact_strings(report_dict(report, findings=False), redact))
    at = skeleton.find(_EMPTY_FINDINGS)
    if not report.findings or at < 0 or skeleton.find(_EMPTY_FINDINGS, at + 1) >= 0:
        yield encode(redact_strings(report_dict(report), redact))  # nothing to split (or no unique place)
        return
    yield skeleton[: at + len(_EMPTY_FINDINGS) - 3] + b"\n"  # up to `"findings": [`
    for start in range(0, len(report.findings), _BATCH):
        batch = encode(redact_strings(findings_dicts(report.findings[start : start + _BATCH]), redact))
        # `[\n  {...},\n  {...}\n]\n` -> the items, two spaces deeper, after the previous batch's comma.
        items = batch[2 : batch.rindex(b"\n]")].replace(b"\n", b"\n  ")
        yield (b",\n  " if start else b"  ") + items
    yield b"\n  ]" + skeleton[at + len(_EMPTY_FINDINGS) - 2 :]


def encode(doc: dict) -> bytes:
    """The report's UTF-8 text. The CLI writes these bytes as they are: decoding them to a
    str first held both copies at once at the run's peak of memory (7 MB each on a dense
    plan)."""
    # The newline by orjson: `+ "\n"` copied the whole text once more.
    data = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    # Outside strings JSON text is ASCII: each of these is inside a string, where
    # `\uXXXX` means the same character. (An ASCII text, told in constant time, can
    # hold only DEL of them.)
    if data.isascii():
        if b"\x7f" not in data:
            return data
        text = data.decode()
    else:
        text = data.decode()
        if not JSON_RAW_CONTROLS.search(text):
            return data
    return JSON_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode()


def render(report: Report, color: bool = False) -> str:
    """The report's text, redacted as every format is (it was the unredacted document)."""
    return b"".join(encode_report(report, report.redact)).decode()
