"""The versioned JSON report (schema_version 1): a contract, so fields are only added."""

from __future__ import annotations

import re

import orjson

from ..report import Report
from ..rule import Finding

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict:
    return {
        "rule": f.meta.id,
        "title": f.meta.title,
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
        "controls": list(f.meta.controls),
        "practice": f.meta.practice_name,
        "remediation": f.remediation,
        "docs": f.meta.docs_url,
        "confidence": f.confidence,
        "input": f.input or None,
        "suppressed": f.suppressed,
    }


def report_dict(report: Report) -> dict:
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
        "findings": [finding_dict(f) for f in report.findings],
        "fixed": [
            {"rule": x.rule, "address": x.address, "path": x.path or None, "severity": x.severity, "title": x.title}
            for x in report.fixed
        ],
        "errors": [{"kind": e.kind, "where": e.where, "message": e.message} for e in report.errors],
        "warnings": [{"kind": w.kind, "where": w.where, "message": w.message} for w in report.warnings],
        "summary": report.summary(),
    }


# What JSON itself leaves raw but a terminal or a CI log obeys: DEL, C1 controls,
# zero-width and bidi characters, line separators, the BOM. Outside strings JSON text is
# ASCII, so each can only be inside a string, where `\uXXXX` means the same character.
_RAW_CONTROLS = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def dumps(doc: dict) -> str:
    text = orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
    if _RAW_CONTROLS.search(text):
        text = _RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def render(report: Report, color: bool = False) -> str:
    return dumps(report_dict(report))
