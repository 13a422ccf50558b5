"""The one shape every input reader produces, whatever it read.

Values follow `terraform show -json`: `after`/`before` hold known values, and the
`after_unknown` / `after_sensitive` trees mirror them with `True` where a value is
unknown until apply or marked sensitive. A reader that has a JSON-string attribute
(`container_definitions`, `policy`) only partly known may give it already decoded, as a
list or dict, with an unknown tree of the same shape: the model accepts both.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

Tree = Any  # bool | dict[str, Tree] | list[Tree]


@dataclass(slots=True)
class Location:
    file: str
    line: int
    # Line of each top-level attribute or block inside the resource, where known.
    attr_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, attr: str | None) -> int:
        if attr is not None:
            return self.attr_lines.get(attr, self.line)
        return self.line


@dataclass(slots=True)
class RawResource:
    address: str  # module.svc["a"].aws_ecs_service.this[0]
    mode: str  # "managed" | "data"
    type: str
    name: str
    module_address: str = ""  # module.svc["a"], "" for the root module
    # Terraform's actions: ("create",), ("update",), ("delete", "create"), ("no-op",),
    # ("read",), ("delete",); () when there is no plan (HCL) or no resource_changes.
    actions: tuple[str, ...] = ()
    after: dict | None = None
    after_unknown: Tree = False
    after_sensitive: Tree = False
    before: dict | None = None
    before_sensitive: Tree = False
    # Attribute name -> resource addresses its expression refers to. An address is
    # either an exact instance address or a configuration address (no instance keys),
    # which stands for every instance of that resource in the same module instance.
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Top-level attributes and blocks written in the configuration; None when the input
    # has no configuration. An unknown attribute that is not written is a provider default.
    configured: frozenset[str] | None = None
    location: Location | None = None
    origin: str = "plan"  # "plan" | "hcl" | "state"
    # Attribute path -> tfecs.model.patterns.Pattern, for a value the unknown tree marks
    # unknown that the configuration gives as a partly known string (known pieces and
    # holes): `"${aws_ecr_repository.app.repository_url}:latest"`. Beside `after`, which
    # does not change; rules ask through tfecs.model.patterns.
    patterns: dict[tuple, Any] = field(default_factory=dict)
    input: str = ""  # the path of the input it came from

    @property
    def config_address(self) -> str:
        return config_address(self.address)


_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]')


@functools.lru_cache(maxsize=1 << 16)
def config_address(address: str) -> str:
    """`module.a["x"].aws_t.n[0]` -> `module.a.aws_t.n` (instance keys removed).
    Remembered: the inventory asks it of the same addresses again and again."""
    if "[" not in address:
        return address
    return _KEY.sub("", address)


def module_instance_of(address: str) -> str:
    """The module instance part of a resource address: `module.a["x"]` or ''."""
    if not address.startswith("module."):
        return ""
    fast = _leading_modules(address)
    if fast is not None:
        return fast
    parts = split_address(address)
    mods = []
    i = 0
    while i < len(parts) and parts[i].startswith("module."):
        mods.append(parts[i])
        i += 1
    return ".".join(mods)


def split_segments(text: str) -> list[str]:
    """Split a traversal on the dots outside brackets and quotes:
    `aws_x.y["a.b"].arn` -> `aws_x`, `y["a.b"]`, `arn`."""
    if "[" not in text:
        return text.split(".")
    fast = _split_well_formed(text)
    return fast if fast is not None else split_by_characters(text)


def split_by_characters(text: str) -> list[str]:
    """split_segments the slow, obvious way (any text, malformed too)."""
    segments: list[str] = []
    cur: list[str] = []
    depth = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[]":
            depth += 1 if ch == "[" else -1
        elif ch == "." and depth == 0:
            segments.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    segments.append("".join(cur))
    return segments


# One segment of a well-formed traversal: a name and instance keys (`y["a.b"]`, `n[0]`).
_SEGMENT = re.compile(r'[^."\[\]\\]*(?:\[(?:"(?:[^"\\]|\\.)*"|[^\]"\[\\]*)\][^."\[\]\\]*)*')


def _split_well_formed(text: str) -> list[str] | None:
    """split_segments for text made of well-formed segments (what Terraform writes), at
    regex speed; None for anything else, which the character loop then handles."""
    segments: list[str] = []
    pos, end = 0, len(text)
    match = _SEGMENT.match
    while True:
        stop = match(text, pos).end()  # type: ignore[union-attr]  # it matches the empty string
        segments.append(text[pos:stop])
        if stop == end:
            return segments
        if text[stop] != ".":
            return None
        pos = stop + 1


def _leading_modules(address: str) -> str | None:
    """module_instance_of for well-formed addresses: the `module.<segment>` steps at the
    start, one regex match each; None for anything else (the general path decides)."""
    pos, last, end = 0, 0, len(address)
    while address.startswith("module.", pos):
        stop = _SEGMENT.match(address, pos + 7).end()  # type: ignore[union-attr]
        if stop == end:
            return address
        if address[stop] != ".":
            return None
        last, pos = stop, stop + 1
    return address[:last]


def split_address(address: str) -> list[str]:
    """Split an address into `module.x[..]` and `[data.]type.name[..]` steps, honouring
    quotes. The one place that says where a step starts: `module` and `data` are
    keywords only where a step may start (`module.data.aws_x.y` is a resource in module
    `data`; `aws_x.y["a.data.b"]` is a managed resource)."""
    segments = split_segments(address)
    steps: list[str] = []
    i = 0
    while i < len(segments):
        width = 3 if segments[i] == "data" else 2
        steps.append(".".join(segments[i : i + width]))
        i += width
    return steps


def is_data_address(address: str) -> bool:
    """The address names a data source: its resource step (the last) starts with `data.`,
    at any module depth. `module.data.aws_x.y`, `aws_x.data` and `aws_x.y["k.data.z"]` do not."""
    if "data." not in address:
        return False
    parsed = parse_address(address)
    if parsed is not None:
        return parsed.mode == "data"
    return split_address(address)[-1].startswith("data.")  # malformed: the tolerant split


@dataclass(frozen=True, slots=True)
class ResourceAddress:
    """A resource instance address taken apart by Terraform's grammar."""

    module: str  # `module.a["x"].module.b`, "" for the root module
    mode: str  # "managed" | "data"
    type: str
    name: str
    key: str | None  # the instance key as written (`0`, `"a.b"`), None without one


