"""Baselines: adopt the gate on a brownfield repository. `tfecs baseline` records today's
findings by (rule, address, attribute path, container); a scan with `--baseline FILE`
marks the findings in it suppressed (source "baseline"), so only new ones block.

The file is sorted, has no timestamp, and holds no value from the plan: only rule ids,
addresses, attribute paths and container names (and those pass the scan's redactor).
"""

from __future__ import annotations

import json
import re
from typing import Callable, Iterable

from .errors import TfecsError
from .safeio import NotRegular, read_regular
from .report import WarningInfo
from .rule import Finding

VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
_CONTAINER_INDEX = re.compile(r"^container_definitions\[\d+\]")


def entry(f: Finding) -> dict:
    return {"rule": f.meta.id, "address": f.address, "path": f.path_text or None, "container": f.container}


def _key(rule: str, address: str, path: str | None, container: str | None) -> tuple:
    # Containers are known by name: a replacement may reorder them.
    if container is not None and path:
        path = _CONTAINER_INDEX.sub("container_definitions[*]", path)
    return (rule, address, path or "", container or "")


def dumps(findings: Iterable[Finding], redact: Callable[[str], str] = lambda s: s) -> str:
    seen: dict[tuple, dict] = {}
    for f in findings:
        e = {k: (redact(v) if isinstance(v, str) else v) for k, v in entry(f).items()}
        seen[_key(e["rule"], e["address"], e["path"], e["container"])] = e
    rows = [seen[k] for k in sorted(seen)]
    return json.dumps({"version": VERSION, "findings": rows}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Baseline:
    def __init__(self, path: str, entries: list[dict]):
        self.path = path
        self.keys: dict[tuple, int] = {}
        for e in entries:
            self.keys.setdefault(_key(e["rule"], e["address"], e.get("path"), e.get("container")), 0)

    def suppresses(self, f: Finding) -> dict | None:
        key = _key(f.meta.id, f.address, f.path_text or None, f.container)
        if key not in self.keys:
            return None
        self.keys[key] += 1
        return {"source": "baseline", "reason": "in the baseline", "expires": None, "where": self.path}

    def warnings(self) -> list[WarningInfo]:
        stale = sum(1 for n in self.keys.values() if not n)
        if not stale:
            return []
        return [WarningInfo("baseline-unused", f"{stale} baseline entr{'y' if stale == 1 else 'ies'} matched no finding: regenerate it with `tfecs baseline`", self.path)]


def _read(path: str) -> str:
    """The text of a regular file of at most MAX_BYTES. A FIFO or a device (a committed
    symlink to /dev/zero) would block the scan or fill the memory: refused, never read."""
    try:
        data = read_regular(path, MAX_BYTES, follow=True)
    except NotRegular as exc:
        raise TfecsError("baseline file is too large" if exc.too_large else "the baseline is not a regular file", where=path) from None
    except FileNotFoundError:
        raise TfecsError("no such baseline file", where=path) from None
    except OSError as exc:
        raise TfecsError(f"cannot read the baseline: {exc.strerror or exc}", where=path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise TfecsError("cannot read the baseline: not UTF-8 text", where=path) from None


def load(path: str) -> Baseline:
    """Read a baseline; any problem is exit 2 (a missing baseline must not pass silently)."""
    try:
        doc = json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise TfecsError(f"baseline is not JSON (line {exc.lineno})", where=path) from None
    except RecursionError:
        raise TfecsError("baseline is nested too deeply to be a tfecs baseline", where=path) from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("findings"), list):
        raise TfecsError(f'not a tfecs baseline (expected {{"version": {VERSION}, "findings": [...]}})', where=path)
    entries = doc["findings"]
    for i, e in enumerate(entries):
        if not (
            isinstance(e, dict)
            and isinstance(e.get("rule"), str)
            and isinstance(e.get("address"), str)
            and isinstance(e.get("path"), (str, type(None)))
            and isinstance(e.get("container"), (str, type(None)))
        ):
            raise TfecsError(f"baseline entry {i} needs string rule and address, and path/container strings or null", where=path)
    return Baseline(path, entries)
