"""Reporters are pure: `render(report, color) -> str`. They decide nothing."""

from __future__ import annotations

import importlib
from typing import Callable

from ..report import Report

FORMATS = ("table", "json", "markdown")
# Formats built from the JSON-shaped report: redacted value by value (a secret such as
# "true" or "8080" must mask text inside strings, never a literal, number or key).
_STRUCTURED = ("json",)


def get(name: str) -> Callable[..., str]:
    if name not in FORMATS:
        raise KeyError(name)
    return importlib.import_module(f".{name}", __name__).render


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    if fmt in _STRUCTURED:
        from ..redact import redact_strings
        from .json import dumps, report_dict

        return dumps(redact_strings(report_dict(report), report.redact))
    # Each renderer redacts what it builds from; the text once more, as a last line of
    # defence (addresses and rule ids are kept as they are).
    return report.redact(get(fmt)(report, color=color))