# An instance key: a number, or a quoted string with backslash escapes.
_KEY_TEXT = r'\[(?:[0-9]+|"(?:[^"\\]|\\.)*")\]'
# The whole grammar in one match. Names are HCL identifiers, `[\w-]+`: letters (Unicode
# too), digits, `_`, `-` (Terraform wants a letter or `_` first; a leading digit is let
# through, it changes no step's meaning). Possessive steps: a `module.` or `data.` where
# a step may start is that keyword, never given back to be read as a type named `module`.
_ADDRESS = re.compile(
    r"((?:module\.[\w-]+(?:" + _KEY_TEXT + r")?\.)*+)(?!module\.)(data\.)?+([\w-]+)\.([\w-]+)(" + _KEY_TEXT + r")?\Z",
    re.S,
)


def parse_address(address: str) -> ResourceAddress | None:
    """`module.a["x"].data.aws_t.n[0]` by Terraform's grammar:
    (`module.` NAME [key])* [`data.`] TYPE `.` NAME [key], a key being a number or a
    quoted string with backslash escapes. None for anything else."""
    m = _ADDRESS.match(address)
    if m is None:
        return None
    modules, data, rtype, name, key = m.groups()
    return ResourceAddress(modules[:-1], "data" if data else "managed", rtype, name, key[1:-1] if key else None)


