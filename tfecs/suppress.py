"""Accepted risks: inline `# tfecs:ignore:…` comments in the .tf files, `ignore` blocks of
`.tfecs.hcl`, and a baseline file. The gate asks `Suppressor.for_root(root)` whether a
finding is suppressed; a suppressed finding stays in the report and never blocks.

Inline ignores are found by reading the .tf files of the scan root (the HCL directory, or
the `--source` directory of a plan) with a structural scan (`hclscan`): regular files
inside the root only, never through a symlink. A finding is matched to the resource block
that declares it by address (module calls are followed through their local `source`), or,
failing that, by its file and line. An ignore on a `module "x"` block covers every
resource of every instance of module.x.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from . import hclscan
from .inputs.raw import config_address, split_address
from .model.glob import glob_match
from .report import ErrorInfo, WarningInfo
from .rule import Finding

_DIRECTIVE = re.compile(r"^\s*tfecs:ignore:(\S*)(?:\s+(.*))?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MODULE_CALL = re.compile(r'^\s*module\s+"', re.M)
MAX_TF_FILES = 5000
MAX_TF_BYTES = 4 * 1024 * 1024


def today() -> date:
    """Today, or TFECS_TODAY (YYYY-MM-DD) so tests and reproducible runs can pin it."""
    pinned = os.environ.get("TFECS_TODAY")
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            pass
    return date.today()


def parse_date(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


class RuleIds:
    """The rule ids (and aliases) an ignore may name, and pattern matching on them:
    an id, a prefix ending in `-` (`iam-`), or `*`."""

    def __init__(self, ids: Iterable[str]):
        self.ids = frozenset(ids)

    def valid(self, pattern: str) -> bool:
        return pattern == "*" or any(_rule_matches(pattern, i) for i in self.ids)


def _rule_matches(pattern: str, rule_id: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith("-"):
        return rule_id.startswith(pattern)
    return rule_id == pattern


class AddressGlob:
    """A glob on addresses where only `*` and `?` are wildcards: brackets and quotes in
    `aws_ecs_service.web["blue"]` are literal. Matched by tfecs.model.glob, without
    backtracking: a regex of `.*` per star backtracks exponentially on a pattern such as
    `*a*a*a*a*a*a*b` from a hostile .tfecs.hcl."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: str):
        self.pattern = pattern

    def match(self, text: str) -> bool:
        return glob_match(self.pattern, text)


def address_glob(pattern: str) -> AddressGlob:
    return AddressGlob(pattern)


@dataclass(slots=True, eq=False)
class Ignore:
    rules: tuple[str, ...]
    reason: str
    expires: date | None
    where: str  # file:line
    source: str  # "inline" | "config"
    address: AddressGlob | None = None  # config: a glob on addresses
    narrow: tuple = ()  # inline: only findings whose path starts with this
    used: int = 0

    def covers_rule(self, f: Finding) -> bool:
        ids = (f.meta.id, *f.meta.aliases)
        return any(_rule_matches(p, i) for p in self.rules for i in ids)

    def covers_path(self, f: Finding) -> bool:
        n = len(self.narrow)
        return not n or tuple(f.path[:n]) == self.narrow

    def record(self) -> dict:
        return {
            "source": self.source,
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
            "where": self.where,
        }

    @property
    def label(self) -> str:
        return ",".join(self.rules)


@dataclass(slots=True)
class _Block:
    kind: str  # "resource" | "module" | "data"
    address: str  # aws_x.y | module.x | data.aws_x.y
    file: str
    line: int
    end: int
    ignores: list[Ignore] = field(default_factory=list)
    source_dir: str | None = None  # module calls with a local source


@dataclass(slots=True)
class InlineIndex:
    """Every inline ignore under one scan root, attached to its block."""

    root: str
    blocks_by_dir: dict[str, dict[str, _Block]] = field(default_factory=dict)
    blocks_by_file: dict[str, list[_Block]] = field(default_factory=dict)
    ignores: list[Ignore] = field(default_factory=list)
    problems: list[WarningInfo] = field(default_factory=list)

    def candidates(self, f: Finding) -> list[Ignore]:
        out: list[Ignore] = []
        block = None
        directory: str | None = ""
        steps = split_address(config_address(f.address))
        for step in steps[:-1]:
            call = self.blocks_by_dir.get(directory, {}).get(step) if directory is not None else None
            if call is None:
                directory = None
                break
            out.extend(call.ignores)
            directory = call.source_dir
        if directory is not None and steps:
            block = self.blocks_by_dir.get(directory, {}).get(steps[-1])
        if block is None and f.file and f.line:
            file = f.file.replace(os.sep, "/")
            block = next((b for b in self.blocks_by_file.get(file, ()) if b.kind == "resource" and b.line <= f.line <= b.end), None)
        if block is not None:
            out.extend(block.ignores)
        return out


