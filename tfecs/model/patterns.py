"""Partly known strings: what every value a string with unknown holes can take has in common.

The HCL evaluator (and hybrid mode, from the configuration block's expression) keeps a
template such as `"${aws_ecr_repository.app.repository_url}:latest"` as a Pattern: its
known literal pieces and its unknown holes, each hole naming, where known, the resource
attribute it comes from. The pattern travels beside the unknown marker
(`RawResource.patterns`, keyed by attribute path), so nothing that reads `after` changes;
rules ask the questions below, and every answer is one of three: True (every value the
pattern can take), False (none), None (cannot tell: the finding stays `unknown`).

What a hole's origin tells (HOLE_DOMAINS): `data.aws_partition.*.partition` and
`dns_suffix` take one of a few values (every AWS partition); an
`aws_ecr_repository.*.repository_url` is `<account>.dkr.ecr.<region>.<dns suffix>/<name>`,
an Amazon ECR private registry. Any other hole may hold any text.

Matching is linear: patterns come from hostile input (no backtracking regex over them).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterator

from ..inputs.raw import config_address, split_segments
from .glob import glob_match

# Every partition's name and DNS suffix (the provider's partition data, AWS SDK endpoints).
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
DNS_SUFFIXES = ("amazonaws.com", "amazonaws.com.cn", "c2s.ic.gov", "sc2s.sgov.gov", "cloud.adc-e.uk", "csp.hci.ic.gov", "amazonaws.eu")

# (resource type, attribute) -> (finite values or None, registry host globs or None)
HOLE_DOMAINS: dict[tuple[str, str], tuple[tuple[str, ...] | None, tuple[str, ...] | None]] = {
    ("aws_partition", "partition"): (PARTITIONS, None),
    ("aws_partition", "dns_suffix"): (DNS_SUFFIXES, None),
    # The provider builds it as registry_id.dkr.ecr.region.dns_suffix/name: an ECR private
    # registry of the configuration's own account (commercial, GovCloud and China suffixes
    # are the ones tfecs's trusted list knows; ISO partitions are not claimed).
    ("aws_ecr_repository", "repository_url"): (None, ("*.dkr.ecr.*.amazonaws.com", "*.dkr.ecr.*.amazonaws.com.cn")),
}

_MAX_EXPANSIONS = 256
_SENTINEL = "\x00"


@dataclass(frozen=True, slots=True)
class Hole:
    """An unknown piece; `source` is the resource attribute it comes from
    (`aws_ecr_repository.app.repository_url`), None when not known."""

    source: str | None = None

    @property
    def kind(self) -> tuple[str, str] | None:
        """(resource type, attribute) of the source, instance keys and modules left out."""
        if not self.source:
            return None
        try:
            steps = split_segments(config_address(self.source))
        except Exception:  # pragma: no cover - malformed text from a hostile input
            return None
        while len(steps) >= 2 and steps[0] == "module":
            steps = steps[2:]
        if steps[:1] == ["data"]:
            steps = steps[1:]
        if len(steps) < 3:
            return None
        return steps[0], steps[-1]

    @property
    def values(self) -> tuple[str, ...] | None:
        """The few values the hole can take, when its origin says so."""
        kind = self.kind
        return HOLE_DOMAINS[kind][0] if kind in HOLE_DOMAINS else None

    def may_contain(self, chars: str) -> bool:
        """The hole's value may hold one of `chars`."""
        vals = self.values
        if vals is not None:
            return any(c in v for v in vals for c in chars)
        if self.registry_globs is not None:  # host/name: no `@`, no `:` (no port, no tag)
            return any(c not in "@:" for c in chars)
        return True

    @property
    def registry_globs(self) -> tuple[str, ...] | None:
        """Globs every registry host this hole can start an image with matches (its value
        begins with `host/`), when its origin says so."""
        kind = self.kind
        return HOLE_DOMAINS[kind][1] if kind in HOLE_DOMAINS else None




