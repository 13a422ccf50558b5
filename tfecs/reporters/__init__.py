"""Reporters are pure: `render(report, color) -> str`. They decide nothing."""

from __future__ import annotations

from typing import Callable

from ..report import Report

FORMATS = ("table", "json")


def get(name: str) -> Callable[..., str]:
    if name == "json":
        from .json import render
    elif name == "table":
        from .table import render
    else:
        raise KeyError(name)
    return render


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        # Redact the values, not the rendered text: a secret such as "true" or "8080" must
        # mask text inside strings, never a JSON literal, number or key.
        from ..redact import redact_strings
        from .json import dumps, report_dict

        return dumps(redact_strings(report_dict(report), report.redact))
    return report.redact(get(fmt)(report, color=color))