def parse_directive(text: str, known: RuleIds) -> tuple[tuple[str, ...], date | None, str] | str | None:
    """A comment's ignore: (rules, expires, reason); an error message when it is malformed;
    None when the comment is no ignore at all."""
    m = _DIRECTIVE.match(text)
    if not m:
        return None
    spec, reason = m.group(1), (m.group(2) or "").strip()
    rules_part, sep, exp = spec.partition(":exp:")
    expires = None
    if sep:
        expires = parse_date(exp)
        if expires is None:
            return f"bad expiry date {exp!r} (expected :exp:YYYY-MM-DD)"
    rules = tuple(r for r in rules_part.split(",") if r)
    if not rules or rules_part.count(",") + 1 != len(rules):
        return "no rule id (expected tfecs:ignore:<rule-id>[,<rule-id>…][:exp:YYYY-MM-DD] <reason>)"
    unknown = [r for r in rules if not known.valid(r)]
    if unknown:
        return f"unknown rule id {unknown[0]!r} (see `tfecs rules`)"
    if not reason:
        return "an ignore needs a reason after the rule ids (it does not suppress without one)"
    return rules, expires, reason


def tf_files(root: str) -> Iterable[tuple[str, str]]:
    """(relative posix path, absolute path) of the regular .tf files under `root`, never
    through a symlink, skipping hidden directories (.terraform, .git)."""
    count = 0
    real_root = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith(".tf"):
                continue
            full = os.path.join(dirpath, name)
            try:
                st = os.lstat(full)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_TF_BYTES:
                continue
            if not os.path.realpath(full).startswith(real_root + os.sep):
                continue
            count += 1
            if count > MAX_TF_FILES:
                return
            yield os.path.relpath(full, root).replace(os.sep, "/"), full