@dataclass(frozen=True, slots=True)
class Pattern:
    """Known literal pieces and unknown holes, in order (adjacent literals merged)."""

    parts: tuple  # tuple[str | Hole, ...]

    @classmethod
    def of(cls, parts: "list | tuple") -> "Pattern":
        merged: list = []
        for p in parts:
            if isinstance(p, str):
                if not p:
                    continue
                if merged and isinstance(merged[-1], str):
                    merged[-1] += p
                    continue
            elif not isinstance(p, Hole):
                p = Hole()
            merged.append(p)
        return cls(tuple(merged))

    # Plain facts --------------------------------------------------------------------
    @property
    def holes(self) -> tuple[Hole, ...]:
        return tuple(p for p in self.parts if isinstance(p, Hole))

    @property
    def prefix(self) -> str:
        """The literal text every value starts with."""
        return self.parts[0] if self.parts and isinstance(self.parts[0], str) else ""

    @property
    def suffix(self) -> str:
        """The literal text every value ends with."""
        return self.parts[-1] if self.parts and isinstance(self.parts[-1], str) else ""

    def __str__(self) -> str:
        return "".join(p if isinstance(p, str) else "${" + (p.source or "?") + "}" for p in self.parts)

    # Expansion: finite holes substituted, the others left as holes --------------------------
    def _expansions(self) -> list[tuple] | None:
        """Each way of filling the finite holes (a tuple of str and open Holes, adjacent
        literals merged); None when there are too many."""
        choices = []
        count = 1
        for p in self.parts:
            vals = p.values if isinstance(p, Hole) else None
            choices.append(vals if vals is not None else (p,))
            count *= len(choices[-1])
            if count > _MAX_EXPANSIONS:
                return None
        return [Pattern.of(combo).parts for combo in itertools.product(*choices)]

    def values(self) -> tuple[str, ...] | None:
        """Every value the pattern can take, when there are few (every hole finite)."""
        exp = self._expansions()
        if exp is None or any(isinstance(p, Hole) for parts in exp for p in parts):
            return None
        return tuple(dict.fromkeys("".join(parts) for parts in exp))

    # Questions ----------------------------------------------------------------------------
    def always(self, predicate: Callable[[str], bool]) -> bool | None:
        """True when every value satisfies predicate, False when none does, else None.
        Decided only when the values are few (every hole finite)."""
        vals = self.values()
        if vals is None:
            return None
        results = {bool(predicate(v)) for v in vals}
        return results.pop() if len(results) == 1 else None

    def can_equal(self, text: str, *, ignore_case: bool = False) -> bool:
        """Some value of the pattern may be exactly `text` (False: never)."""
        exp = self._expansions()
        if exp is None:
            return True
        if ignore_case:
            text = text.lower()
        return any(_fits(parts, text, ignore_case) for parts in exp)

    def always_matches_glob(self, glob: str) -> bool:
        """Every value matches the glob (`*` any text, `?` one character; a glob with
        `[` is not decided). False means "not shown", not "never"."""
        exp = self._expansions()
        if exp is None or "[" in glob or _SENTINEL in glob:
            return False
        for parts in exp:
            if not any(isinstance(p, Hole) for p in parts):
                if not glob_match(glob, "".join(parts)):
                    return False
                continue
            if "?" in glob or any(_SENTINEL in p for p in parts if isinstance(p, str)):
                return False
            # A hole becomes a character no literal of a star-only glob can match: only a
            # `*` absorbs it, and so would absorb any text the hole holds.
            if not glob_match(glob, "".join(p if isinstance(p, str) else _SENTINEL for p in parts), question=False):
                return False
        return True

    def never_starts_with(self, text: str) -> bool:
        """No value starts with `text` (decided from the known prefix)."""
        pre = self.prefix
        n = min(len(pre), len(text))
        return pre[:n] != text[:n]


def _fits(parts: tuple, text: str, ignore_case: bool) -> bool:
    """`text` is one of the values of literals-and-open-holes `parts` (linear: the first
    literal at the start, the last at the end, the others leftmost in between)."""
    lits = [p.lower() if ignore_case else p for p in parts if isinstance(p, str)]
    if not any(isinstance(p, Hole) for p in parts):
        return "".join(lits) == text
    head = parts[0] if isinstance(parts[0], str) else ""
    tail = parts[-1] if isinstance(parts[-1], str) else ""
    if ignore_case:
        head, tail = head.lower(), tail.lower()
    if len(head) + len(tail) > len(text) or not text.startswith(head) or not text.endswith(tail):
        return False
    middle = lits[(1 if head else 0) : len(lits) - (1 if tail else 0)]
    pos, end = len(head), len(text) - len(tail)
    for lit in middle:
        found = text.find(lit, pos, end)
        if found < 0:
            return False
        pos = found + len(lit)
    return True


def patterns_at(patterns: dict, prefix: tuple) -> Iterator[tuple[tuple, Pattern]]:
    """The (path, pattern) entries under a path prefix."""
    n = len(prefix)
    for path, pat in patterns.items():
        if path[:n] == prefix:
            yield path, pat


# Container images ----------------------------------------------------------------------------
# `[registry[:port]/]repository[:tag][@digest]`, as tfecs.model.ecs.ImageRef reads it.


def image_pinned(p: Pattern) -> bool | None:
    """True: every value names a digest (`@` in the known tail). None: cannot tell."""
    return True if "@" in p.suffix else None


def image_untagged(p: Pattern) -> bool:
    """Every value names neither a tag nor a digest (Docker pulls `latest`): no `:` or
    `@` anywhere, in the literals or in what any hole can hold (`${repository_url}`)."""
    return bool(p.holes) and not any(c in part for part in p.parts if isinstance(part, str) for c in ":@") and not any(h.may_contain(":@") for h in p.holes)


def image_tag(p: Pattern) -> str | None:
    """The tag every value names, when the known tail after the last hole decides it
    (`${repository_url}:latest`) and no hole can hold an `@` (a digest) -- else None."""
    tail = p.suffix
    if not p.holes or "@" in tail or ":" not in tail or any(h.may_contain("@") for h in p.holes):
        return None
    tag = tail.rsplit(":", 1)[1]
    return tag if tag and "/" not in tag else None


def image_registry_hosts(p: Pattern) -> tuple[Pattern, ...] | None:
    """What the registry host of every value matches: a known host (the literal text
    before the first `/`), or the host globs of a hole that starts the value (an ECR
    repository URL). None when the start of the image is not known."""
    if not p.parts:
        return None
    first = p.parts[0]
    if isinstance(first, str):
        if "/" not in first:
            return None
        host = first.split("/", 1)[0]
        if ":" in host:  # a port: left to the known-value reading
            return None
        if not ("." in host or host == "localhost" or host != host.lower()) or host.lower() in ("index.docker.io", "registry-1.docker.io"):
            host = "docker.io"  # no registry: Docker Hub, as ImageRef reads it
        return (Pattern.of([host.lower()]),)
    globs = first.registry_globs
    if globs is None:
        return None
    return tuple(Pattern.of([Hole() if i % 2 else piece for i, piece in enumerate(_star_split(g))]) for g in globs)


def _star_split(glob: str) -> list[str]:
    """`*.dkr.ecr.*.amazonaws.com` -> ["", "*", ".dkr.ecr.", "*", ".amazonaws.com"]."""
    out: list[str] = []
    for i, piece in enumerate(glob.split("*")):
        if i:
            out.append("*")
        out.append(piece)
    return out
