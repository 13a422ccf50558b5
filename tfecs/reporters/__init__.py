"""Reporters are pure: `render(report, color) -> str`. They decide nothing."""

from __future__ import annotations

import importlib
import os
from typing import Callable, Iterator

from ..report import Report

FORMATS = ("table", "json", "sarif", "junit", "github", "gitlab", "markdown", "atlantis")
# Formats built from the JSON-shaped report: redacted value by value (a secret such as
# "true" or "8080" must mask text inside strings, never a literal, number or key).
STRUCTURED = ("json",)
# The formats built from the redacted report dict (`redacted_doc`: sarif, junit, github,
# gitlab, markdown, atlantis) and the table mask every string from the input before they
# escape, encode or lay it out. Masking the rendered text again would add nothing (the
# rest is tfecs's own words) and could break it: a sensitive value equal to "code",
# "error" or "testcase" would cut an HTML tag, a workflow command or an XML element.


def redacted_doc(report: Report) -> dict:
    """The JSON report (schema v1) with every string redacted, value by value: what the
    formats built from it (markdown, sarif, gitlab, junit, github, atlantis) render."""
    from ..redact import redact_strings
    from .json import report_dict

    return redact_strings(report_dict(report), report.redact)


def get(name: str) -> Callable[..., str]:
    if name not in FORMATS:
        raise KeyError(name)
    return importlib.import_module(f".{name}", __name__).render


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    if fmt in STRUCTURED:
        return b"".join(render_chunks(report, fmt)).decode()
    # The others mask every string from the input before they lay it out (the table:
    # each string it prints, in one batch, before wrapping and shortening, which could
    # split a secret where a pass over the finished text would not see it whole).
    return get(fmt)(report, color=color)


def render_chunks(report: Report, fmt: str) -> Iterator[bytes]:
    """`render` as UTF-8 bytes in pieces, without colour: the JSON report a batch of
    findings at a time, straight from its encoder (tfecs.reporters.json.encode_report)."""
    if fmt in STRUCTURED:
        from .json import encode_report

        yield from encode_report(report, report.redact)
    else:
        yield render(report, fmt).encode("utf-8")


def parse_report_specs(items: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """`--report FORMAT=FILE` values as (format, path); ValueError names the bad one."""
    specs = []
    for item in items:
        fmt, sep, path = item.partition("=")
        fmt = fmt.strip().lower()
        if not sep or not path:
            raise ValueError(f"expected FORMAT=FILE, got {item!r}")
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r} in {item!r} (one of {', '.join(FORMATS)})")
        # Known before scanning: a file that cannot be one (a directory), or two reports
        # in one file (the second would silently replace the first).
        if os.path.isdir(path):
            raise ValueError(f"{path!r} is a directory, not a file (in {item!r})")
        if any(os.path.abspath(path) == os.path.abspath(p) for _, p in specs):
            raise ValueError(f"two reports would be written to {path!r}")
        specs.append((fmt, path))
    return specs


def write_reports(report: Report, specs: list[tuple[str, str]]) -> None:
    """Each extra report file of one scan, never coloured, each through its redaction."""
    for fmt, path in specs:
        with open(path, "wb") as fh:
            for chunk in render_chunks(report, fmt):
                fh.write(chunk)


def exit_code(report: Report, fmt: str) -> int:
    """The scan's exit code, except that the atlantis format exits 0 on findings: Atlantis
    reads its verdict from the text (and drops the output of a failing custom policy
    step). An error stays 2."""
    code = report.exit_code
    return 0 if fmt == "atlantis" and code == 1 else code
