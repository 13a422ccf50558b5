"""Where a finding's `file` points: relative to the repository root (the enclosing git
work tree of the scanned or --source directory, else the current directory), with
forward slashes, so CI annotations, SARIF and editors find it whatever the working
directory of the scan was."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Report


def repo_root(directory: str) -> str:
    """The nearest enclosing directory holding `.git` (a directory, or a file in a
    worktree or submodule), else the current directory."""
    return git_root(os.path.abspath(directory)) or os.getcwd()


@lru_cache(maxsize=64)
def git_root(here: str) -> str | None:
    """The nearest directory at or above the absolute path `here` holding `.git` (a
    folder, or a file in a worktree), or None. (Confinement has its own, on real paths.)"""
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def repo_relative(file: str, base_dir: str) -> str:
    """`file` (relative to `base_dir`, or absolute) as a path from the repository root."""
    full = os.path.normpath(os.path.join(os.path.abspath(base_dir), file))
    return os.path.relpath(full, repo_root(base_dir)).replace(os.sep, "/")


def relocate(report: "Report", source: str | None) -> None:
    """Rewrite each finding's `file` from the directory it was found relative to (the
    scanned HCL directory, or --source for a plan) to the repository root. Called on the
    finished report: `scan()` and the gate's suppressions keep files relative to the
    scanned directory."""
    bases = {i.path: (i.path if i.kind == "hcl" else source) for i in report.inputs}
    seen: dict[tuple[str, str], str] = {}  # a file has many findings: find its path once

    def relative(file: str, base: str) -> str:
        if (file, base) not in seen:
            seen[file, base] = repo_relative(file, base)
        return seen[file, base]

    for f in report.findings:
        base = bases.get(f.input)
        if not base:
            continue
        if f.file:
            f.file = relative(f.file, base)
        where = (f.suppressed or {}).get("where")
        if f.suppressed and f.suppressed.get("source") == "inline" and isinstance(where, str):
            file, sep, line = where.rpartition(":")
            if sep and line.isdigit():
                f.suppressed = {**f.suppressed, "where": f"{relative(file, base)}:{line}"}
