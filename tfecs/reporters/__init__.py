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
    return report.redact(get(fmt)(report, color=color))
