"""Monorepos: find every root module under a directory, and scan them in parallel.

A root module is a folder with `.tf` files that no other folder under the scanned
directory calls as a local module (`source = "./..."` or `"../..."`). `.terraform/`,
hidden folders and `examples/` are skipped (name an example folder to scan it).
Each root is its own input of one report; a broken one is its own error and the others
still report.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Sequence

from .report import ErrorInfo, Report

SKIP_DIRS = frozenset({".terraform", "examples", "node_modules"})
MAX_TF_BYTES = 4 * 1024 * 1024  # a module source is near the top of a small file
_LOCAL_SOURCE = re.compile(rb'''^\s*source\s*=\s*"(\.\.?/[^"\n]*)"''', re.MULTILINE)


def _tf_files(directory: str) -> list[str]:
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [n for n in names if n.endswith(".tf") and os.path.isfile(os.path.join(directory, n))]


def has_tf(directory: str) -> bool:
    return bool(_tf_files(directory))


def find_root_modules(directory: str) -> list[str]:
    """Root module folders under `directory` (itself included), sorted."""
    top = os.path.realpath(directory)
    tf_dirs: dict[str, str] = {}  # real path -> path as the user will read it
    for here, dirs, _files in os.walk(directory, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        if has_tf(here):
            tf_dirs[os.path.realpath(here)] = os.path.normpath(here)
    called: set[str] = set()
    for real, shown in tf_dirs.items():
        for target in _local_module_sources(shown):
            resolved = os.path.realpath(os.path.join(real, target))
            if resolved != real and (resolved == top or resolved.startswith(top + os.sep)):
                called.add(resolved)
    return sorted(shown for real, shown in tf_dirs.items() if real not in called)


def _local_module_sources(directory: str) -> set[str]:
    """`source` values of local module calls in a folder's .tf files (read only when
    small and inside the folder: a symlink out of the repository is not followed)."""
    out: set[str] = set()
    real_dir = os.path.realpath(directory)
    for name in _tf_files(directory):
        path = os.path.join(directory, name)
        if os.path.dirname(os.path.realpath(path)) != real_dir:
            continue
        try:
            if os.path.getsize(path) > MAX_TF_BYTES:
                continue
            with open(path, "rb") as fh:
                text = fh.read()
        except OSError:
            continue
        out.update(m.decode("utf-8", "replace") for m in _LOCAL_SOURCE.findall(text))
    return out


def find_dockerfiles(directory: str) -> list[str]:
    """Dockerfiles (by name) under `directory`, skipping what the root module search
    skips; a symlink is not followed (it may lead out of the repository)."""
    from .inputs.dockerfile import is_dockerfile_name

    found: list[str] = []
    for here, dirs, files in os.walk(directory, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(files):
            path = os.path.join(here, name)
            if is_dockerfile_name(name) and not os.path.islink(path):
                found.append(os.path.normpath(path))
    return sorted(found)


def expand(paths: Sequence[str], recursive: bool) -> list[str]:
    """Each directory that is to be scanned recursively (asked, or holding no .tf file
    itself) becomes its root modules and its Dockerfiles; everything else stays as given."""
    out: list[str] = []
    for p in paths:
        if p != "-" and os.path.isdir(p) and (recursive or not has_tf(p)):
            roots = find_root_modules(p)
            dockerfiles = find_dockerfiles(p)
            out.extend(roots or ([] if dockerfiles else [p]))  # none: let the scan say what is wrong with p
            out.extend(dockerfiles)
        else:
            out.append(p)
    return out


# ---------------------------------------------------------------------------- parallel scan

_JOB: tuple | None = None  # (rules, options, src, suppressor), inherited by forked workers


def _scan_one(path: str) -> Report:
    from .scan import scan

    assert _JOB is not None
    rules, options, src, suppressor = _JOB
    try:
        report = scan([path], rules, options, src, suppressor=suppressor)
        report.rules = []  # the parent has them; custom rule classes need not pickle
        return report
    except Exception as exc:  # noqa: BLE001 - one broken module must not hide the others
        report = Report(options=options, rules_run=len(rules))
        report.errors.append(ErrorInfo("internal", f"internal error: {type(exc).__name__}: {exc} (please report this)", path))
        return report


def scan_parallel(paths: Sequence[str], rules, options, src, jobs: int | None = None, suppressor=None, dockerfiles: Sequence[str] = ()) -> Report:
    """`scan()` of each path in its own process, merged into one report (inputs in the
    order given). Sequential where processes cannot be forked, or for one path.

    Ignores are applied here, in this process, to the workers' findings: the suppressor
    counts which ignores matched, and an ignore of one root must not be called unused
    by the worker of another. `dockerfiles` (--dockerfile) are scanned here, through
    the same suppressor, before it reports unused ignores."""
    global _JOB
    from .scan import scan

    if len(paths) < 2:
        return scan(paths, rules, options, src, dockerfiles=tuple(dockerfiles), suppressor=suppressor)
    # Workers apply the Dockerfiles' inline ignores themselves: under --no-ignores they
    # must not (the parent applies the rest: config ignores, baseline).
    worker_suppressor = None
    if suppressor is not None and suppressor.no_ignores:
        from .suppress import Suppressor

        worker_suppressor = Suppressor(known=(), no_ignores=True)
    _JOB = (rules, options, src, worker_suppressor)
    try:
        jobs = max(1, min(len(paths), jobs or os.cpu_count() or 1))
        if jobs == 1 or sys.platform == "win32" or not hasattr(os, "fork"):
            reports = [_scan_one(p) for p in paths]
        else:
            import multiprocessing

            # fork: workers inherit the loaded rules (custom ones too) without pickling them.
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                reports = pool.map(_scan_one, paths, chunksize=1)
    finally:
        _JOB = None
    if suppressor is not None:
        for r in reports:
            _suppress(r, suppressor, src)
    if dockerfiles:
        from .dockerfile_scan import scan_dockerfile

        extra = Report(options=options, rules_run=len(rules))
        for path in dockerfiles:
            scan_dockerfile(path, rules, options, extra, suppressor=suppressor)
        reports.append(extra)
    out = merge(reports, options, rules)
    if suppressor is not None:
        suppressor.finish(out)
    return out


def _suppress(report: Report, suppressor, src) -> None:
    """What `gate.decide(suppress=)` does in a single scan: a suppressed finding never blocks.
    Finding.file is still relative to the input's directory here."""
    for info in report.inputs:
        root = info.path if info.kind == "hcl" else src.source
        hook = suppressor.for_root(root)
        for f in report.findings:
            if f.input == info.path or len(report.inputs) == 1:
                f.suppressed = f.suppressed or hook(f)
                if f.suppressed:
                    f.blocking = False


def merge(reports: Sequence[Report], options, rules) -> Report:
    out = Report(options=options, rules_run=len(rules), rules=list(rules))
    for r in reports:
        out.inputs.extend(r.inputs)
        out.findings.extend(r.findings)
        out.fixed.extend(r.fixed)
        out.errors.extend(r.errors)
        out.warnings.extend(r.warnings)
    out.redact = _Chain([r.redact for r in reports])
    return out


class _Chain:
    """Every input's redactor, one after the other: each masks its own secrets; the
    secrets found by their format are masked once, not once per input (thirty roots'
    reports made the same pass over the whole report thirty times)."""

    def __init__(self, redactors) -> None:
        self.redactors = list(redactors)

    def __call__(self, text: str) -> str:
        from .redact import MASK, Redactor, mask_secrets

        for r in self.redactors:
            text = r.mask_values(text) if isinstance(r, Redactor) else r(text)
        return mask_secrets(text, MASK)