def build_index(root: str, known: RuleIds) -> InlineIndex:
    index = InlineIndex(root)
    for rel, full in tf_files(root):
        try:
            with open(full, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            continue
        # Only ignores and module calls (to follow module paths) matter.
        if "tfecs:ignore" not in text and not _MODULE_CALL.search(text):
            continue
        _index_file(index, rel, text, known)
    return index


def _index_file(index: InlineIndex, rel: str, text: str, known: RuleIds) -> None:
    parsed = hclscan.scan(text)
    directory = rel.rpartition("/")[0]
    blocks: list[tuple[_Block, hclscan.Item]] = []
    for item in parsed.items:
        if item.kind != "block" or item.name not in ("resource", "module", "data"):
            continue
        if item.name == "module" and len(item.labels) == 1:
            address = f"module.{item.labels[0]}"
        elif item.name in ("resource", "data") and len(item.labels) == 2:
            address = ("data." if item.name == "data" else "") + ".".join(item.labels)
        else:
            continue
        block = _Block(item.name, address, rel, item.line, item.end)
        if item.name == "module":
            source = next((a for a in item.body if a.kind == "attr" and a.name == "source"), None)
            if source is not None and isinstance(source.value, str) and source.value.startswith(("./", "../")):
                block.source_dir = _join(directory, source.value)
        blocks.append((block, item))
        index.blocks_by_dir.setdefault(directory, {}).setdefault(address, block)
        index.blocks_by_file.setdefault(rel, []).append(block)
    comment_lines = {c.line for c in parsed.comments if c.own_line}
    for comment in parsed.comments:
        result = parse_directive(comment.text, known)
        if result is None:
            continue
        where = f"{rel}:{comment.line}"
        if isinstance(result, str):
            index.problems.append(WarningInfo("ignore-invalid", result, where))
            continue
        rules, expires, reason = result
        target = _attach(comment, blocks, parsed.code_lines, comment_lines)
        if target is None:
            index.problems.append(WarningInfo("ignore-invalid", "not above or inside a resource or module block: it suppresses nothing", where))
            continue
        block, narrow = target
        ignore = Ignore(rules, reason, expires, where, "inline", narrow=narrow)
        block.ignores.append(ignore)
        index.ignores.append(ignore)


def _join(directory: str, source: str) -> str | None:
    """A local module source relative to the calling directory; None if it leaves the root."""
    parts = [p for p in directory.split("/") if p]
    for p in source.split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(p)
    return "/".join(parts)


def _attach(comment: hclscan.Comment, blocks: list[tuple[_Block, hclscan.Item]], code_lines: set[int], comment_lines: set[int]) -> tuple[_Block, tuple] | None:
    """The block a comment belongs to, and the path it narrows to (() for the whole block)."""
    line = comment.line
    for block, item in blocks:
        if block.line <= line <= block.end:
            if line == block.line or block.kind == "module":
                return block, ()
            return block, _narrow(comment, item, code_lines, comment_lines)
    if comment.own_line:
        nxt = _following(line, code_lines, comment_lines)
        for block, _ in blocks:
            if block.line == nxt:
                return block, ()
    return None


def _following(line: int, code_lines: set[int], comment_lines: set[int]) -> int | None:
    """The line of the code that a comment-only line stands directly above: the next line
    with code, if no blank line comes between (other comment lines may)."""
    n = line + 1
    while n in comment_lines:
        n += 1
    return n if n in code_lines else None


def _narrow(comment: hclscan.Comment, item: hclscan.Item, code_lines: set[int], comment_lines: set[int]) -> tuple:
    """Inside a resource: above or inside an attribute or nested block narrows to it; above
    or inside an entry of a literal list (a `jsonencode` container entry) narrows to that
    entry. A comment that trails code on its line, or stands elsewhere, covers the block."""
    line = comment.line
    nxt = _following(line, code_lines, comment_lines) if comment.own_line else None
    for child in item.body:
        if line == child.line:
            return ()  # trails the code of a line: the whole block, as anywhere inside it
        name = child.labels[0] if child.kind == "block" and child.name == "dynamic" and child.labels else child.name
        if nxt == child.line:
            return (name,)
        if child.line < line <= child.end:
            if child.kind == "attr":
                for i, (start, end) in enumerate(child.elements):
                    if start <= line <= end or nxt == start:
                        return (name, i)
            return (name,)
    return ()


class Suppressor:
    """Decides, for the gate, whether a finding is an accepted risk; remembers which
    ignores matched, which expired, which were malformed, for the report's warnings.

    `known`: every rule id and alias an ignore may name; `ran`: the ids of the rules of
    this run (an ignore naming only rules that did not run is not reported unused)."""

    def __init__(
        self,
        *,
        known: Iterable[str],
        ran: Iterable[str] = (),
        config_ignores: Iterable[Ignore] = (),
        baseline=None,
        no_ignores: bool = False,
        strict: bool = False,
        today_: date | None = None,
    ):
        self.strict = strict
        self.known = RuleIds(known)
        self.ran = frozenset(ran)
        self.config_ignores = list(config_ignores)
        self.baseline = baseline
        self.no_ignores = no_ignores
        self.today = today_ or today()
        self._indexes: dict[str, InlineIndex] = {}

    def index(self, root: str) -> InlineIndex:
        key = os.path.realpath(root)
        if key not in self._indexes:
            self._indexes[key] = build_index(root, self.known)
        return self._indexes[key]

    def for_root(self, root: str | None) -> Callable[[Finding], dict | None]:
        """The gate's `suppress=` hook for the findings of one input: `root` is the
        directory its files are relative to (None: a plan alone, without comments)."""
        index = self.index(root) if root and not self.no_ignores else None
        config = [] if self.no_ignores else self.config_ignores

        def suppress(f: Finding) -> dict | None:
            for ignore in (index.candidates(f) if index else ()):
                if self._applies(ignore, f):
                    return ignore.record()
            for ignore in config:
                if ignore.address is not None and not (ignore.address.match(f.address) or ignore.address.match(config_address(f.address))):
                    continue
                if self._applies(ignore, f):
                    return ignore.record()
            if self.baseline is not None:
                return self.baseline.suppresses(f)
            return None

        return suppress

    def _applies(self, ignore: Ignore, f: Finding) -> bool:
        if not ignore.covers_rule(f) or not ignore.covers_path(f):
            return False
        if ignore.expires is not None and ignore.expires < self.today:
            return False
        ignore.used += 1
        return True

    def _all_ignores(self) -> list[Ignore]:
        inline = [i for index in self._indexes.values() for i in index.ignores]
        return inline + self.config_ignores

    def warnings(self) -> list[WarningInfo]:
        """Malformed inline ignores, expired ignores and ignores that matched nothing."""
        if self.no_ignores:
            return self.baseline.warnings() if self.baseline is not None else []
        out: list[WarningInfo] = [p for index in self._indexes.values() for p in index.problems]
        for ignore in self._all_ignores():
            if ignore.expires is not None and ignore.expires < self.today:
                out.append(WarningInfo("ignore-expired", f"ignore of {ignore.label} expired on {ignore.expires.isoformat()}: it no longer suppresses", ignore.where))
            elif not ignore.used and self._ran_any(ignore):
                out.append(WarningInfo("ignore-unused", f"ignore of {ignore.label} matched no finding: remove it if the risk is gone", ignore.where))
        if self.baseline is not None:
            out.extend(self.baseline.warnings())
        return out

    def _ran_any(self, ignore: Ignore) -> bool:
        return not self.ran or any(_rule_matches(p, r) for p in ignore.rules for r in self.ran)

    def finish(self, report) -> None:
        """Add what the report must say about the ignores (after every input was gated)."""
        report.warnings.extend(self.warnings())
        if self.strict:
            report.errors.extend(self.strict_errors())

    def strict_errors(self) -> list[ErrorInfo]:
        """--strict-ignores: unused and malformed ignores are errors (exit 2)."""
        return [ErrorInfo("config", w.message, w.where) for w in self.warnings() if w.kind in ("ignore-unused", "ignore-invalid")]
